import fp from 'fastify-plugin';
import type { DatabaseHandle } from '../db/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: DatabaseHandle;
  }
}

/** Makes the database handle available to routes; closes it when the app closes (PGlite must be closed). */
export default fp<{ database: DatabaseHandle; closeOnShutdown: boolean }>(
  async (app, opts) => {
    app.decorate('database', opts.database);
    if (opts.closeOnShutdown) app.addHook('onClose', async () => opts.database.close());
  },
  { name: 'db' },
);
