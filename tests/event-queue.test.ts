// The event queue: every committed event reaches each consumer exactly once, whatever order concurrent
// transactions commit in; a rolled-back event never does. The concurrency cases need PostgreSQL (PGlite has one
// connection, so its transactions cannot overlap).
import t from 'tap';
import { sql } from 'drizzle-orm';
import type { OrganizationActor } from '../src/access/actor.js';
import { queryRows, type Database } from '../src/db/client.js';
import { drainEvents, recordEvent, type EventRecord } from '../src/events/index.js';
import { setupApp } from './support/app.js';
import { TEST_DATABASE_URL } from './support/databases.js';

const { database, createOrganization } = await setupApp(t);
const org = await createOrganization({ name: '事件队列合作社' });
const actor: OrganizationActor = {
  kind: 'organization',
  organizationId: org.organization.id,
  organizationName: org.organization.name,
  organizationKinds: org.organization.kinds,
  role: 'owner',
  keyId: 'key_testqueue000000',
  userId: null,
};
const note = (db: Database, text: string) =>
  recordEvent(db, actor, { type: 'note', occurredAt: { at: new Date(), offsetMinutes: 480 }, data: { text }, lots: [] });

/** Drains a consumer until nothing is ready; returns what it got, in order. */
async function drainAll(consumer: string): Promise<EventRecord[]> {
  const got: EventRecord[] = [];
  while ((await drainEvents(database.db, consumer, async (_tx, records) => void got.push(...records), 7)) > 0);
  return got;
}

/**
 * Drains until `count` events have come (or 15 s passed). The queue waits for the oldest transaction running
 * anywhere on the server, other test files' databases included, so events may come a moment after their commit.
 */
async function drainCount(consumer: string, count: number): Promise<EventRecord[]> {
  const got: EventRecord[] = [];
  const deadline = Date.now() + 15_000;
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await drainAll(consumer)));
    if (got.length < count) await new Promise((r) => setTimeout(r, 20));
  }
  return got;
}

t.test('committed events reach every consumer once, in order; rolled-back ones never', async (t) => {
  await drainAll('queue-test-a');
  await drainAll('queue-test-b');
  const first = await note(database.db, 'one');
  const second = await note(database.db, 'two');
  await database.db
    .transaction(async (tx) => {
      await note(tx, 'rolled back');
      throw new Error('roll back');
    })
    .catch(() => undefined);
  const third = await note(database.db, 'three');

  const a = await drainCount('queue-test-a', 3);
  t.strictSame(a.map((r) => r.id), [first.id, second.id, third.id], 'consumer a: the three committed events, in order');
  t.strictSame(a.map((r) => r.data.text), ['one', 'two', 'three']);
  t.equal(a[0]!.actor.keyId, actor.keyId, 'the record names the key that recorded it');
  t.equal(a[0]!.organization.id, actor.organizationId);
  t.strictSame(await drainAll('queue-test-a'), [], 'nothing is delivered twice');
  const b = await drainCount('queue-test-b', 3);
  t.strictSame(b.map((r) => r.id), a.map((r) => r.id), 'consumer b gets the same events independently');

  // A handler that fails leaves the position where it was: the events come again.
  await note(database.db, 'four');
  await drainEvents(database.db, 'queue-test-a', async () => {
    throw new Error('consumer failed');
  }).catch(() => undefined);
  t.strictSame((await drainCount('queue-test-a', 1)).map((r) => r.data.text), ['four'], 'redelivered after a failed handler');
});

const needsPostgres = TEST_DATABASE_URL ? false : 'overlapping transactions need PostgreSQL: PGlite has one connection';

t.test('a transaction that began first and commits last is waited for, not skipped', { skip: needsPostgres }, async (t) => {
  await drainAll('queue-order');
  let releaseA!: () => void;
  const aMayCommit = new Promise<void>((r) => (releaseA = r));
  let aWrote!: () => void;
  const aHasWritten = new Promise<void>((r) => (aWrote = r));
  let aId = '';
  const a = database.db.transaction(async (tx) => {
    aId = (await note(tx, 'A began first')).id;
    aWrote();
    await aMayCommit;
  });
  await aHasWritten;
  const b = await note(database.db, 'B committed first');

  const early = await drainAll('queue-order');
  t.notOk(early.some((r) => r.id === b.id), 'B is held back while the older transaction A is still open');
  releaseA();
  await a;
  const later = await drainCount('queue-order', 2);
  t.strictSame(later.filter((r) => r.id === aId || r.id === b.id).map((r) => r.id), [aId, b.id], 'then both, A first: nothing skipped');
  t.strictSame(await drainAll('queue-order'), []);
});

t.test('concurrent writers and a concurrent consumer: every committed event exactly once', { skip: needsPostgres }, async (t) => {
  await drainAll('queue-stress');
  const committed = new Set<string>();
  const rolledBack = new Set<string>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const writer = async (w: number) => {
    for (let i = 0; i < 25; i++) {
      const ids: string[] = [];
      const rollBack = (w + i) % 9 === 0;
      await database.db
        .transaction(async (tx) => {
          const n = 1 + ((w * 7 + i) % 3);
          for (let k = 0; k < n; k++) {
            ids.push((await note(tx, `w${w} t${i} e${k}`)).id);
            await sleep((w * 13 + i * 7 + k) % 5);
          }
          if (rollBack) throw new Error('roll back');
        })
        .catch(() => undefined);
      for (const id of ids) (rollBack ? rolledBack : committed).add(id);
    }
  };
  const delivered: string[] = [];
  let writing = true;
  const consumer = (async () => {
    while (writing) {
      await drainEvents(database.db, 'queue-stress', async (_tx, records) => void delivered.push(...records.map((r) => r.id)), 5);
      await sleep(1);
    }
  })();
  await Promise.all([0, 1, 2, 3, 4, 5].map(writer));
  writing = false;
  await consumer;
  delivered.push(...(await drainCount('queue-stress', committed.size - delivered.filter((id) => committed.has(id)).length)).map((r) => r.id));

  t.ok(committed.size > 100, `${committed.size} events committed by 6 writers`);
  t.ok(rolledBack.size > 0, `${rolledBack.size} rolled back`);
  // Events of earlier tests may still have been on their way when this one started: only this test's count.
  const ours = delivered.filter((id) => committed.has(id) || rolledBack.has(id));
  t.equal(new Set(delivered).size, delivered.length, 'no event delivered twice');
  t.strictSame([...ours].sort(), [...committed].sort(), 'every committed event delivered, no rolled-back one');
  const stored = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from events where data->>'text' like 'w%'`);
  t.equal(Number(stored[0]!.n), committed.size, 'the store holds exactly the committed events');
});
