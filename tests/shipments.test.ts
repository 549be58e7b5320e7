import t from 'tap';
import type { InjectOptions } from 'fastify';
import { and, count, eq } from 'drizzle-orm';
import { lotEdges, lots, shipmentLines, shipments } from '../src/db/schema.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { chainSnapshot, refusalChecker } from './support/chain-state.js';
import { expectProblem, isRecentTimestamp, listAll } from './support/http.js';

// Shipments: custody leaves in two steps (dispatch, then receive or refuse); a refused request writes nothing.
const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
type Headers = Record<string, string>;


const refused = refusalChecker(app, database);
const snapshot = () => chainSnapshot(database);

const post = (headers: Headers, url: string, payload?: unknown): InjectOptions => ({
  method: 'POST', url, headers, ...(payload !== undefined ? { payload: payload as object } : {}),
});
const getLot = (headers: Headers, id: string) => c.get(headers, `/v1/lots/${id}`);
const timelineOf = async (headers: Headers, id: string) =>
  ((await c.get(headers, `/v1/lots/${id}/timeline?scope=lot`)).items as { type: string; role: string; data: Record<string, unknown>; organization: { id: string } }[]);

const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
const processor = await createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
const third = await createOrganization({ name: '第三方物流', kinds: ['logistics'] });
const regulator = await createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'] });
const coopSite = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地' });
const processorSite = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江工厂', regionCode: '220582' });
const thirdSite = await c.site(third.headers, { kind: 'warehouse', name: '物流仓库' });

const seed = await c.lot(coop.headers, {
  stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: coopSite.id, quantity: kg(1000), producedAt: '2024-03-01T08:00:00+08:00',
});
let counter = 0;
/** A fresh harvest lot of `amount` kg held by the cooperative. */
async function harvestLot(amount: number | string, lotNumber = `HV-${++counter}`) {
  const tr = await c.transform(coop.headers, {
    occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(amount) }],
    outputs: [{ stage: 'seed', lotNumber: `SL-${lotNumber}`, quantity: kg(amount) }],
  });
  const tr2 = await c.transform(coop.headers, {
    occurredAt: '2024-09-02T08:00:00+08:00', inputs: [{ lotId: tr.outputs[0].id, quantity: kg(amount) }],
    outputs: [{ stage: 'cultivation', lotNumber: `CU-${lotNumber}`, quantity: kg(amount) }],
  });
  const tr3 = await c.transform(coop.headers, {
    occurredAt: '2024-09-03T08:00:00+08:00', inputs: [{ lotId: tr2.outputs[0].id, quantity: kg(amount) }],
    outputs: [{ stage: 'harvest', lotNumber, quantity: kg(amount) }],
  });
  return tr3.outputs[0];
}
const ship = (from: Headers, to: string, lines: unknown[], shippedAt = '2024-09-10T08:00:00+08:00') =>
  c.ship(from, { toOrganizationId: to, lines, shippedAt });

