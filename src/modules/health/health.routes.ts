import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { problemResponses } from '../../lib/schemas.js';
import { sendProblem } from '../../plugins/errors.js';

const tags = ['health'];

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Readiness: the database answers and every migration is applied',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), database: Type.String({ examples: ['postgres'] }) }),
          ...problemResponses(503),
        },
      },
    },
    async (request, reply) => {
      try {
        await app.database.db.execute(sql`select 1`);
        const pending = await app.database.pendingMigrations();
        if (pending > 0) {
          return sendProblem(request, reply, {
            slug: 'not-ready',
            title: 'Not ready',
            status: 503,
            detail: `${pending} database migration(s) not applied yet.`,
          });
        }
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        return sendProblem(request, reply, { slug: 'not-ready', title: 'Not ready', status: 503, detail: 'The database does not answer.' });
      }
      return { status: 'ready' as const, database: app.database.kind };
    },
  );
};
