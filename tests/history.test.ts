import t from 'tap';
import type { Test } from 'tap';
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { eventLots, events, lotEdges, lots } from '../src/db/schema.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';

// Invariant 5: the history is append-only, enforced by the database itself, and every change is an event.
const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
type Headers = Record<string, string>;
const startedAt = Date.now();

/** The message of a rejected query, including the database's own message (drizzle wraps it as `cause`). */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.message) parts.push(e.message);
  }
  return parts.join(' | ');
}

async function refusedByDatabase(t: Test, query: SQL, label: string, pattern = /append-only/) {
  let error: unknown;
  try {
    await database.db.execute(query);
  } catch (e) {
    error = e;
  }
  t.ok(error, `${label}: rejected`);
  t.match(messages(error), pattern, `${label}: ${messages(error).slice(0, 160)}`);
}

async function history() {
  const db = database.db;
  return {
    events: await db.select().from(events).orderBy(asc(events.id)),
    eventLots: await db.select().from(eventLots).orderBy(asc(eventLots.eventId), asc(eventLots.lotId), asc(eventLots.role)),
    lotEdges: await db.select().from(lotEdges).orderBy(asc(lotEdges.parentLotId), asc(lotEdges.childLotId), asc(lotEdges.eventId)),
  };
}

const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
const processor = await createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
const regulator = await createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'] });
const coopSite = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地' });
const processorSite = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江工厂' });

interface Change {
  what: string;
  type: string;
  organizationId: string;
  occurredAt: string;
  lotId: string;
  role: string;
  headers: Headers;
}
const changes: Change[] = [];
/** Previous states of the history: each later state must contain every earlier row unchanged. */
const states: Awaited<ReturnType<typeof history>>[] = [await history()];
async function recorded(change: Change) {
  changes.push(change);
  states.push(await history());
}

// A chain with every kind of change.
const seed = await c.lot(coop.headers, {
  stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: coopSite.id, quantity: kg(100), producedAt: '2024-03-01T08:00:00+08:00',
});
await recorded({ what: 'commission', type: 'commissioned', organizationId: coop.organization.id, occurredAt: '2024-03-01T08:00:00.000+08:00', lotId: seed.id, role: 'output', headers: coop.headers });

const sowing = await c.transform(coop.headers, {
  occurredAt: '2024-04-01T06:30:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(100) }],
  outputs: [{ stage: 'cultivation', lotNumber: 'CU-1', quantity: { value: 1000, unit: 'plant' } }],
});
const bed = sowing.outputs[0];
await recorded({ what: 'transformation (input)', type: 'transformation', organizationId: coop.organization.id, occurredAt: '2024-04-01T06:30:00.000+08:00', lotId: seed.id, role: 'input', headers: coop.headers });
await recorded({ what: 'transformation (output)', type: 'transformation', organizationId: coop.organization.id, occurredAt: '2024-04-01T06:30:00.000+08:00', lotId: bed.id, role: 'output', headers: coop.headers });

const observation = await c.call('POST', `/v1/lots/${bed.id}/events`, coop.headers, { type: 'note', occurredAt: '2024-05-01T09:00:00+08:00', data: { text: '出苗整齐' } });
await recorded({ what: 'observation', type: 'note', organizationId: coop.organization.id, occurredAt: '2024-05-01T09:00:00.000+08:00', lotId: bed.id, role: 'subject', headers: coop.headers });

const harvest = (await c.transform(coop.headers, {
  occurredAt: '2024-09-18T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 1000, unit: 'plant' } }],
  outputs: [{ stage: 'harvest', lotNumber: 'HV-1', quantity: kg(400) }],
})).outputs[0];
await recorded({ what: 'harvest', type: 'transformation', organizationId: coop.organization.id, occurredAt: '2024-09-18T08:00:00.000+08:00', lotId: harvest.id, role: 'output', headers: coop.headers });

const partial = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: kg(100) }], shippedAt: '2024-09-19T06:00:00+08:00' });
const child = partial.lines[0].lotId;
await recorded({ what: 'split for a partial shipment', type: 'split', organizationId: coop.organization.id, occurredAt: '2024-09-19T06:00:00.000+08:00', lotId: harvest.id, role: 'input', headers: coop.headers });
await recorded({ what: 'shipment', type: 'shipment_dispatched', organizationId: coop.organization.id, occurredAt: '2024-09-19T06:00:00.000+08:00', lotId: child, role: 'shipped', headers: coop.headers });

