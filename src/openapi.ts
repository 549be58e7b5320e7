import type { DatabaseHandle } from './db/client.js';
import { buildApp, type AppConfig } from './app.js';
import { loadConfig } from './config.js';

/** A database handle for building the app without one: the OpenAPI document needs routes, not data. */
function noDatabase(): DatabaseHandle {
  const refuse = () => {
    throw new Error('no database while generating the OpenAPI document');
  };
  return { kind: 'pglite', db: undefined as never, read: undefined as never, migrate: refuse, pendingMigrations: refuse, close: async () => {} };
}

/** The OpenAPI document exactly as `GET /docs/json` serves it, with fixed config so the output is stable. */
export async function generateOpenApiDocument(): Promise<unknown> {
  // The defaults of an empty environment: the document must not depend on where it is generated.
  const config: AppConfig = { ...loadConfig({}), dataDir: 'memory://', adminToken: 'openapi-generation-only-token',
    secretKey: '0'.repeat(64), logLevel: 'silent' };
  const app = await buildApp({ config, database: noDatabase(), logger: false });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

export const OPENAPI_PATH = new URL('../openapi/openapi.json', import.meta.url);
