// EPCIS 2.0: the EPCIS form of every HerbTrace event kind, the chain export GET /v1/lots/{id}/epcis validated as a
// whole against the GS1 JSON Schema, the resolvable identifiers /id/… and the vocabulary /voc/….
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { gs1CheckDigit } from '../src/lib/identifiers.js';
import { documentContext, epcisEventById, exportLotChain } from '../src/modules/epcis/index.js';
import { makeCreditCode } from './support/app.js';
import { BASE, codedChain, GTIN14 } from './support/codes.js';
import { documentOf, epcisErrors } from './support/epcis.js';

const w = await codedChain(t);
const { app, c, coop, lab, stranger, database } = w;
const distributor = await w.createOrganization({ name: '吉林参茸药业流通有限公司', kinds: ['trader'], regionCode: '220102', creditCode: makeCreditCode('220102') });
const refuser = await w.createOrganization({ name: '拒收药房', kinds: ['retailer'], regionCode: '220102', creditCode: makeCreditCode('220102') });
const certifier = await w.createOrganization({ name: '国家知识产权局', kinds: ['certifier'], regionCode: '110000', creditCode: makeCreditCode('110000', '11') });
const gln = `690123400001${gs1CheckDigit('690123400001')}`;
const warehouse = await c.site(distributor.headers, { kind: 'warehouse', name: '长春仓库', regionCode: '220102', gln });

