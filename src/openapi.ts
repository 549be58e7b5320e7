import type { DatabaseHandle } from './db/client.js';
import { buildApp, type AppConfig } from './app.js';

/** A database handle for building the app without one: the OpenAPI document needs routes, not data. */
function noDatabase(): DatabaseHandle {
  const refuse = () => {
    throw new Error('no database while generating the OpenAPI document');
  };
  return { kind: 'pglite', db: undefined as never, read: undefined as never, migrate: refuse, pendingMigrations: refuse, close: async () => {} };
}

/** The OpenAPI document exactly as `GET /docs/json` serves it, with fixed config so the output is stable. */
export async function generateOpenApiDocument(): Promise<unknown> {
  const config: AppConfig = {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: undefined,
    databaseReadUrl: undefined,
    dataDir: 'memory://',
    adminToken: 'openapi-generation-only-token',
    publicBaseUrl: 'http://localhost:3000',
    logLevel: 'silent',
    bodyLimitBytes: 1_048_576,
    publicRateLimitPerMinute: 300,
    trustProxy: false,
    graphMaxNodes: 50_000,
    graphMaxDepth: 200,
    scanSuspiciousCount: 20,
    scanSuspiciousDistanceKm: 500,
    scanWindowHours: 720,
  };
  const app = await buildApp({ config, database: noDatabase(), logger: false });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

export const OPENAPI_PATH = new URL('../openapi/openapi.json', import.meta.url);