t.test('a whole-lot shipment: the same lot travels, in transit until received', async (t) => {
  const lot = await harvestLot(100);
  const res = await app.inject(post(coop.headers, '/v1/shipments', {
    toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00', note: '冷链车 吉A12345',
  }));
  t.equal(res.statusCode, 201, res.body);
  const shipment = res.json();
  t.equal(res.headers.location, `/v1/shipments/${shipment.id}`);
  t.match(shipment.id, /^shp_/);
  t.match(shipment, {
    status: 'in_transit',
    fromOrganization: { id: coop.organization.id, name: '松岭合作社' },
    toOrganization: { id: processor.organization.id, name: '鸭江加工厂' },
    shippedAt: '2024-09-10T08:00:00.000+08:00',
    closedAt: null,
  });
  t.ok(isRecentTimestamp(shipment.createdAt));
  t.same(shipment.lines, [{ lotId: lot.id, sourceLotId: lot.id, quantity: { value: 100, unit: 'kg' } }]);

  const travelling = await getLot(coop.headers, lot.id);
  t.match(travelling, { holder: { id: coop.organization.id }, inTransit: { shipmentId: shipment.id, toOrganizationId: processor.organization.id }, remaining: { value: 100, unit: 'kg' } });
  t.match(await getLot(processor.headers, lot.id), { inTransit: { shipmentId: shipment.id } }, 'the receiver reads the lot coming to it');
  const [row] = await database.db.select().from(lots).where(eq(lots.id, lot.id));
  t.equal(row!.shipmentId, shipment.id);
  t.equal(row!.holderId, coop.organization.id);
  t.equal((await database.db.select({ n: count() }).from(lots).where(eq(lots.lotNumber, `${lot.lotNumber}-1`)))[0]!.n, 0, 'no child lot for a whole lot');
  const lines = await database.db.select().from(shipmentLines).where(eq(shipmentLines.shipmentId, shipment.id));
  t.same(lines.map((l) => [l.lotId, l.sourceLotId, l.quantity, l.unit]), [[lot.id, lot.id, '100.000', 'kg']]);

  const timeline = await timelineOf(coop.headers, lot.id);
  const dispatched = timeline.at(-1)!;
  t.match(dispatched, { type: 'shipment_dispatched', role: 'shipped', organization: { id: coop.organization.id }, data: { shipmentId: shipment.id, toOrganizationId: processor.organization.id, note: '冷链车 吉A12345' } });

  // A quantity equal to what remains is also a whole-lot shipment.
  const lot2 = await harvestLot(40);
  const again = await ship(coop.headers, processor.organization.id, [{ lotId: lot2.id, quantity: { value: 40000, unit: 'g' } }]);
  t.same(again.lines, [{ lotId: lot2.id, sourceLotId: lot2.id, quantity: { value: 40, unit: 'kg' } }]);
});

t.test('a partial shipment splits off a child lot that travels', async (t) => {
  const lot = await harvestLot(100, 'PART');
  const before = await snapshot();
  const shipment = await ship(coop.headers, processor.organization.id, [{ lotId: lot.id, quantity: { value: 30000, unit: 'g' } }]);
  const line = shipment.lines[0];
  t.not(line.lotId, lot.id);
  t.equal(line.sourceLotId, lot.id);
  t.same(line.quantity, { value: 30, unit: 'kg' });

  const parent = await getLot(coop.headers, lot.id);
  t.match(parent, { remaining: { value: 70, unit: 'kg' }, quantity: { value: 100, unit: 'kg' }, inTransit: null, holder: { id: coop.organization.id } });
  const child = await getLot(coop.headers, line.lotId);
  t.match(child, {
    lotNumber: 'PART-1', stage: 'harvest', speciesCode: 'renshen', quantity: { value: 30, unit: 'kg' }, remaining: { value: 30, unit: 'kg' },
    producer: { id: coop.organization.id }, holder: { id: coop.organization.id }, status: 'active', origin: { type: 'chain' },
    inTransit: { shipmentId: shipment.id, toOrganizationId: processor.organization.id }, producedAt: lot.producedAt, site: { id: coopSite.id },
  });

  const after = await snapshot();
  t.equal(after.counts.lots, before.counts.lots! + 1, 'one child lot');
  t.equal(after.counts.lotEdges, before.counts.lotEdges! + 1, 'one edge');
  t.equal(after.counts.shipments, before.counts.shipments! + 1);
  t.equal(after.counts.events, before.counts.events! + 2, 'a split event and a dispatch event');
  const edges = await database.db.select().from(lotEdges).where(eq(lotEdges.childLotId, child.id));
  t.same(edges.map((e) => [e.parentLotId, e.parentQuantity, e.parentUnit]), [[lot.id, '30.000', 'kg']]);

  const parentTimeline = await timelineOf(coop.headers, lot.id);
  t.match(parentTimeline.at(-1), { type: 'split', role: 'input', data: { reason: 'partial shipment', shipmentId: shipment.id, from: lot.id, to: child.id, quantity: { value: 30, unit: 'kg' } } });
  t.notOk(parentTimeline.some((e) => e.type === 'shipment_dispatched'), 'the parent itself did not travel');
  t.same((await timelineOf(coop.headers, child.id)).map((e) => `${e.type}:${e.role}`), ['split:output', 'shipment_dispatched:shipped']);

  // A second partial shipment takes the next number; the parent stays usable.
  const second = await ship(coop.headers, third.organization.id, [{ lotId: lot.id, quantity: kg(20) }]);
  t.equal((await getLot(coop.headers, second.lines[0].lotId)).lotNumber, 'PART-2');
  t.same((await getLot(coop.headers, lot.id)).remaining, { value: 50, unit: 'kg' });
  const used = await c.transform(coop.headers, {
    occurredAt: '2024-09-11T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(50) }], outputs: [{ stage: 'processed', lotNumber: 'PART-P', quantity: kg(40) }],
  });
  t.same(used.inputs[0].remaining, { value: 0, unit: 'kg' });
});