// Observations, holds and a GI claim on the dried root; an agricultural input on the bed.
const [bed] = await queryRows<{ id: string }>(database.db, sql`select id from lots where lot_number = 'SL-B03'`);
await c.call('POST', `/v1/lots/${bed!.id}/events`, coop.headers, {
  type: 'agro_input', occurredAt: '2020-06-02T07:30:00+08:00',
  data: { category: 'fungicide', product: '多菌灵可湿性粉剂', registrationNumber: 'PD20070001', dose: { value: '0.1', unit: 'kg/亩' }, preHarvestIntervalDays: 30 },
});
await c.call('POST', `/v1/lots/${w.dried.id}/events`, coop.headers, { type: 'inspection', occurredAt: '2024-10-09T08:00:00+08:00', data: { inspector: '质检员', result: 'pass' } });
await c.call('POST', `/v1/lots/${w.dried.id}/events`, coop.headers, { type: 'sensor', occurredAt: '2024-10-10T08:00:00+08:00', data: { temperatureC: 18.5, humidityPct: 55, deviceId: 'T-01' } });
await c.call('POST', `/v1/lots/${w.dried.id}/events`, coop.headers, { type: 'note', occurredAt: '2024-10-11T08:00:00+08:00', data: { text: '入库' } });
await c.call('POST', `/v1/lots/${w.dried.id}/status`, coop.headers, { status: 'hold', reason: '复检', occurredAt: '2024-10-12T08:00:00+08:00' }, 200);
await c.call('POST', `/v1/lots/${w.dried.id}/status`, coop.headers, { status: 'active', reason: '复检合格', occurredAt: '2024-10-13T08:00:00+08:00' }, 200);
const authorisation = await c.call('POST', '/v1/certificates', coop.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-2024-0009', validFrom: '2024-01-01', validUntil: '2026-12-31' });
await c.call('POST', `/v1/certificates/${authorisation.id}/confirm`, certifier.headers, { note: '核准' }, 200);
await c.call('POST', `/v1/lots/${w.dried.id}/gi-claims`, coop.headers, { giCode: 'changbaishan-renshen', claimedAt: '2024-10-14T09:00:00+08:00' });

// The product: unit codes (one voided), a whole-lot shipment refused, a part shipped and received, then recalled and destroyed.
const issued = await c.call('POST', `/v1/lots/${w.product.id}/codes`, coop.headers, { count: 3, level: 'unit' });
await c.call('POST', `/v1/codes/${issued.codes[0].code}/void`, coop.headers, { reason: '标签损坏' }, 200);
const toRefuser = await c.ship(coop.headers, { toOrganizationId: refuser.organization.id, shippedAt: '2024-12-01T08:00:00+08:00', lines: [{ lotId: w.product.id }] });
await c.call('POST', `/v1/shipments/${toRefuser.id}/refuse`, refuser.headers, { reason: '不符', refusedAt: '2024-12-02T08:00:00+08:00' }, 200);
const toDistributor = await c.ship(coop.headers, { toOrganizationId: distributor.organization.id, shippedAt: '2024-12-03T08:00:00+08:00', lines: [{ lotId: w.product.id, quantity: { value: 1000, unit: 'box' } }] });
const part = toDistributor.lines[0].lotId as string;
await c.receive(distributor.headers, toDistributor.id, { receivedAt: '2024-12-04T09:30:00+09:00', siteId: warehouse.id });
await c.call('POST', `/v1/lots/${part}/status`, distributor.headers, { status: 'recalled', reason: '召回', occurredAt: '2024-12-05T08:00:00+08:00' }, 200);
await c.call('POST', `/v1/lots/${part}/status`, distributor.headers, { status: 'destroyed', reason: '销毁', occurredAt: '2024-12-06T08:00:00+08:00' }, 200);

const context = documentContext(BASE);
const lotClass = (id: string) => `${BASE}/id/lot/${id}`;
const productClass = `${BASE}/01/${GTIN14}/10/SH-2411-01`;

t.test('the export of the chain: a valid EPCISDocument of every event of the lot and its ancestors, in time order', async (t) => {
  const res = await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis`, headers: distributor.headers });
  t.equal(res.statusCode, 200, res.body.slice(0, 500));
  t.match(res.headers['content-type'], /^application\/ld\+json/);
  const doc = res.json();
  t.strictSame(epcisErrors(doc), [], 'valid against the GS1 EPCIS 2.0 JSON Schema');
  t.match(doc, { type: 'EPCISDocument', schemaVersion: '2.0', '@context': context });
  const events = doc.epcisBody.eventList as any[];
  const kinds = new Set(events.map((e) => e['herbtrace:eventType']));
  for (const kind of ['commissioned', 'transformation', 'split', 'shipment_dispatched', 'shipment_received', 'shipment_refused', 'status_changed', 'agro_input',
    'inspection', 'sensor', 'note', 'lab_granted', 'lab_result', 'gi_claimed', 'codes_issued', 'code_voided']) {
    t.ok(kinds.has(`herbtrace:event-${kind}`), `the export has a ${kind} event`);
  }
  const times = events.map((e) => Date.parse(e.eventTime));
  t.strictSame(times, [...times].sort((a, b) => a - b), 'in time order');
  t.ok(events.every((e) => /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/.test(e.eventID)), 'every eventID is an Event Hash ID');
  t.equal(new Set(events.map((e) => e.eventID)).size, events.length, 'distinct');
  const byKind = (kind: string) => events.filter((e) => e['herbtrace:eventType'] === `herbtrace:event-${kind}`);
  t.notOk(
    events.some((e) => e.outputQuantityList?.some((q: { epcClass: string }) => q.epcClass === lotClass(w.plain.id))),
    'the making of another product from the same dried root is not part of this chain',
  );

  const [commissioned] = byKind('commissioned');
  t.match(commissioned, {
    type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', eventTime: '2018-09-20T01:00:00.000Z', eventTimeZoneOffset: '+08:00',
    quantityList: [{ epcClass: lotClass(w.seed.id), quantity: 40, uom: 'KGM' }],
    readPoint: { id: `${BASE}/id/site/${w.base.id}` },
    ilmd: { 'cbvmda:lotNumber': 'SD-2018-001', 'herbtrace:species': 'renshen', 'herbtrace:stage': 'herbtrace:stage-seed' },
  });
  const toProduct = byKind('transformation').find((e) => e.outputQuantityList[0].epcClass === productClass);
  t.match(toProduct, {
    type: 'TransformationEvent', bizStep: 'commissioning', inputQuantityList: [{ epcClass: lotClass(w.dried.id), quantity: 500, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: productClass, quantity: 40000, uom: 'BX' }],
    ilmd: { 'cbvmda:lotNumber': 'SH-2411-01', 'herbtrace:stage': 'herbtrace:stage-product' },
    'herbtrace:process': [{ 'herbtrace:operation': `herbtrace:op-${encodeURIComponent('粉碎')}`, 'herbtrace:operationName': '粉碎' }, {}],
  });
  t.ok(byKind('transformation').some((e) => e.inputQuantityList[0].uom === 'H87'), 'plants are pieces (H87)');
  t.match(byKind('split')[0], { type: 'TransformationEvent', bizStep: 'picking', inputQuantityList: [{ epcClass: productClass, quantity: 1000, uom: 'BX' }] });
  const dispatches = byKind('shipment_dispatched');
  t.equal(dispatches.length, 2, 'both dispatches of the lineage');
  t.match(dispatches[1], {
    type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit',
    sourceList: [{ type: 'owning_party', source: `${BASE}/id/org/${coop.organization.id}` }, { type: 'possessing_party' }, { type: 'location', source: `${BASE}/id/site/${w.base.id}` }],
    destinationList: [{ type: 'owning_party', destination: `${BASE}/id/org/${distributor.organization.id}` }, { type: 'possessing_party' }],
    bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}/v1/shipments/${toDistributor.id}` }],
  });
  t.match(byKind('shipment_received')[0], {
    bizStep: 'receiving', disposition: 'in_progress', eventTimeZoneOffset: '+09:00', eventTime: '2024-12-04T00:30:00.000Z',
    bizLocation: { id: `${BASE}/414/${gln}` }, quantityList: [{ quantity: 1000, uom: 'BX' }],
    destinationList: [{ type: 'owning_party' }, { type: 'possessing_party' }, { type: 'location', destination: `${BASE}/414/${gln}` }],
  });
  t.match(byKind('shipment_refused')[0], { bizStep: 'arriving', disposition: 'returned', 'herbtrace:reason': '不符', quantityList: [{ epcClass: productClass, quantity: 40000 }] });
  const statuses = byKind('status_changed');
  const status = (to: string) => statuses.find((e) => e['herbtrace:statusTo'] === to);
  t.match(status('hold'), { bizStep: 'holding', disposition: 'non_sellable_other', persistentDisposition: { set: ['non_sellable_other'] } });
  t.match(status('active'), { disposition: 'active', persistentDisposition: { unset: ['non_sellable_other'] } });
  t.notOk('bizStep' in status('active'));
  t.match(status('recalled'), { bizStep: 'holding', disposition: 'recalled', persistentDisposition: { set: ['recalled'] } });
  t.match(status('destroyed'), { bizStep: 'destroying', disposition: 'destroyed', persistentDisposition: { set: ['destroyed'], unset: ['recalled'] } });
  t.match(byKind('agro_input')[0], { bizStep: 'herbtrace:agro_input', 'herbtrace:agroInput': { 'herbtrace:product': '多菌灵可湿性粉剂', 'herbtrace:dose': { 'herbtrace:unit': 'kg/亩' } } });
  t.match(byKind('inspection')[0], { bizStep: 'inspecting', disposition: 'conformant' });
  t.match(byKind('sensor')[0], {
    bizStep: 'sensor_reporting',
    sensorElementList: [{ sensorReport: [{ type: 'gs1:Temperature', value: 18.5, uom: 'CEL' }, { type: 'gs1:RelativeHumidity', value: 55, uom: 'P1' }] }],
    'herbtrace:deviceId': 'T-01',
  });
  t.match(byKind('note')[0], { action: 'OBSERVE', 'herbtrace:note': '入库' });
  t.match(byKind('lab_granted')[0], { 'herbtrace:lab': `${BASE}/id/org/${lab.organization.id}` });
  const labResult = byKind('lab_result')[0];
  t.match(labResult, { bizStep: 'inspecting', disposition: 'conformant', 'herbtrace:labReport': { 'herbtrace:reportNumber': 'THJC-2024-1018' } });
  t.match(labResult.sensorElementList[0].sensorReport, [
    { type: 'herbtrace:MassFraction', chemicalSubstance: 'herbtrace:analyte-ginsenoside_rg1_re', value: 0.52, uom: 'P1' },
    {}, {},
    { chemicalSubstance: 'herbtrace:analyte-pb', value: 0.8, uom: 'NA', 'herbtrace:unit': 'mg/kg' },
  ]);
  t.match(byKind('gi_claimed')[0], { certificationInfo: `${BASE}/v1/certificates/${authorisation.id}`, 'herbtrace:giProduct': `${BASE}/v1/gi-products/changbaishan-renshen` });
  const codes = byKind('codes_issued')[0];
  t.match(codes, { action: 'ADD', bizStep: 'commissioning', 'herbtrace:codeLevel': 'unit' });
  t.strictSame([...codes.epcList].sort(), issued.codes.map((x: any) => x.url).sort(), 'the unit codes as Digital Link EPCs');
  t.match(codes.epcList[0], new RegExp(`^${BASE}/01/${GTIN14}/10/SH-2411-01/21/`));
  t.match(byKind('code_voided')[0], { action: 'DELETE', bizStep: 'decommissioning', disposition: 'inactive', epcList: [issued.codes[0].url] });

  const json = await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis`, headers: { ...distributor.headers, accept: 'application/json' } });
  t.match(json.headers['content-type'], /^application\/json/);
  t.strictSame(json.json().epcisBody.eventList.map((e: any) => e.eventID), events.map((e) => e.eventID), 'the same events, the same hashes');
});

t.test('the export reads documents in batches and maps an event the index does not hold yet as the index would', async (t) => {
  // Two notes at one time: in the order they were recorded.
  for (const text of ['同时甲', '同时乙']) await c.call('POST', `/v1/lots/${w.dried.id}/events`, coop.headers, { type: 'note', occurredAt: '2024-10-11T12:00:00+08:00', data: { text } });
  const whole = (await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis`, headers: distributor.headers })).json();
  const events = whole.epcisBody.eventList as any[];
  const notes = events.filter((e) => Date.parse(e.eventTime) === Date.parse('2024-10-11T12:00:00+08:00'));
  t.equal(notes.length, 2);
  t.match(JSON.stringify(notes[0]), '同时甲', 'the first recorded first');
  t.match(JSON.stringify(notes[1]), '同时乙');
  const readAll = async (options: { batchSize?: number }) => {
    const chunks = await exportLotChain(database.db, { kind: 'admin' }, part, { baseUrl: BASE, limits: { maxNodes: 1000, maxDepth: 50 }, now: new Date(whole.creationDate), ...options });
    let text = '';
    for await (const chunk of chunks) text += chunk;
    return JSON.parse(text);
  };
  for (const batchSize of [1, 2, 7, events.length, events.length + 1]) {
    t.strictSame(await readAll({ batchSize }), whole, `batches of ${batchSize}: the same document`);
  }

  // Taken out of the index (as if an older transaction still hid them from its queue): a receipt (its site as of
  // the event), a lab result and an issue of codes (the codes of the event) are mapped from their records.
  const hidden = ['shipment_received', 'lab_result', 'codes_issued'].map((kind) => events.find((e) => e['herbtrace:eventType'] === `herbtrace:event-${kind}`)!.eventID as string);
  const [{ rows }] = (await queryRows<{ rows: unknown }>(database.db, sql`select jsonb_agg(x) as rows from epcis_events x where event_hash_id = any(${`{${hidden.join(',')}}`}::text[])`)) as [{ rows: unknown }];
  t.equal((typeof rows === 'string' ? JSON.parse(rows) : rows).length, 3);
  await database.db.execute(sql`delete from epcis_events where event_hash_id = any(${`{${hidden.join(',')}}`}::text[])`);
  t.teardown(() => database.db.execute(sql`insert into epcis_events overriding system value select * from jsonb_populate_recordset(null::epcis_events, ${JSON.stringify(rows)}::jsonb)`));
  for (const batchSize of [2, 1000]) t.strictSame(await readAll({ batchSize }), whole, `without the three in the index, batches of ${batchSize}: the same document`);
});

