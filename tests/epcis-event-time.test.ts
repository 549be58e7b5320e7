// An event's EPCIS form (and so its Event Hash ID) depends only on facts fixed when the event was written: the
// event record, the lots as created, the shipment it belongs to, and where its organisation had the lot as of the
// event. Indexed first, then the lots move on (received elsewhere, split, shipped again, recalled): mapping every
// event again gives the stored form to the byte.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { gs1CheckDigit } from '../src/lib/identifiers.js';
import { epcisEventById } from '../src/modules/epcis/index.js';
import { makeCreditCode } from './support/app.js';
import { BASE, codedChain } from './support/codes.js';

const w = await codedChain(t);
const { c, coop, database } = w;
const db = database.db;
const distributor = await w.createOrganization({ name: '时点流通公司', kinds: ['trader'], regionCode: '220102', creditCode: makeCreditCode('220102') });
const pharmacy = await w.createOrganization({ name: '时点药房', kinds: ['retailer'], regionCode: '220102', creditCode: makeCreditCode('220102') });
const regulator = await w.createOrganization({ name: '时点药监局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });
const gln = `690123400003${gs1CheckDigit('690123400003')}`;
const warehouse = await c.site(distributor.headers, { kind: 'warehouse', name: '时点仓库', regionCode: '220102', gln });
const store = await c.site(pharmacy.headers, { kind: 'market', name: '时点门店', regionCode: '220102' });

/**
 * Every event's stored form (the index), after bringing the index up to date with queries. On PostgreSQL the
 * queue hands an event to the index only once no older transaction on the server is still open (other test
 * files share it), so a query may catch up to all but the newest: ask again until every event is there.
 */
async function stored(): Promise<Map<string, string>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await w.app.inject({ method: 'GET', url: '/epcis/events?perPage=1', headers: regulator.headers });
    // No assertion out here: an assertion at the top level lets tap end the file's test (and its app) early.
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
    const rows = await queryRows<{ event_id: string; document: string }>(db, sql`select event_id, document from epcis_events`);
    const [all] = await queryRows<{ n: number | string }>(db, sql`select count(*) as n from events`);
    if (rows.length >= Number(all?.n ?? 0) || Date.now() > deadline) return new Map(rows.map((r) => [r.event_id, r.document]));
    await new Promise((r) => setTimeout(r, 100));
  }
}
const readPointOf = (document: string | undefined) => (JSON.parse(document ?? '{}') as { readPoint?: { id: string } }).readPoint?.id;
const eventOfType = async (type: string, lotId: string) =>
  (await queryRows<{ id: string }>(db, sql`select e.id from events e join event_lots el on el.event_id = e.id where e.type = ${type} and el.lot_id = ${lotId} order by e.seq`)).map((r) => r.id);

// The cooperative holds the product at its base and inspects it there; part of it goes to the distributor.
await c.call('POST', `/v1/lots/${w.product.id}/events`, coop.headers, { type: 'inspection', occurredAt: '2024-11-25T08:00:00+08:00', data: { inspector: '质检员', result: 'pass' } });
const toDistributor = await c.ship(coop.headers, { toOrganizationId: distributor.organization.id, shippedAt: '2024-12-03T08:00:00+08:00', lines: [{ lotId: w.product.id, quantity: { value: 1000, unit: 'box' } }] });
const part = toDistributor.lines[0].lotId as string;
const first = await stored();

// Now the current state changes: the part arrives at the distributor's warehouse, which inspects it, splits
// some off for a pharmacy, ships and recalls it there; the pharmacy receives it at its store.
await c.receive(distributor.headers, toDistributor.id, { receivedAt: '2024-12-04T09:30:00+08:00', siteId: warehouse.id });
await c.call('POST', `/v1/lots/${part}/events`, distributor.headers, { type: 'inspection', occurredAt: '2024-12-04T10:00:00+08:00', data: { inspector: '验收员', result: 'pass' } });
const toPharmacy = await c.ship(distributor.headers, { toOrganizationId: pharmacy.organization.id, shippedAt: '2024-12-05T08:00:00+08:00', lines: [{ lotId: part, quantity: { value: 100, unit: 'box' } }] });
const shelf = toPharmacy.lines[0].lotId as string;
await c.receive(pharmacy.headers, toPharmacy.id, { receivedAt: '2024-12-05T15:00:00+08:00', siteId: store.id });
await c.call('POST', `/v1/lots/${shelf}/events`, pharmacy.headers, { type: 'sensor', occurredAt: '2024-12-06T08:00:00+08:00', data: { temperatureC: 19 } });
await c.call('POST', `/v1/lots/${part}/status`, distributor.headers, { status: 'recalled', reason: '召回', occurredAt: '2024-12-07T08:00:00+08:00' }, 200);
const second = await stored();

t.test('events indexed before the lots moved keep their stored form, and it is what a fresh mapping gives now', async (t) => {
  t.ok(first.size >= 10, `${first.size} events indexed first`);
  for (const [id, document] of first) {
    t.equal(second.get(id), document, `event ${id} is stored once, unchanged`);
    const now = await epcisEventById(db, id, BASE);
    t.equal(JSON.stringify(now), document, `event ${id} maps to the same form (and Event Hash ID) after the lots moved`);
  }
});

t.test('every event maps again to its stored form', async (t) => {
  t.ok(second.size > first.size);
  for (const [id, document] of second) t.equal(JSON.stringify(await epcisEventById(db, id, BASE)), document, id);
});

t.test('the readPoint is where the recording organisation had the lot as of the event', async (t) => {
  const baseUri = `${BASE}/id/site/${w.base.id}`;
  const warehouseUri = `${BASE}/414/${gln}`;
  const storeUri = `${BASE}/id/site/${store.id}`;
  const [coopInspection] = await eventOfType('inspection', w.product.id);
  t.equal(readPointOf(second.get(coopInspection!)), baseUri, 'the cooperative inspects its product where it made it');
  const [firstSplit] = await eventOfType('split', w.product.id);
  t.equal(readPointOf(second.get(firstSplit!)), baseUri, 'the part is picked at the base');
  const [distributorInspection] = await eventOfType('inspection', part);
  t.equal(readPointOf(second.get(distributorInspection!)), warehouseUri, 'after its receipt, the distributor inspects the part at its warehouse');
  const [secondSplit] = await eventOfType('split', shelf);
  t.equal(readPointOf(second.get(secondSplit!)), warehouseUri, 'and picks from it there');
  const [dispatch] = (await eventOfType('shipment_dispatched', shelf)).map((id) => JSON.parse(second.get(id)!));
  t.match(dispatch.sourceList, [{ type: 'owning_party', source: `${BASE}/id/org/${distributor.organization.id}` }, {}, { type: 'location', source: warehouseUri }]);
  const [recall] = await eventOfType('status_changed', part);
  t.equal(readPointOf(second.get(recall!)), warehouseUri, 'the recall happens at the warehouse');
  const [sensor] = await eventOfType('sensor', shelf);
  t.equal(readPointOf(second.get(sensor!)), storeUri, 'the pharmacy reads its sensor at its store (its own receipt of the lot split off the part)');
  const [labResult] = await eventOfType('lab_result', w.dried.id);
  t.equal(readPointOf(second.get(labResult!)), undefined, 'the lab never had the lot at a site of its own');
});