t.test('a shipment of several lines lands whole or not at all', async (t) => {
  const a = await harvestLot(50);
  const b = await harvestLot(10);
  // The first line splits a child off before the second line is found short: everything rolls back.
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: a.id, quantity: kg(10) }, { lotId: b.id, quantity: kg(11) }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    422,
    { rule: 'insufficient-quantity', path: 'body/lines/1/quantity' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: a.id, quantity: kg(10) }, { lotId: b.id, quantity: { value: 1, unit: 'box' } }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    422,
    { rule: 'unit-mismatch' },
  );
  t.same((await getLot(coop.headers, a.id)).remaining, { value: 50, unit: 'kg' });
  const ok = await ship(coop.headers, processor.organization.id, [{ lotId: a.id, quantity: kg(10) }, { lotId: b.id }]);
  t.equal(ok.lines.length, 2);
  t.equal(ok.lines[1].lotId, b.id);
  t.equal((await getLot(coop.headers, ok.lines[0].lotId)).lotNumber, `${a.lotNumber}-1`, 'the number freed by the rollback is used');
});

t.test('receive: custody passes to the receiver, at its site', async (t) => {
  const lot = await harvestLot(60);
  const shipment = await ship(coop.headers, processor.organization.id, [{ lotId: lot.id, quantity: kg(25) }]);
  const childId = shipment.lines[0].lotId;

  const foreign = await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/receive`, { siteId: coopSite.id }), 422, { rule: 'site-ownership', path: 'body/siteId' });
  // An unknown site answers like another organisation's: site ids reveal nothing.
  const unknown = await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/receive`, { siteId: 'site_nosuchsite00000' }), 422, { rule: 'site-ownership', path: 'body/siteId' });
  t.equal(unknown.detail.replace('site_nosuchsite00000', '<id>'), foreign.detail.replace(coopSite.id, '<id>'), 'the same detail apart from the id');
  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/receive`, { receivedAt: '2024-09-12T08:00:00' }), 400, { path: 'body/receivedAt' });
  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/receive`, { siteId: processorSite.id, bonus: true }), 400, { path: 'body/bonus' });

  const received = await c.receive(processor.headers, shipment.id, { siteId: processorSite.id, receivedAt: '2024-09-12T17:30:00+08:00' });
  t.match(received, { id: shipment.id, status: 'received', closedAt: '2024-09-12T17:30:00.000+08:00' });
  const lot2 = await getLot(processor.headers, childId);
  t.match(lot2, {
    holder: { id: processor.organization.id, name: '鸭江加工厂' }, producer: { id: coop.organization.id }, inTransit: null,
    site: { id: coopSite.id }, currentSite: { id: processorSite.id, name: '鸭江工厂' }, remaining: { value: 25, unit: 'kg' },
  }, 'site stays where it was produced; currentSite is where the receiver put it');
  const [row] = await database.db.select().from(lots).where(eq(lots.id, childId));
  t.match(row, { holderId: processor.organization.id, siteId: coopSite.id, locationSiteId: processorSite.id, shipmentId: null });
  const [shipmentRow] = await database.db.select().from(shipments).where(eq(shipments.id, shipment.id));
  t.equal(shipmentRow!.status, 'received');
  t.ok(shipmentRow!.closeEventId);
  t.match((await timelineOf(processor.headers, childId)).at(-1), { type: 'shipment_received', role: 'received', organization: { id: processor.organization.id }, data: { shipmentId: shipment.id, siteId: processorSite.id } });

  // The receiver uses it; the sender no longer can but still reads it.
  const made = await c.transform(processor.headers, {
    occurredAt: '2024-09-13T08:00:00+08:00', inputs: [{ lotId: childId, quantity: kg(25) }], outputs: [{ stage: 'processed', lotNumber: 'RCV-P', quantity: kg(20) }],
  });
  t.equal(made.outputs[0].site.id, processorSite.id);
  t.equal((await getLot(coop.headers, childId)).holder.id, processor.organization.id);
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: third.organization.id, lines: [{ lotId: childId }], shippedAt: '2024-09-14T08:00:00+08:00' }),
    422,
    { rule: 'custody' },
  );

  // Received without a siteId: custody still passes.
  const lot3 = await harvestLot(5);
  const s3 = await ship(coop.headers, processor.organization.id, [{ lotId: lot3.id }]);
  const r3 = await c.receive(processor.headers, s3.id);
  t.equal(r3.status, 'received');
  t.match(await getLot(processor.headers, lot3.id), { holder: { id: processor.organization.id }, inTransit: null });
});

