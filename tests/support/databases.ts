import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER, openDatabase, type DatabaseHandle } from '../../src/db/client.js';

/**
 * Test databases. On PGlite a migrated template data directory is built once per run (by before.ts) and
 * copied for each test file: creating and migrating an instance takes seconds, copying one ~150 ms (tmpfs). With
 * TEST_DATABASE_URL every test file gets its own PostgreSQL database, cloned from a migrated template database.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
const TEMPLATE_DB = 'herbtrace_test_template';

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, name.name);
      if (name.isDirectory()) walk(full);
      else hash.update(name.name).update(readFileSync(full));
    }
  };
  walk(MIGRATIONS_FOLDER);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Where PGlite test databases live: tmpfs (/dev/shm) when it has room, else the temporary directory. Copying
 * the ~40 MB template there and removing it again cost ≈ 0.15 s instead of ≈ 1 s on this machine's ext4, and
 * PGlite's own writes are cheaper too. (Docker gives containers a 64 MB /dev/shm by default: too small, so
 * that case falls back to the temporary directory.)
 */
const SCRATCH_ROOT = (() => {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 1024 * 1024 * 1024) return '/dev/shm';
  } catch {
    // no /dev/shm on this system
  }
  return os.tmpdir();
})();

export function pgliteTemplateDir(): string {
  // v2: the template's postgresql.conf has TEST_POSTGRESQL_CONF.
  return path.join(SCRATCH_ROOT, `herbtrace-test-template-v2-${migrationsFingerprint()}`);
}

/**
 * Settings of the PGlite test databases only (appended to the template's postgresql.conf, so every copy has
 * them; the service's own data directory keeps PGlite's defaults). With the default 128 MB of shared buffers a
 * PGlite start set up and touched that much memory: 16 MB, plenty for a test file's data, starts ≈ 0.4 s
 * sooner (of ≈ 1 s) at half the resident memory.
 */
const TEST_POSTGRESQL_CONF = '\n# tests/support/databases.ts\nshared_buffers = 16MB\n';

/** Called once per run from before.ts. */
export async function prepareTemplate(): Promise<void> {
  if (TEST_DATABASE_URL) {
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
      await admin.unsafe(`create database ${TEMPLATE_DB}`);
    } finally {
      await admin.end();
    }
    const handle = openDatabase({ databaseUrl: withDatabase(TEST_DATABASE_URL, TEMPLATE_DB) });
    try {
      await handle.migrate();
    } finally {
      await handle.close();
    }
    return;
  }
  const dir = pgliteTemplateDir();
  if (existsSync(dir)) return;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const handle = openDatabase({ dataDir: building });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  appendFileSync(path.join(building, 'postgresql.conf'), TEST_POSTGRESQL_CONF);
  renameSync(building, dir);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A fresh migrated database for one test file, removed again by `dispose`. `location` says where it is, for a
 * test that runs the service as a process of its own (on PGlite, close `handle` first: one process at a time).
 */
export async function createTestDatabase(): Promise<{
  handle: DatabaseHandle;
  location: { databaseUrl: string } | { dataDir: string };
  dispose: () => Promise<void>;
}> {
  if (TEST_DATABASE_URL) {
    const name = `herbtrace_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (err) {
        // Two files cloning the template at the same instant: one waits and tries again.
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
    const databaseUrl = withDatabase(TEST_DATABASE_URL, name);
    const handle = openDatabase({ databaseUrl });
    return {
      handle,
      location: { databaseUrl },
      dispose: async () => {
        await handle.close();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const template = pgliteTemplateDir();
  if (!existsSync(template)) await prepareTemplate(); // a single file run without tap's before step
  const dir = mkdtempSync(path.join(SCRATCH_ROOT, 'herbtrace-test-'));
  cpSync(template, dir, { recursive: true });
  const handle = openDatabase({ dataDir: dir });
  return {
    handle,
    location: { dataDir: dir },
    dispose: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
