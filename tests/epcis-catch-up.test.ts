// EPCIS queries catch the index up before they answer, but look first (without the consumer's lock) whether there
// is anything to index. The guarantee stays: a query sees every event committed before it started, also when an
// older transaction elsewhere on the server holds the queue back. On PostgreSQL, with a second connection: a query
// with nothing new does not wait for the consumer's lock; one with something new does.
import t, { type Test } from 'tap';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { EPCIS_CONSUMER } from '../src/modules/epcis/epcis-index.js';
import { committedUnindexedTail } from '../src/modules/epcis/epcis.repository.js';
import { makeCreditCode } from './support/app.js';
import { BASE, codedChain } from './support/codes.js';
import { TEST_DATABASE_URL } from './support/databases.js';

const w = await codedChain(t);
const { app, c, coop, database } = w;
const regulator = await w.createOrganization({ name: '追赶药监局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });

/** The HerbTrace event ids a regulator's query returns. */
async function queried(): Promise<Set<string>> {
  const res = await app.inject({ method: 'GET', url: '/epcis/events?perPage=1000', headers: regulator.headers });
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return new Set((res.json().epcisBody.queryResults.resultsBody.eventList as { 'herbtrace:event': string }[]).map((e) => e['herbtrace:event'].slice(`${BASE}/v1/events/`.length)));
}
const observe = async (text: string) => (await c.call('POST', `/v1/lots/${w.dried.id}/events`, coop.headers, { type: 'note', occurredAt: '2024-10-11T08:00:00+08:00', data: { text } })).id as string;
const allEvents = async () => (await queryRows<{ id: string }>(database.db, sql`select id from events`)).map((r) => r.id);

t.test('a query sees every event committed before it, each time', async (t) => {
  t.strictSame([...(await queried())].sort(), (await allEvents()).sort(), 'the first query backfills everything');
  for (let n = 0; n < 5; n++) {
    const id = await observe(`第${n}次`);
    t.ok((await queried()).has(id), `the event written just before query ${n}`);
  }
  t.strictSame([...(await queried())].sort(), (await allEvents()).sort(), 'and nothing else is missing');
});

const onPostgres = TEST_DATABASE_URL ? false : 'a second connection needs PostgreSQL (PGlite has one)';

/** Another client of the test file's PostgreSQL database (its name, for pg_locks), ended with the test. */
async function secondClient(t: Test) {
  const [{ name }] = (await queryRows<{ name: string }>(database.db, sql`select current_database() as name`)) as [{ name: string }];
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const other = postgres(url.toString(), { max: 2, onnotice: () => {} });
  t.teardown(() => other.end());
  return { name, other };
}

t.test('on PostgreSQL: the lock is skipped when nothing is new, taken when something is, and the held-back tail is seen', { skip: onPostgres }, async (t) => {
  const { name, other } = await secondClient(t);
  await queried();

  // Waits until some connection waits for an advisory lock in this database (true), or `done` settles (false).
  const waitsForLock = async (done: Promise<unknown>) => {
    let settled = false;
    void done.finally(() => (settled = true));
    while (!settled) {
      const [row] = await other`select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where d.datname = ${name} and l.locktype = 'advisory' and not l.granted`;
      if (row!.n > 0) return true;
      await new Promise((r) => setImmediate(r));
    }
    return false;
  };

  const holder = await other.reserve();
  try {
    await holder`select pg_advisory_lock(hashtextextended('event-consumer:epcis-index', 0))`;
    const idle = queried();
    t.equal(await waitsForLock(idle), false, 'with nothing new, the query answers while another holds the consumer lock');
    await idle;

    const id = await observe('锁');
    const busy = queried();
    t.equal(await waitsForLock(busy), true, 'with a new event, the query waits for the lock to index it');
    await holder`select pg_advisory_unlock(hashtextextended('event-consumer:epcis-index', 0))`;
    t.ok((await busy).has(id), 'and then answers with it');
  } finally {
    holder.release();
  }

  // An older transaction still running on the server holds the queue back: the event committed after it began is
  // above the queue's horizon, and the query indexes it all the same.
  const old = await other.reserve();
  try {
    await old`begin`;
    await old`select pg_current_xact_id()`;
    const id = await observe('尾');
    t.ok((await queried()).has(id), 'the committed tail above the horizon is seen');
    t.ok((await queried()).has(id), 'and seen again (indexed once)');
    await old`rollback`;
  } finally {
    old.release();
  }
  const [{ n }] = (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from epcis_events`)) as [{ n: number }];
  t.equal(n, (await allEvents()).length, 'every event indexed once');
});

// A catch-up drains up to the queue's horizon, then indexes the tail above it. When an old transaction elsewhere on
// the server ends in between, the horizon moves past events that were above it for the drain: the tail must still
// have them, or the query misses an event committed before it (seen once in the PostgreSQL suite, test 1 above).
t.test('on PostgreSQL: the tail has the events a moved horizon left behind', { skip: onPostgres }, async (t) => {
  const { other } = await secondClient(t);
  await queried();
  const old = await other.reserve();
  let id: string;
  try {
    await old`begin`;
    await old`select pg_current_xact_id()`;
    id = await observe('界');
    await old`commit`;
  } finally {
    old.release();
  }
  // The horizon is past the event now (unless another test file's transaction still holds it back), and no drain
  // has taken it.
  const tail = await database.db.transaction((tx) => committedUnindexedTail(tx, EPCIS_CONSUMER, 1000));
  t.ok(tail.some((r) => r.id === id), 'the committed, unindexed event is in the tail');
  t.ok((await queried()).has(id), 'and the query has it');
});