t.test('refuse: the lots return to the sender, usable again', async (t) => {
  const whole = await harvestLot(30);
  const part = await harvestLot(30);
  const shipment = await ship(coop.headers, processor.organization.id, [{ lotId: whole.id }, { lotId: part.id, quantity: kg(10) }]);
  const childId = shipment.lines[1].lotId;

  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/refuse`, {}), 400, { path: 'body/reason' });
  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/refuse`, { reason: '' }), 400, { path: 'body/reason' });

  const res = await app.inject(post(processor.headers, `/v1/shipments/${shipment.id}/refuse`, { reason: '水分超标 15%', refusedAt: '2024-09-11T09:00:00+09:00' }));
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { id: shipment.id, status: 'refused', closedAt: '2024-09-11T09:00:00.000+09:00' });

  for (const id of [whole.id, childId]) {
    const lot = await getLot(coop.headers, id);
    t.match(lot, { holder: { id: coop.organization.id }, inTransit: null, status: 'active', site: { id: coopSite.id }, currentSite: null }, `${id} is back with the sender`);
    const [row] = await database.db.select({ shipmentId: lots.shipmentId, holderId: lots.holderId }).from(lots).where(eq(lots.id, id));
    t.same(row, { shipmentId: null, holderId: coop.organization.id });
    t.match((await timelineOf(coop.headers, id)).at(-1), { type: 'shipment_refused', role: 'returned', organization: { id: processor.organization.id }, data: { shipmentId: shipment.id, reason: '水分超标 15%' } });
  }
  t.equal((await c.get(coop.headers, `/v1/shipments/${shipment.id}`)).status, 'refused');

  // The receiver cannot use what it refused.
  await refused(
    t,
    post(processor.headers, '/v1/transformations', {
      occurredAt: '2024-09-12T08:00:00+08:00', siteId: processorSite.id, inputs: [{ lotId: whole.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'REF-X', quantity: kg(1) }],
    }),
    422,
    { rule: 'custody' },
  );
  // The sender can: transform one, ship the other elsewhere.
  const used = await c.transform(coop.headers, {
    occurredAt: '2024-09-12T08:00:00+08:00', inputs: [{ lotId: whole.id, quantity: kg(30) }], outputs: [{ stage: 'processed', lotNumber: 'REF-P', quantity: kg(25) }],
  });
  t.same(used.inputs[0].remaining, { value: 0, unit: 'kg' });
  const reshipped = await ship(coop.headers, third.organization.id, [{ lotId: childId }], '2024-09-12T09:00:00+08:00');
  t.same(reshipped.lines, [{ lotId: childId, sourceLotId: childId, quantity: { value: 10, unit: 'kg' } }]);
  t.same((await getLot(coop.headers, part.id)).remaining, { value: 20, unit: 'kg' }, 'a refused split stays split');
});

