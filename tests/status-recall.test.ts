import t from 'tap';
import type { InjectOptions } from 'fastify';
import { eq, inArray } from 'drizzle-orm';
import { events, lots } from '../src/db/schema.js';
import { adminHeaders, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { chainSnapshot, refusalChecker } from './support/chain-state.js';
import { isRecentTimestamp } from './support/http.js';

// Lot status (hold, release, recall, destroy), the recall cascade, and observations on lots.
const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
type Headers = Record<string, string>;


const refused = refusalChecker(app, database);
const snapshot = () => chainSnapshot(database);

const post = (headers: Headers, url: string, payload: unknown): InjectOptions => ({ method: 'POST', url, headers, payload: payload as object });
const setStatus = (headers: Headers, id: string, body: Record<string, unknown>) => c.call('POST', `/v1/lots/${id}/status`, headers, body, 200);
const statusRequest = (headers: Headers, id: string, status: string, reason = '抽检') => post(headers, `/v1/lots/${id}/status`, { status, reason });
const getLot = (headers: Headers, id: string) => c.get(headers, `/v1/lots/${id}`);
type TimelineEvent = { id: string; type: string; role: string; organization: { id: string; name: string }; occurredAt: string; recordedAt: string; data: Record<string, unknown> };
const timelineOf = async (headers: Headers, id: string) => (await c.get(headers, `/v1/lots/${id}/timeline?scope=lot`)).items as TimelineEvent[];

const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
const processor = await createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
const maker = await createOrganization({ name: '松鹤制药', kinds: ['manufacturer'] });
const pharmacy = await createOrganization({ name: '春和大药房', kinds: ['retailer'] });
const regulator = await createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'] });
const stranger = await createOrganization({ name: '无关公司', kinds: ['trader'] });
const coopSite = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地' });
const processorSite = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江工厂' });
const makerSite = await c.site(maker.headers, { kind: 'processing_plant', name: '松鹤车间' });

const seed = await c.lot(coop.headers, {
  stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: coopSite.id, quantity: kg(1000), producedAt: '2024-03-01T08:00:00+08:00',
});
const bed = (await c.transform(coop.headers, {
  occurredAt: '2024-04-01T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(500) }],
  outputs: [{ stage: 'cultivation', lotNumber: 'CU-1', quantity: { value: 10000, unit: 'plant' } }],
})).outputs[0];
let counter = 0;
/** A fresh harvest lot of the cooperative, made from the bed. */
async function harvestLot(amount: number) {
  const n = ++counter;
  return (await c.transform(coop.headers, {
    occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 100, unit: 'plant' } }],
    outputs: [{ stage: 'harvest', lotNumber: `HV-${n}`, quantity: kg(amount) }],
  })).outputs[0];
}
const transformRequest = (headers: Headers, lotId: string, lotNumber: string, extra: Record<string, unknown> = {}) =>
  post(headers, '/v1/transformations', {
    occurredAt: '2024-12-20T08:00:00+08:00', inputs: [{ lotId, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber, quantity: kg(1) }], ...extra,
  });
const shipRequest = (headers: Headers, lotId: string, to: string, quantity?: unknown) =>
  post(headers, '/v1/shipments', { toOrganizationId: to, lines: [{ lotId, ...(quantity ? { quantity } : {}) }], shippedAt: '2024-12-20T08:00:00+08:00' });