await c.receive(processor.headers, partial.id, { siteId: processorSite.id, receivedAt: '2024-09-19T16:00:00+08:00' });
await recorded({ what: 'receive', type: 'shipment_received', organizationId: processor.organization.id, occurredAt: '2024-09-19T16:00:00.000+08:00', lotId: child, role: 'received', headers: processor.headers });

const second = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: kg(50) }], shippedAt: '2024-09-20T06:00:00+08:00' });
const refusedLot = second.lines[0].lotId;
await c.call('POST', `/v1/shipments/${second.id}/refuse`, processor.headers, { reason: '重复发货', refusedAt: '2024-09-20T10:00:00+08:00' }, 200);
await recorded({ what: 'refuse', type: 'shipment_refused', organizationId: processor.organization.id, occurredAt: '2024-09-20T10:00:00.000+08:00', lotId: refusedLot, role: 'returned', headers: coop.headers });

await c.call('POST', `/v1/lots/${harvest.id}/status`, coop.headers, { status: 'hold', reason: '待检', occurredAt: '2024-09-21T08:00:00+08:00' }, 200);
await recorded({ what: 'status by the holder', type: 'status_changed', organizationId: coop.organization.id, occurredAt: '2024-09-21T08:00:00.000+08:00', lotId: harvest.id, role: 'subject', headers: coop.headers });

await c.call('POST', `/v1/lots/${harvest.id}/status`, regulator.headers, { status: 'recalled', reason: '抽检不合格', occurredAt: '2024-09-22T08:00:00+08:00' }, 200);
await recorded({ what: 'recall by a regulator', type: 'status_changed', organizationId: regulator.organization.id, occurredAt: '2024-09-22T08:00:00.000+08:00', lotId: harvest.id, role: 'subject', headers: coop.headers });
await recorded({ what: 'recall cascade', type: 'status_changed', organizationId: regulator.organization.id, occurredAt: '2024-09-22T08:00:00.000+08:00', lotId: child, role: 'cascade', headers: processor.headers });

t.test('every change left an event with its organisation, occurredAt and recordedAt', async (t) => {
  for (const change of changes) {
    const timeline = (await c.get(change.headers, `/v1/lots/${change.lotId}/timeline?scope=lot`)).items as {
      id: string; type: string; role: string; organization: { id: string; name: string }; occurredAt: string; recordedAt: string;
    }[];
    const event = timeline.find((e) => e.type === change.type && e.role === change.role && e.occurredAt === change.occurredAt);
    if (!t.ok(event, `${change.what}: a ${change.type} event (${change.role}) in the timeline of the lot`)) continue;
    t.equal(event!.organization.id, change.organizationId, `${change.what}: the acting organisation`);
    t.type(event!.organization.name, 'string');
    const recordedAt = Date.parse(event!.recordedAt);
    t.ok(recordedAt >= startedAt - 1000 && recordedAt <= Date.now() + 1000, `${change.what}: recordedAt ${event!.recordedAt} is the server's time of storing`);

    const [row] = await database.db.select().from(events).where(eq(events.id, event!.id));
    t.equal(row!.organizationId, change.organizationId);
    t.equal(row!.occurredAt.getTime(), Date.parse(change.occurredAt), `${change.what}: occurredAt stored as the instant sent`);
    t.equal(row!.occurredAtOffset, 480, 'with its offset');
    t.equal(row!.recordedAt.toISOString(), event!.recordedAt);
    const links = await database.db.select().from(eventLots).where(eq(eventLots.eventId, event!.id));
    t.ok(links.some((l) => l.lotId === change.lotId && l.role === change.role), `${change.what}: linked to the lot`);
  }
  t.equal(changes.length, 12, 'commission, transformation (2), observation, harvest, split, dispatch, receive, refuse, hold, recall, cascade');
  t.equal(observation.type, 'note');

  // Every lot row names the event that created it, and that event lists it as an output.
  for (const lot of await database.db.select().from(lots)) {
    const links = await database.db.select().from(eventLots).where(eq(eventLots.eventId, lot.createdByEventId));
    t.ok(links.some((l) => l.lotId === lot.id && l.role === 'output'), `${lot.lotNumber}: created by ${lot.createdByEventId}`);
  }
  // Every edge names an event that concerns both its parent (input) and its child (output).
  for (const edge of await database.db.select().from(lotEdges)) {
    const links = await database.db.select().from(eventLots).where(eq(eventLots.eventId, edge.eventId));
    t.ok(links.some((l) => l.lotId === edge.parentLotId && l.role === 'input') && links.some((l) => l.lotId === edge.childLotId && l.role === 'output'), 'edge event links both lots');
  }
});