t.test('certificate events (on no lot) have a valid EPCIS form too', async (t) => {
  const rows = await queryRows<{ id: string }>(database.db, sql`select id from events where type like 'certificate_%' order by seq`);
  t.equal(rows.length, 2);
  const forms = await Promise.all(rows.map((r) => epcisEventById(database.db, r.id, BASE)));
  t.strictSame(epcisErrors(documentOf(context, forms)), []);
  t.match(forms[1], { type: 'ObjectEvent', action: 'OBSERVE', epcList: [], certificationInfo: `${BASE}/v1/certificates/${authorisation.id}`, 'herbtrace:eventType': 'herbtrace:event-certificate_confirmed' });
});

t.test('an unreadable lot is 404, as everywhere', async (t) => {
  t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis`, headers: stranger.headers })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: `/v1/lots/lot_nope/epcis`, headers: distributor.headers })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis` })).statusCode, 401);
});

t.test('identifiers resolve: JSON-LD master data for machines, a page for people, 404 for unknown ids', async (t) => {
  const lot = await app.inject({ method: 'GET', url: `/id/lot/${w.seed.id}`, headers: { accept: 'application/ld+json' } });
  t.equal(lot.statusCode, 200);
  t.match(lot.headers['content-type'], /^application\/ld\+json/);
  t.match(lot.json(), { id: lotClass(w.seed.id), 'cbvmda:lotNumber': 'SD-2018-001', 'herbtrace:species': 'renshen', 'herbtrace:stage': 'herbtrace:stage-seed', 'herbtrace:producer': { 'herbtrace:name': coop.organization.name } });
  t.notOk(JSON.stringify(lot.json()).includes('quantity'), 'no quantities, holders or statuses');
  const page = await app.inject({ method: 'GET', url: `/id/lot/${w.seed.id}`, headers: { accept: 'text/html' } });
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, /SD-2018-001/);
  const site = await app.inject({ method: 'GET', url: `/id/site/${warehouse.id}`, headers: { accept: 'application/json' } });
  t.match(site.headers['content-type'], /^application\/json/);
  t.match(site.json(), { 'gs1:globalLocationNumber': gln, 'herbtrace:name': '长春仓库' });
  t.match((await app.inject({ method: 'GET', url: `/id/org/${coop.organization.id}` })).json(), { 'herbtrace:name': coop.organization.name, 'herbtrace:region': { 'herbtrace:code': '220621' } });
  for (const url of ['/id/lot/lot_nope', '/id/site/site_nope', '/id/org/org_nope']) t.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
});