t.test('hold blocks a lot; release makes it usable again', async (t) => {
  const lot = await harvestLot(50);
  const held = await setStatus(coop.headers, lot.id, { status: 'hold', reason: '待检：农残', occurredAt: '2024-09-05T10:00:00+08:00' });
  t.match(held, { eventId: /^evt_/, lot: { id: lot.id, status: 'hold' }, cascaded: [] });
  const [row] = await database.db.select({ status: lots.status }).from(lots).where(eq(lots.id, lot.id));
  t.equal(row!.status, 'hold');
  t.match((await timelineOf(coop.headers, lot.id)).at(-1), {
    id: held.eventId, type: 'status_changed', role: 'subject', organization: { id: coop.organization.id }, occurredAt: '2024-09-05T10:00:00.000+08:00',
    data: { from: 'active', to: 'hold', reason: '待检：农残' },
  });

  await refused(t, transformRequest(coop.headers, lot.id, 'HOLD-T'), 422, { rule: 'blocked-lot', path: 'body/inputs/0/lotId' });
  await refused(t, shipRequest(coop.headers, lot.id, processor.organization.id), 422, { rule: 'blocked-lot', path: 'body/lines/0/lotId' });
  await refused(t, shipRequest(coop.headers, lot.id, processor.organization.id, kg(5)), 422, { rule: 'blocked-lot' });
  await refused(t, statusRequest(coop.headers, lot.id, 'hold'), 422, { rule: 'status-transition', path: 'body/status' });

  const released = await setStatus(coop.headers, lot.id, { status: 'active', reason: '检测合格' });
  t.match(released, { lot: { status: 'active' }, cascaded: [] });
  const made = await c.transform(coop.headers, {
    occurredAt: '2024-12-20T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(10) }], outputs: [{ stage: 'processed', lotNumber: 'HOLD-T', quantity: kg(8) }],
  });
  t.same(made.inputs[0].remaining, { value: 40, unit: 'kg' });
  const shipped = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: kg(5) }], shippedAt: '2024-12-21T08:00:00+08:00' });
  t.equal(shipped.status, 'in_transit');
  t.same((await timelineOf(coop.headers, lot.id)).filter((e) => e.type === 'status_changed').map((e) => `${e.data.from}→${e.data.to}`), ['active→hold', 'hold→active']);
});

t.test('invalid status transitions are refused', async (t) => {
  const destroyed = await harvestLot(5);
  await setStatus(coop.headers, destroyed.id, { status: 'destroyed', reason: '霉变销毁' });
  for (const to of ['active', 'hold', 'recalled', 'destroyed']) {
    const p = await refused(t, statusRequest(coop.headers, destroyed.id, to), 422, { rule: 'status-transition', path: 'body/status' });
    t.match(p.detail, `destroyed lot cannot be set to ${to}`);
  }
  await refused(t, transformRequest(coop.headers, destroyed.id, 'DESTROYED-T'), 422, { rule: 'blocked-lot' });

  const recalled = await harvestLot(5);
  await setStatus(coop.headers, recalled.id, { status: 'recalled', reason: '重金属超标' });
  for (const to of ['active', 'hold', 'recalled']) {
    await refused(t, statusRequest(coop.headers, recalled.id, to), 422, { rule: 'status-transition' });
  }
  const gone = await setStatus(coop.headers, recalled.id, { status: 'destroyed', reason: '召回后销毁' });
  t.equal(gone.lot.status, 'destroyed', 'a recalled lot may still be destroyed');

  const active = await harvestLot(5);
  await refused(t, statusRequest(coop.headers, active.id, 'active'), 422, { rule: 'status-transition' });
  await refused(t, statusRequest(coop.headers, active.id, 'lost'), 400, { path: 'body/status' });
  await refused(t, post(coop.headers, `/v1/lots/${active.id}/status`, { status: 'hold' }), 400, { path: 'body/reason' });
  await refused(t, post(coop.headers, `/v1/lots/${active.id}/status`, { status: 'hold', reason: '' }), 400, { path: 'body/reason' });
  await refused(t, post(coop.headers, `/v1/lots/${active.id}/status`, { status: 'hold', reason: 'x', cascade: false }), 400, { path: 'body/cascade' });
  t.equal((await getLot(coop.headers, active.id)).status, 'active');
});

