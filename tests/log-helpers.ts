// The verifier (src/modules/tlog/verifier.ts) over app.inject, for the log tests: the same checks
// `npm run verify` makes over HTTP, so each rule lives in one place.
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/db/client.js';
import { LogVerifier, type OpenedCheckpoint, type VerifierFetch, type VerifierOptions } from '../src/modules/tlog/index.js';

type App = Pick<FastifyInstance, 'inject'>;

export const ORIGIN = 'trace.example.cn/log';

/** A fetch that answers through app.inject (the base URL's host is ignored). */
export function injectFetch(app: App): VerifierFetch {
  return async (url, init = {}) => {
    const { pathname, search } = new URL(url);
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: pathname + search,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { payload: init.body } : {}),
    });
    const raw = res.rawPayload;
    return {
      status: res.statusCode,
      headers: { get: (name: string) => (res.headers[name.toLowerCase()] === undefined ? null : String(res.headers[name.toLowerCase()])) },
      text: async () => res.body,
      arrayBuffer: async () => raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer,
    };
  };
}

/** The verifier of the app's log, pinned to `vkey`. */
export function verifierFor(app: App, vkey: string, options: Partial<VerifierOptions> = {}): LogVerifier {
  return new LogVerifier({ baseUrl: 'http://herbtrace.test', verifierKey: vkey, origin: ORIGIN, fetch: injectFetch(app), ...options });
}

export async function fetchKey(app: App): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/log/key' });
  if (res.statusCode !== 200) throw new Error(`GET /log/key → ${res.statusCode}`);
  return res.body.trim();
}

export async function fetchCheckpoint(app: App, vkey: string): Promise<OpenedCheckpoint> {
  return (await verifierFor(app, vkey).checkpoint()).opened;
}

/** The full audit of the checkpoint's tree: what failed (none when the tiles and bundles rebuild its root). */
export async function auditTree(app: App, vkey: string, opened: OpenedCheckpoint): Promise<{ problems: string[] }> {
  const findings = await verifierFor(app, vkey).audit(opened.checkpoint);
  return { problems: findings.map((f) => f.message) };
}

export interface ProofAnswer {
  eventId: string;
  index: number;
  salt: string;
  commitment: string;
  record: Record<string, unknown>;
  proof: string;
}

/** What the verifier concludes from an event's proof answer: null when it holds, else why, naming the event. */
export async function checkEventProof(app: App, answer: ProofAnswer, vkey: string): Promise<string | null> {
  const verifier = verifierFor(app, vkey);
  const { opened } = await verifier.checkpoint();
  return (await verifier.checkEventProof(answer, opened.checkpoint))?.message ?? null;
}

/**
 * Sequencing steps until every committed event is in the log: on PostgreSQL the queue waits for the oldest
 * transaction running anywhere on the server (other test files' databases included, whose hosts run meanwhile).
 * Gives up after a minute with what held it back, rather than returning a log that is short.
 */
export async function sequenceEverything(app: Pick<FastifyInstance, 'verifiableLog'>, db: Database) {
  // Events without an entry, not a count against the tree size: a test that deletes a logged event behind the
  // service's back and adds another leaves the counts equal with the new one still outside.
  const outside = async () =>
    Number((await queryRows<{ n: number }>(db, sql`select count(*)::int as n from events e where not exists (select 1 from log_entries l where l.event_id = e.id)`))[0]!.n);
  const deadline = Date.now() + 60_000;
  let step = await app.verifiableLog.sequence();
  for (let missing = await outside(); missing > 0; missing = await outside()) {
    if (Date.now() > deadline) throw new Error(`${missing} events still outside the log after a minute; ${await oldestTransactions(db)}`);
    await new Promise((r) => setTimeout(r, 20));
    step = await app.verifiableLog.sequence();
  }
  return step;
}

/** The transactions that hold the queue's horizon back, oldest first (on PostgreSQL; PGlite's one connection never waits). */
async function oldestTransactions(db: Database): Promise<string> {
  try {
    const rows = await queryRows<{ datname: string; state: string; age: string; query: string }>(
      db,
      sql`select datname, state, (now() - xact_start)::text as age, left(query, 120) as query from pg_stat_activity
          where backend_xid is not null or backend_xmin is not null order by xact_start limit 5`,
    );
    return `oldest transactions: ${JSON.stringify(rows)}`;
  } catch {
    return 'the running transactions could not be read';
  }
}