t.test('only the receiver receives or refuses, once', async (t) => {
  const lot = await harvestLot(10);
  const shipment = await ship(coop.headers, processor.organization.id, [{ lotId: lot.id }]);

  await refused(t, post(coop.headers, `/v1/shipments/${shipment.id}/receive`, {}), 403);
  await refused(t, post(coop.headers, `/v1/shipments/${shipment.id}/refuse`, { reason: 'x' }), 403);
  await refused(t, post(third.headers, `/v1/shipments/${shipment.id}/receive`, {}), 404);
  await refused(t, post(third.headers, `/v1/shipments/${shipment.id}/refuse`, { reason: 'x' }), 404);
  await refused(t, post(third.headers, `/v1/shipments/${shipment.id}/receive`, { siteId: thirdSite.id }), 404);
  await refused(t, post(regulator.headers, `/v1/shipments/${shipment.id}/receive`, {}), 404);
  await refused(t, post(processor.headers, '/v1/shipments/shp_nosuchshipment0/receive', {}), 404);
  await refused(t, post(processor.headers, '/v1/shipments/shp_nosuchshipment0/refuse', { reason: 'x' }), 404);
  await refused(t, { method: 'POST', url: `/v1/shipments/${shipment.id}/receive`, headers: {}, payload: {} }, 401);

  await c.receive(processor.headers, shipment.id, { siteId: processorSite.id });
  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/receive`, {}), 422, { rule: 'shipment-closed' });
  await refused(t, post(processor.headers, `/v1/shipments/${shipment.id}/refuse`, { reason: 'late' }), 422, { rule: 'shipment-closed' });

  const lot2 = await harvestLot(10);
  const s2 = await ship(coop.headers, processor.organization.id, [{ lotId: lot2.id }]);
  await c.call('POST', `/v1/shipments/${s2.id}/refuse`, processor.headers, { reason: '拒收' }, 200);
  await refused(t, post(processor.headers, `/v1/shipments/${s2.id}/refuse`, { reason: '拒收' }), 422, { rule: 'shipment-closed' });
  await refused(t, post(processor.headers, `/v1/shipments/${s2.id}/receive`, {}), 422, { rule: 'shipment-closed' });
  t.match(await getLot(coop.headers, lot2.id), { holder: { id: coop.organization.id }, inTransit: null });
});

t.test('bad shipments are refused and write nothing', async (t) => {
  const lot = await harvestLot(10);
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: coop.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    422,
    { rule: 'ship-to-self', path: 'body/toOrganizationId' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: 'org_nosuchorganizat', lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    400,
    { path: 'body/toOrganizationId' },
  );
  await refused(t, post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [], shippedAt: '2024-09-10T08:00:00+08:00' }), 400, { path: 'body/lines' });
  await refused(t, post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }] }), 400, { path: 'body/shippedAt' });
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: kg(11) }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    422,
    { rule: 'insufficient-quantity', path: 'body/lines/0/quantity' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00', carrier: 'SF' }),
    400,
    { path: 'body/carrier' },
  );
  await refused(t, { method: 'POST', url: '/v1/shipments', headers: {}, payload: { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' } }, 401);
  // The admin token is not an organisation.
  await refused(
    t,
    post({ authorization: 'Bearer test-admin-token-0123456789abcdef' }, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' }),
    403,
  );
  // An emptied lot has nothing to ship.
  await c.transform(coop.headers, {
    occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(10) }], outputs: [{ stage: 'processed', lotNumber: 'EMPTIED', quantity: kg(8) }],
  });
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-11T08:00:00+08:00' }),
    422,
    { rule: 'insufficient-quantity', path: 'body/lines/0/lotId' },
  );
});

t.test('reading shipments: sender, receiver and regulator; lists with filters', async (t) => {
  // Fresh parties so the lists are exactly known.
  const sender = await createOrganization({ name: '发货方', kinds: ['trader'] });
  const receiver = await createOrganization({ name: '收货方', kinds: ['manufacturer'] });
  const senderSite = await c.site(sender.headers, { kind: 'warehouse', name: '发货仓' });
  const root = await c.lot(sender.headers, {
    stage: 'processed', speciesCode: 'renshen', lotNumber: 'BUY-1', siteId: senderSite.id, quantity: kg(100), producedAt: '2024-09-01T08:00:00+08:00',
    origin: { type: 'external', supplierName: '亳州药材市场' },
  });
  const s1 = await ship(sender.headers, receiver.organization.id, [{ lotId: root.id, quantity: kg(10) }], '2024-09-10T08:00:00+08:00');
  const s2 = await ship(sender.headers, receiver.organization.id, [{ lotId: root.id, quantity: kg(10) }], '2024-09-11T08:00:00+08:00');
  const s3 = await ship(sender.headers, receiver.organization.id, [{ lotId: root.id, quantity: kg(10) }], '2024-09-12T08:00:00+08:00');
  await c.receive(receiver.headers, s1.id);
  await c.call('POST', `/v1/shipments/${s2.id}/refuse`, receiver.headers, { reason: '错发' }, 200);
  // And one back the other way, from the receiver.
  const s4 = await ship(receiver.headers, sender.organization.id, [{ lotId: s1.lines[0].lotId, quantity: kg(1) }], '2024-09-13T08:00:00+08:00');

  for (const who of [sender, receiver, regulator]) {
    const got = await c.get(who.headers, `/v1/shipments/${s1.id}`);
    t.match(got, { id: s1.id, status: 'received', fromOrganization: { id: sender.organization.id }, toOrganization: { id: receiver.organization.id } });
    t.same(got.lines, s1.lines);
  }
  const outsider = await createOrganization({ name: '局外人', kinds: ['retailer'] });
  for (const who of [third, coop, outsider]) {
    expectProblem(t, await app.inject({ method: 'GET', url: `/v1/shipments/${s1.id}`, headers: who.headers }), 404);
  }
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/shipments/shp_nosuchshipment0', headers: sender.headers }), 404);
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/shipments/${s1.id}` }), 401);

  const ids = (items: { id: string }[]) => items.map((s) => s.id);
  t.same(ids(await listAll(app, '/v1/shipments', sender.headers)), [s1.id, s2.id, s3.id, s4.id], 'all of a party’s shipments, oldest first');
  t.same(ids(await listAll(app, '/v1/shipments?direction=outgoing', sender.headers)), [s1.id, s2.id, s3.id]);
  t.same(ids(await listAll(app, '/v1/shipments?direction=incoming', sender.headers)), [s4.id]);
  t.same(ids(await listAll(app, '/v1/shipments?direction=incoming', receiver.headers)), [s1.id, s2.id, s3.id]);
  t.same(ids(await listAll(app, '/v1/shipments?direction=outgoing', receiver.headers)), [s4.id]);
  t.same(ids(await listAll(app, '/v1/shipments?direction=incoming&status=in_transit', receiver.headers)), [s3.id]);
  t.same(ids(await listAll(app, '/v1/shipments?status=received', receiver.headers)), [s1.id]);
  t.same(ids(await listAll(app, '/v1/shipments?status=refused', sender.headers)), [s2.id]);
  t.same(ids(await listAll(app, '/v1/shipments?status=in_transit', sender.headers)), [s3.id, s4.id]);
  t.same(ids(await listAll(app, '/v1/shipments', outsider.headers)), [], 'a third party sees none of them');
  const all = ids(await listAll(app, '/v1/shipments', regulator.headers));
  for (const s of [s1, s2, s3, s4]) t.ok(all.includes(s.id), `the regulator sees ${s.id}`);

  // Pages of one.
  const first = await c.get(sender.headers, '/v1/shipments?direction=outgoing&limit=1');
  t.same(ids(first.items), [s1.id]);
  t.type(first.nextCursor, 'string');
  const second = await c.get(sender.headers, `/v1/shipments?direction=outgoing&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`);
  t.same(ids(second.items), [s2.id]);

  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/shipments?direction=sideways', headers: sender.headers }), 400);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/shipments?status=lost', headers: sender.headers }), 400);

  // The lot list reflects custody: the receiver holds the lot of s1, not those of s2 (refused) or s3 (in transit).
  const held = await listAll<{ id: string }>(app, `/v1/lots?holder=${receiver.organization.id}`, receiver.headers);
  t.same(held.map((l) => l.id), [s1.lines[0].lotId, s4.lines[0].lotId], 'the lot of s1 and the part of it travelling back in s4');
  const stored = await database.db.select({ n: count() }).from(shipments).where(and(eq(shipments.fromOrganizationId, sender.organization.id), eq(shipments.status, 'in_transit')));
  t.equal(stored[0]!.n, 1);
});