t.test('only the holder or a regulator changes a status', async (t) => {
  const lot = await harvestLot(20);
  // The stranger cannot see it: 404.
  await refused(t, statusRequest(stranger.headers, lot.id, 'hold'), 404);
  // In transit: the receiver sees it but does not hold it.
  const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' });
  await refused(t, statusRequest(processor.headers, lot.id, 'hold'), 403);
  await c.receive(processor.headers, shipment.id, { siteId: processorSite.id });
  // The producer after shipping it away still sees it: 403.
  await refused(t, statusRequest(coop.headers, lot.id, 'hold'), 403);
  await refused(t, statusRequest(coop.headers, lot.id, 'recalled'), 403);
  // The admin token is not an organisation.
  await refused(t, post(adminHeaders, `/v1/lots/${lot.id}/status`, { status: 'hold', reason: 'x' }), 403);
  await refused(t, { method: 'POST', url: `/v1/lots/${lot.id}/status`, payload: { status: 'hold', reason: 'x' } }, 401);

  // The holder may; so may a regulator that never touched it.
  const held = await setStatus(processor.headers, lot.id, { status: 'hold', reason: '入库待检' });
  t.equal(held.lot.status, 'hold');
  const released = await setStatus(regulator.headers, lot.id, { status: 'active', reason: '监督抽检合格' });
  t.equal(released.lot.status, 'active');
  const timeline = await timelineOf(processor.headers, lot.id);
  t.match(timeline.at(-1), { type: 'status_changed', role: 'subject', organization: { id: regulator.organization.id, name: '吉林省药品监督管理局' }, data: { from: 'hold', to: 'active' } });
  t.equal((await getLot(regulator.headers, lot.id)).status, 'active', 'a regulator reads every lot');
});