t.test('the application only ever appended: each earlier state is contained, unchanged, in the next', async (t) => {
  for (let i = 1; i < states.length; i++) {
    const [before, after] = [states[i - 1]!, states[i]!];
    for (const table of ['events', 'eventLots', 'lotEdges'] as const) {
      const later = new Set(after[table].map((r) => JSON.stringify(r)));
      const missing = before[table].filter((r) => !later.has(JSON.stringify(r)));
      t.same(missing, [], `step ${i} (${changes[i - 1]!.what}): no ${table} row changed or vanished`);
      t.ok(after[table].length >= before[table].length);
    }
  }
  t.ok(states.at(-1)!.events.length > states[0]!.events.length);
});

t.test('the database refuses UPDATE, DELETE and TRUNCATE on the history tables', async (t) => {
  const before = await history();
  t.ok(before.events.length > 0 && before.eventLots.length > 0 && before.lotEdges.length > 0, 'there are rows to change');
  const someEvent = before.events[0]!.id;
  const someEdge = before.lotEdges[0]!;

  await refusedByDatabase(t, sql`update events set type = 'edited'`, 'UPDATE events');
  await refusedByDatabase(t, sql`update events set data = '{}'::jsonb where id = ${someEvent}`, 'UPDATE one event');
  await refusedByDatabase(t, sql`update events set recorded_at = now() - interval '1 day' where id = ${someEvent}`, 'backdating recorded_at');
  await refusedByDatabase(t, sql`delete from events where id = ${someEvent}`, 'DELETE one event');
  await refusedByDatabase(t, sql`update event_lots set role = 'subject'`, 'UPDATE event_lots');
  await refusedByDatabase(t, sql`delete from event_lots`, 'DELETE event_lots');
  await refusedByDatabase(t, sql`delete from event_lots where event_id = ${someEvent}`, 'DELETE the links of one event');
  await refusedByDatabase(t, sql`update lot_edges set parent_quantity = parent_quantity + 1`, 'UPDATE lot_edges');
  await refusedByDatabase(t, sql`delete from lot_edges where child_lot_id = ${someEdge.childLotId}`, 'DELETE one edge');
  await refusedByDatabase(t, sql`delete from lot_edges`, 'DELETE lot_edges');
  await refusedByDatabase(t, sql`truncate event_lots`, 'TRUNCATE event_lots');
  await refusedByDatabase(t, sql`truncate lot_edges`, 'TRUNCATE lot_edges');
  await refusedByDatabase(t, sql`truncate events cascade`, 'TRUNCATE events CASCADE');
  // Tables that reference events (epcis_events, codes, …) make PostgreSQL refuse a plain TRUNCATE before the
  // trigger runs; either refusal keeps the history. CASCADE above reaches the trigger.
  await refusedByDatabase(t, sql`truncate events, event_lots, lot_edges`, 'TRUNCATE all three', /append-only|foreign key/);
  await refusedByDatabase(t, sql`truncate events`, 'TRUNCATE events', /append-only|foreign key/);

  // Inside a transaction, an attempt rolls the whole transaction back.
  let error: unknown;
  try {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into events (id, type, organization_id, occurred_at, occurred_at_offset, data, actor_kind) values ('evt_sneaky00000000', 'note', ${coop.organization.id}, now(), 0, '{}'::jsonb, 'api_key')`);
      await tx.execute(sql`delete from events where id = 'evt_sneaky00000000'`);
    });
  } catch (e) {
    error = e;
  }
  t.match(messages(error), /append-only/, 'a delete inside a transaction is refused too');

  t.same(await history(), before, 'the history is exactly as it was');

  // Appending is still allowed: the API keeps working.
  const obs = await c.call('POST', `/v1/lots/${child}/events`, processor.headers, { type: 'note', occurredAt: '2024-09-23T08:00:00+08:00', data: { text: '追加记录' } });
  const after = await history();
  t.equal(after.events.length, before.events.length + 1);
  t.ok(after.events.some((e) => e.id === obs.id));
});
