// The service as a child process (src/server.ts on tsx), for the tests that kill it with SIGKILL: a free port, a
// start that waits for /health, a kill that waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { ADMIN_TOKEN, TEST_SECRET_KEY } from './app.js';
import { createTestDatabase } from './databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts the service with `env` (PATH, PORT and HOST are set here) and waits until /health answers. */
export async function startService(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${port}`;
  // --liftoff-only as for the test processes (.taprc): PGlite's WebAssembly is not re-optimised at each start.
  const child = spawn(process.execPath, ['--liftoff-only', '--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A test process that ends without its teardown (a timeout) must not leave the service running.
  process.once('exit', () => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Up to a minute: PGlite's start (WebAssembly, the data directory) takes several seconds on a loaded machine.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited at start: ${stderr}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not start: ${stderr}`);
}

export async function killService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return; // exited already
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/**
 * A test database for a service process: PGlite admits one process, so its handle is closed while the service
 * runs and reopened (`open`) to count once the service is stopped; PostgreSQL's stays open. `env` points the
 * service at it. Closed and removed when the test ends.
 */
export async function databaseForService(t: Test) {
  const { handle, location, dispose } = await createTestDatabase();
  let database: DatabaseHandle | undefined = handle;
  if ('dataDir' in location) {
    await handle.close();
    database = undefined;
  }
  t.teardown(async () => {
    // dispose closes the handle it made; a PGlite handle reopened for counting is closed here.
    if (database !== handle) await database?.close();
    await dispose();
  });
  return {
    location,
    env: ('databaseUrl' in location ? { DATABASE_URL: location.databaseUrl } : { HERBTRACE_DATA_DIR: location.dataDir }) as Record<string, string>,
    open: (): DatabaseHandle => (database ??= openDatabase('dataDir' in location ? { dataDir: location.dataDir } : { databaseUrl: location.databaseUrl })),
  };
}

/** The settings a test's service process runs with, the log's signing key among them (PostgreSQL needs one). */
export const serviceSettings = (logKey: string): Record<string, string> => ({
  HERBTRACE_ADMIN_TOKEN: ADMIN_TOKEN,
  HERBTRACE_SECRET_KEY: TEST_SECRET_KEY,
  HERBTRACE_LOG_KEY: logKey,
  LOG_LEVEL: 'warn',
  PUBLIC_BASE_URL: 'https://trace.example.cn',
});