t.test('a recall marks every lot made from the recalled lot, wherever it is', async (t) => {
  // harvest (coop) ── processed (coop)
  //      └─ split HV-1 (→ processor) ── decoction pieces (processor) ── split (→ maker) ── product (maker) ── split (→ pharmacy, in transit)
  const harvest = await harvestLot(1000);
  const processed = (await c.transform(coop.headers, {
    occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: harvest.id, quantity: kg(100) }], outputs: [{ stage: 'processed', lotNumber: 'RC-PR', quantity: kg(80) }],
  })).outputs[0];
  const toProcessor = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: kg(300) }], shippedAt: '2024-09-11T08:00:00+08:00' });
  const split1 = toProcessor.lines[0].lotId;
  await c.receive(processor.headers, toProcessor.id, { siteId: processorSite.id });
  const pieces = (await c.transform(processor.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: split1, quantity: kg(300) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'RC-DP', quantity: kg(250) }],
  })).outputs[0];
  const toMaker = await c.ship(processor.headers, { toOrganizationId: maker.organization.id, lines: [{ lotId: pieces.id, quantity: kg(100) }], shippedAt: '2024-10-05T08:00:00+08:00' });
  const split2 = toMaker.lines[0].lotId;
  await c.receive(maker.headers, toMaker.id, { siteId: makerSite.id });
  const capsules = (await c.transform(maker.headers, {
    occurredAt: '2024-11-01T08:00:00+08:00', inputs: [{ lotId: split2, quantity: kg(100) }],
    outputs: [{ stage: 'product', lotNumber: 'RC-CAP', quantity: { value: 1000, unit: 'box' } }],
  })).outputs[0];
  const toPharmacy = await c.ship(maker.headers, { toOrganizationId: pharmacy.organization.id, lines: [{ lotId: capsules.id, quantity: { value: 100, unit: 'box' } }], shippedAt: '2024-11-05T08:00:00+08:00' });
  const split3 = toPharmacy.lines[0].lotId;

  // Unrelated: a sibling harvest from the same bed, its product, and the processor's own bought material.
  const sibling = await harvestLot(100);
  const siblingProcessed = (await c.transform(coop.headers, {
    occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: sibling.id, quantity: kg(10) }], outputs: [{ stage: 'processed', lotNumber: 'RC-SIB', quantity: kg(8) }],
  })).outputs[0];
  const bought = await c.lot(processor.headers, {
    stage: 'processed', speciesCode: 'renshen', lotNumber: 'RC-EXT', siteId: processorSite.id, quantity: kg(50), producedAt: '2024-09-01T08:00:00+08:00', origin: { type: 'external' },
  });

  const before = await snapshot();
  const recall = await setStatus(coop.headers, harvest.id, { status: 'recalled', reason: '铅 6 mg/kg，报告 TH-2024-0918', occurredAt: '2024-12-01T09:00:00+08:00' });
  const descendants = [processed.id, split1, pieces.id, split2, capsules.id, split3];
  t.equal(recall.lot.status, 'recalled');
  t.same([...recall.cascaded].sort(), [...descendants].sort(), 'cascaded names every descendant');
  const after = await snapshot();
  t.equal(after.counts.events, before.counts.events! + 1, 'one status event');
  t.equal(after.counts.eventLots, before.counts.eventLots! + 1 + descendants.length, 'linked to the lot and each descendant');

  const holders: [string, Headers, string][] = [
    [processed.id, coop.headers, coop.organization.id],
    [split1, processor.headers, processor.organization.id],
    [pieces.id, processor.headers, processor.organization.id],
    [split2, maker.headers, maker.organization.id],
    [capsules.id, maker.headers, maker.organization.id],
    [split3, maker.headers, maker.organization.id], // still in transit to the pharmacy
  ];
  for (const [id, headers, holderId] of holders) {
    const lot = await getLot(headers, id);
    t.match(lot, { status: 'recalled', holder: { id: holderId } }, `${lot.lotNumber} recalled`);
    const cascade = (await timelineOf(headers, id)).find((e) => e.type === 'status_changed');
    t.match(cascade, {
      id: recall.eventId, role: 'cascade', organization: { id: coop.organization.id }, occurredAt: '2024-12-01T09:00:00.000+08:00',
      data: { from: 'active', to: 'recalled', reason: '铅 6 mg/kg，报告 TH-2024-0918' },
    }, `${lot.lotNumber}: the cascade event is in its timeline`);
    t.ok((cascade!.data.cascadedTo as string[]).includes(id));
  }
  t.match((await timelineOf(coop.headers, harvest.id)).at(-1), { id: recall.eventId, type: 'status_changed', role: 'subject' });
  t.equal((await getLot(pharmacy.headers, split3)).status, 'recalled', 'the receiver of the travelling lot sees the recall');
  const stored = await database.db.select({ id: lots.id, status: lots.status }).from(lots).where(inArray(lots.id, [harvest.id, ...descendants]));
  t.same(new Set(stored.map((r) => r.status)), new Set(['recalled']));

  // Unrelated lots and the ancestors stay active.
  for (const [id, headers] of [[sibling.id, coop.headers], [siblingProcessed.id, coop.headers], [bed.id, coop.headers], [seed.id, coop.headers], [bought.id, processor.headers]] as const) {
    t.equal((await getLot(headers, id)).status, 'active', `${id} untouched`);
    t.notOk((await timelineOf(headers, id)).some((e) => e.type === 'status_changed'));
  }

  // Recalled descendants can no longer be transformed or shipped, at any organisation.
  await refused(t, transformRequest(coop.headers, processed.id, 'RC-X1'), 422, { rule: 'blocked-lot' });
  await refused(t, transformRequest(coop.headers, harvest.id, 'RC-X2'), 422, { rule: 'blocked-lot' });
  await refused(t, shipRequest(coop.headers, harvest.id, maker.organization.id, kg(1)), 422, { rule: 'blocked-lot' });
  await refused(t, transformRequest(processor.headers, pieces.id, 'RC-X3', { siteId: processorSite.id, outputs: [{ stage: 'product', lotNumber: 'RC-X3', quantity: kg(1) }] }), 422, { rule: 'blocked-lot' });
  await refused(t, shipRequest(processor.headers, pieces.id, pharmacy.organization.id), 422, { rule: 'blocked-lot' });
  await refused(t, shipRequest(processor.headers, pieces.id, pharmacy.organization.id, kg(1)), 422, { rule: 'blocked-lot' });
  await refused(t, shipRequest(maker.headers, capsules.id, pharmacy.organization.id, { value: 1, unit: 'box' }), 422, { rule: 'blocked-lot' });
  await refused(
    t,
    post(maker.headers, '/v1/transformations', {
      occurredAt: '2024-12-20T08:00:00+08:00', inputs: [{ lotId: capsules.id, quantity: { value: 10, unit: 'box' } }], outputs: [{ stage: 'product', lotNumber: 'RC-X4', quantity: { value: 10, unit: 'box' } }],
    }),
    422,
    { rule: 'blocked-lot' },
  );
  // The unrelated lot is still usable.
  const ok = await c.transform(coop.headers, {
    occurredAt: '2024-12-20T08:00:00+08:00', inputs: [{ lotId: siblingProcessed.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'RC-OK', quantity: kg(1) }],
  });
  t.equal(ok.outputs[0].status, 'active');

  // A regulator recalls at the head of another chain; a second recall of an already recalled branch cascades to nothing new.
  const second = await setStatus(regulator.headers, sibling.id, { status: 'recalled', reason: '监督抽检不合格' });
  t.same([...second.cascaded].sort(), [siblingProcessed.id, ok.outputs[0].id].sort());
  t.equal((await getLot(coop.headers, ok.outputs[0].id)).status, 'recalled');
  await refused(t, statusRequest(regulator.headers, sibling.id, 'recalled'), 422, { rule: 'status-transition' });
});

