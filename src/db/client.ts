import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

/** The drizzle database (or a transaction: PgTransaction extends PgDatabase) on either driver. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  kind: 'pglite' | 'postgres';
  /** Primary: every write and every read that must see its own writes. */
  db: Database;
  /** Replica when DATABASE_READ_URL is set, otherwise the primary. */
  read: Database;
  migrate(): Promise<void>;
  /** Number of migrations in drizzle/ that are not yet applied to the database. */
  pendingMigrations(): Promise<number>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  databaseReadUrl?: string | undefined;
  /** PGlite data directory; `memory://` for a throw-away in-memory database. */
  dataDir?: string;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Arbitrary constant: replicas starting together take turns migrating.
const MIGRATION_LOCK_ID = 7_214_436_001;

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.databaseReadUrl);
  return openPglite(options.dataDir ?? './data');
}

/**
 * Connection settings for the service's PostgreSQL sessions. JIT is off: the graph queries have large cost
 * estimates (their row limits), which makes PostgreSQL spend ~0.7 s compiling a query that runs in 50 ms.
 */
export const POSTGRES_SESSION = { jit: 'off' } as const;

function openPostgres(url: string, readUrl: string | undefined): DatabaseHandle {
  const client = postgres(url, { max: 10, onnotice: () => {}, connection: POSTGRES_SESSION });
  const readClient = readUrl ? postgres(readUrl, { max: 10, onnotice: () => {}, connection: POSTGRES_SESSION }) : undefined;
  const db = drizzlePostgres({ client, schema }) as unknown as Database;
  const read = readClient ? (drizzlePostgres({ client: readClient, schema }) as unknown as Database) : db;
  return {
    kind: 'postgres',
    db,
    read,
    async migrate() {
      // One dedicated connection holds the advisory lock for the whole migration.
      const lockClient = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
        await migratePostgres(drizzlePostgres({ client: lockClient }), { migrationsFolder: MIGRATIONS_FOLDER });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
      } finally {
        await lockClient.end();
      }
    },
    pendingMigrations: () => countPendingMigrations(db),
    async close() {
      await client.end();
      await readClient?.end();
    },
  };
}

function openPglite(dataDir: string): DatabaseHandle {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    read: db,
    async migrate() {
      await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    pendingMigrations: () => countPendingMigrations(db),
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

/** A text[] parameter that binds the same way on postgres.js and PGlite (each value quoted and escaped). */
export const textArray = (values: readonly string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]`;

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite: this gives rows on both. */
export async function queryRows<T extends object>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

const dialect = new PgDialect();

/**
 * Like queryRows, but on PostgreSQL as a named prepared statement: parsed and planned once per connection
 * instead of on every call (drizzle's `execute` sends unnamed statements, which PostgreSQL plans each time; for
 * the multi-join scan statement planning cost more than running it). Only for hot statements outside
 * transactions whose plan does not hinge on the parameter values: PostgreSQL may switch a prepared statement
 * to a generic plan after five runs.
 */
export async function queryPrepared<T extends object>(db: Database, query: SQL): Promise<T[]> {
  const prepared = preparedOnPostgres(db, query);
  return prepared ? ((await prepared) as unknown as T[]) : queryRows<T>(db, query);
}

/**
 * queryPrepared with each row as an array of its columns in select order: thousands of small arrays cost the
 * garbage collector less than as many objects with named members (graph queries return a row per lot).
 */
export async function queryPreparedValues(db: Database, query: SQL): Promise<unknown[][]> {
  const prepared = preparedOnPostgres(db, query);
  if (prepared) return (await prepared.values()) as unknown[][];
  return (await queryRows<Record<string, unknown>>(db, query)).map((row) => Object.values(row));
}

/**
 * The query as a named prepared statement on the postgres.js client behind `db`; undefined on PGlite and inside
 * a transaction (whose drizzle handle does not expose the client), where the callers fall back to queryRows.
 */
function preparedOnPostgres(db: Database, query: SQL) {
  const client = (db as unknown as { $client?: { unsafe?: unknown } }).$client;
  if (!client || typeof client.unsafe !== 'function') return undefined;
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (client as postgres.Sql).unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
}

function journalEntryCount(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

async function countPendingMigrations(db: Database): Promise<number> {
  const expected = journalEntryCount();
  try {
    const rows = await queryRows<{ applied: number | string }>(
      db,
      sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
    );
    return Math.max(0, expected - Number(rows[0]?.applied ?? 0));
  } catch {
    return expected; // the migrations table does not exist yet
  }
}