t.test('the vocabulary describes every extension term the export uses', async (t) => {
  const voc = await app.inject({ method: 'GET', url: '/voc/' });
  t.equal(voc.statusCode, 200);
  const terms = new Set((voc.json()['@graph'] as any[]).map((x) => decodeURIComponent(x.id.slice(`${BASE}/voc/`.length))));
  const doc = (await app.inject({ method: 'GET', url: `/v1/lots/${part}/epcis`, headers: distributor.headers })).json();
  const used = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v === 'string' && v.startsWith('herbtrace:')) used.add(decodeURIComponent(v.slice(10)));
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { if (k.startsWith('herbtrace:') && !k.includes('herbtrace:attributes')) used.add(k.slice(10)); if (!['herbtrace:attributes', 'herbtrace:params', 'herbtrace:agroInput', 'herbtrace:inspection', 'herbtrace:certificate', 'herbtrace:origin'].includes(k)) walk(x); }
  };
  walk(doc.epcisBody.eventList);
  t.strictSame([...used].filter((u) => !terms.has(u)), [], 'every herbtrace term of the export is in /voc/');
  const term = await app.inject({ method: 'GET', url: '/voc/stage-harvest', headers: { accept: 'application/ld+json' } });
  t.match(term.json(), { id: `${BASE}/voc/stage-harvest`, 'herbtrace:termKind': 'stage' });
  t.match((await app.inject({ method: 'GET', url: '/voc/analyte-moisture' })).json(), { 'herbtrace:termKind': 'analyte' });
  t.match((await app.inject({ method: 'GET', url: '/voc/', headers: { accept: 'text/html' } })).body, /stage-harvest/);
  t.equal((await app.inject({ method: 'GET', url: '/voc/no-such-term' })).statusCode, 404);
});