t.test('observations on a lot: agro_input, inspection, sensor, note', async (t) => {
  const lot = await harvestLot(30);
  const observations = [
    { type: 'sensor', occurredAt: '2024-09-02T03:15:30.250Z', expected: '2024-09-02T03:15:30.250Z', data: { temperatureC: 4.5, humidityPct: 62, deviceId: 'TH-0042' } },
    { type: 'note', occurredAt: '2024-09-03T20:00:00-05:30', expected: '2024-09-03T20:00:00.000-05:30', data: { text: '入冷库 2 号间' } },
    {
      type: 'agro_input', occurredAt: '2024-09-02T07:30:00+08:00', expected: '2024-09-02T07:30:00.000+08:00',
      data: { category: 'fungicide', product: '多菌灵可湿性粉剂', registrationNumber: 'PD20070001', dose: { value: '0.1', unit: 'kg/亩' }, preHarvestIntervalDays: 30, area: 'B-03..B-06', operator: '张三' },
    },
    { type: 'inspection', occurredAt: '2024-09-02T10:00:00+09:00', expected: '2024-09-02T10:00:00.000+09:00', data: { inspector: '吉林省GAP检查组', result: 'pass', findings: '无异常' } },
  ];
  const created: TimelineEvent[] = [];
  for (const o of observations) {
    const res = await app.inject(post(coop.headers, `/v1/lots/${lot.id}/events`, { type: o.type, occurredAt: o.occurredAt, data: o.data }));
    t.equal(res.statusCode, 201, `${o.type}: ${res.body}`);
    const body = res.json() as TimelineEvent;
    t.match(body, { id: /^evt_/, type: o.type, role: 'subject', organization: { id: coop.organization.id, name: '松岭合作社' }, occurredAt: o.expected });
    t.same(body.data, o.data, `${o.type}: data as sent`);
    t.ok(isRecentTimestamp(body.recordedAt), 'recordedAt is the server time');
    created.push(body);
  }
  const timeline = await timelineOf(coop.headers, lot.id);
  for (const [i, o] of observations.entries()) {
    const inTimeline = timeline.find((e) => e.id === created[i]!.id);
    t.ok(inTimeline, `${o.type} is in the timeline`);
    const { lots: links, recordedBy, ...rest } = inTimeline as TimelineEvent & { lots: unknown; recordedBy: unknown };
    t.same(rest, created[i], `${o.type}: the timeline shows what was returned`);
    t.match(recordedBy, { kind: 'api_key', id: /^key_/ }, `${o.type}: recorded by the cooperative's key`);
    t.same(links, [{ lotId: lot.id, role: 'subject' }]);
    t.equal(inTimeline?.occurredAt, o.expected, `${o.type}: in the client's offset`);
  }
  t.same(timeline.filter((e) => e.role === 'subject').map((e) => e.type), ['agro_input', 'inspection', 'sensor', 'note'], 'in the order they happened, not as recorded');
  const agro = observations.findIndex((o) => o.type === 'agro_input');
  const [row] = await database.db.select().from(events).where(eq(events.id, created[agro]!.id));
  t.match(row, { type: 'agro_input', organizationId: coop.organization.id, occurredAtOffset: 480 });
  t.same(row!.data, observations[agro]!.data);

  // Not before the lot existed (produced 2024-09-01T08:00:00+08:00).
  await refused(t, post(coop.headers, `/v1/lots/${lot.id}/events`, { type: 'note', occurredAt: '2024-09-01T07:59:59+08:00', data: { text: '太早' } }), 422, { rule: 'chronology', path: 'body/occurredAt' });
});

t.test('observations: only by the holder, and only well-formed', async (t) => {
  const lot = await harvestLot(30);
  const note = { type: 'note', occurredAt: '2024-09-03T20:00:00+08:00', data: { text: '记录' } };
  await refused(t, post(stranger.headers, `/v1/lots/${lot.id}/events`, note), 404);

  const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-10T08:00:00+08:00' });
  await refused(t, post(processor.headers, `/v1/lots/${lot.id}/events`, note), 422, { rule: 'custody' });
  await c.receive(processor.headers, shipment.id, { siteId: processorSite.id });
  await refused(t, post(coop.headers, `/v1/lots/${lot.id}/events`, note), 422, { rule: 'custody', path: 'params/id' });
  const byNewHolder = await c.call('POST', `/v1/lots/${lot.id}/events`, processor.headers, note);
  t.equal(byNewHolder.organization.id, processor.organization.id);

  const url = `/v1/lots/${lot.id}/events`;
  await refused(t, post(processor.headers, url, { ...note, type: 'weather' }), 400, { path: 'body/type' });
  await refused(t, post(processor.headers, url, { occurredAt: note.occurredAt, data: note.data }), 400, { path: 'body/type' });
  await refused(t, post(processor.headers, url, { ...note, type: 42 }), 400);
  await refused(t, post(processor.headers, url, { type: 'note', data: note.data }), 400, { path: 'body/occurredAt' });
  await refused(t, post(processor.headers, url, { type: 'note', occurredAt: note.occurredAt, data: {} }), 400, { path: 'body/data/text' });
  await refused(t, post(processor.headers, url, { type: 'note', occurredAt: note.occurredAt, data: { text: 'x', mood: 'good' } }), 400, { path: 'body/data/mood' });
  await refused(t, post(processor.headers, url, { ...note, extra: 1 }), 400, { path: 'body/extra' });
  await refused(
    t,
    post(processor.headers, url, { type: 'agro_input', occurredAt: note.occurredAt, data: { category: 'poison', product: 'x', dose: { value: 1, unit: 'kg/亩' } } }),
    400,
    { path: 'body/data/category' },
  );
  await refused(t, post(processor.headers, url, { type: 'agro_input', occurredAt: note.occurredAt, data: { category: 'fertilizer', product: '尿素' } }), 400, { path: 'body/data/dose' });
  await refused(t, post(processor.headers, url, { type: 'inspection', occurredAt: note.occurredAt, data: { result: 'maybe' } }), 400, { path: 'body/data/result' });
  await refused(t, post(processor.headers, url, { type: 'sensor', occurredAt: note.occurredAt, data: {} }), 400);
  await refused(t, post(processor.headers, url, { type: 'sensor', occurredAt: note.occurredAt, data: { humidityPct: 150 } }), 400, { path: 'body/data/humidityPct' });
  await refused(t, post(processor.headers, url, { type: 'sensor', occurredAt: note.occurredAt, data: { temperatureC: '4' } }), 400, { path: 'body/data/temperatureC' });
});
