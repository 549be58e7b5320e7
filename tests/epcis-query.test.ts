// EPCIS 2.0 query interface (REST binding): the EPCIS index filled by the epcis-index consumer, every
// SimpleEventQuery filter against the expected event set (from the events table or the access policy, not from
// the index), paging with signed tokens, the read rules, bad parameters, and one stored Event Hash ID everywhere.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { gs1CheckDigit } from '../src/lib/identifiers.js';
import { authorizeEvent } from '../src/access/policy.js';
import type { Actor } from '../src/access/actor.js';
import { makeCreditCode } from './support/app.js';
import { BASE, codedChain, GTIN13, GTIN14 } from './support/codes.js';
import { epcisErrors } from './support/epcis.js';

const w = await codedChain(t);
const { app, c, coop, lab, stranger, database } = w;
const db = database.db;
const distributor = await w.createOrganization({ name: '查询流通公司', kinds: ['trader'], regionCode: '220102', creditCode: makeCreditCode('220102') });
const regulator = await w.createOrganization({ name: '查询药监局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });
const gln = `690123400002${gs1CheckDigit('690123400002')}`;
const warehouse = await c.site(distributor.headers, { kind: 'warehouse', name: '查询仓库', regionCode: '220102', gln });

const issued = await c.call('POST', `/v1/lots/${w.product.id}/codes`, coop.headers, { count: 2, level: 'unit' });
await c.call('POST', `/v1/codes/${issued.codes[0].code}/void`, coop.headers, { reason: '标签损坏' }, 200);
const shipment = await c.ship(coop.headers, { toOrganizationId: distributor.organization.id, shippedAt: '2024-12-03T08:00:00+08:00', lines: [{ lotId: w.product.id, quantity: { value: 1000, unit: 'box' } }] });
const part = shipment.lines[0].lotId as string;

type Doc = { eventID: string; 'herbtrace:event': string; readPoint?: { id: string }; [k: string]: unknown };
const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
const heId = (e: Doc) => e['herbtrace:event'].slice(`${BASE}/v1/events/`.length);

async function all(headers: Record<string, string>, query = ''): Promise<Doc[]> {
  const res = await get(`/epcis/events?perPage=1000${query}`, headers);
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json().epcisBody.queryResults.resultsBody.eventList;
}

// Indexed now, before the receipt moves the shipped lot to the distributor's warehouse (its current location changes).
const beforeReceipt = await all(regulator.headers);
await c.receive(distributor.headers, shipment.id, { receivedAt: '2024-12-04T09:30:00+08:00', siteId: warehouse.id });
await c.call('POST', `/v1/lots/${part}/status`, distributor.headers, { status: 'recalled', reason: '召回', occurredAt: '2024-12-05T08:00:00+08:00' }, 200);

const everything = await all(regulator.headers);
const hashOf = new Map(everything.map((e) => [heId(e), e.eventID]));
const ids = (docs: Doc[]) => docs.map((e) => e.eventID).sort();
const hashes = (eventIds: string[]) => eventIds.map((id) => hashOf.get(id)!).sort();
const eventsWhere = async (where: ReturnType<typeof sql>) => (await queryRows<{ id: string }>(db, sql`select e.id from events e where ${where}`)).map((r) => r.id);
const productClass = `${BASE}/01/${GTIN14}/10/SH-2411-01`;
// Every identifier of the product's GTIN, whatever its lot or serial (company prefix 6901234).
const gtinPattern = `urn:epc:idpat:sgtin:${GTIN13.slice(0, 7)}.0${GTIN13.slice(7, 12)}.*`;
// The shipped part's class, as the receipt names it.
const partClass = (everything.find((e) => e.bizStep === 'receiving')!.quantityList as { epcClass: string }[])[0]!.epcClass;

t.test('the index holds every committed event once, backfilled and kept up to date', async (t) => {
  const [{ n }] = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from events`)) as [{ n: number }];
  t.equal(everything.length, n, 'a regulator sees every event');
  t.equal(new Set(ids(everything)).size, n, 'each once');
  const [{ m }] = (await queryRows<{ m: number }>(db, sql`select count(*)::int as m from epcis_events`)) as [{ m: number }];
  t.equal(m, n);
  t.strictSame(epcisErrors((await get('/epcis/events?perPage=1000', regulator.headers)).json()), [], 'an EPCISQueryDocument valid against the GS1 schema');
});

t.test('each filter returns exactly the expected events', async (t) => {
  const cases: [string, string[] | Promise<string[]>][] = [
    ['eventType=TransformationEvent', eventsWhere(sql`e.type in ('transformation', 'split')`)],
    ['eventType=ObjectEvent,TransformationEvent', eventsWhere(sql`true`)],
    ['eventType=AggregationEvent', []],
    ['EQ_bizStep=shipping', eventsWhere(sql`e.type = 'shipment_dispatched'`)],
    ['EQ_bizStep=receiving', eventsWhere(sql`e.type = 'shipment_received'`)],
    [`EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-receiving')}`, eventsWhere(sql`e.type = 'shipment_received'`)],
    [`EQ_bizStep=${encodeURIComponent('urn:epcglobal:cbv:bizstep:receiving,shipping')}`, eventsWhere(sql`e.type in ('shipment_received', 'shipment_dispatched')`)],
    ['EQ_bizStep=herbtrace:agro_input', []],
    ['EQ_bizStep=inspecting', eventsWhere(sql`e.type = 'lab_result'`)],
    ['EQ_disposition=in_transit', eventsWhere(sql`e.type = 'shipment_dispatched'`)],
    ['EQ_disposition=recalled', eventsWhere(sql`e.type = 'status_changed' and e.data->>'to' = 'recalled'`)],
    ['eventType=ObjectEvent&EQ_bizStep=commissioning', eventsWhere(sql`e.type in ('commissioned', 'codes_issued')`)],
    [`GE_eventTime=${encodeURIComponent('2024-10-01T00:00:00+08:00')}&LT_eventTime=${encodeURIComponent('2024-11-20T09:00:00+08:00')}`,
      eventsWhere(sql`e.occurred_at >= '2024-09-30T16:00:00Z' and e.occurred_at < '2024-11-20T01:00:00Z'`)],
    ['GE_eventTime=2024-11-20T09:00:00 08:00', eventsWhere(sql`e.occurred_at >= '2024-11-20T01:00:00Z'`)],
    [`MATCH_epcClass=${encodeURIComponent(productClass)}`,
      eventsWhere(sql`e.id in (select event_id from event_lots where lot_id = ${w.product.id}) and e.type not in ('transformation', 'split', 'codes_issued', 'code_voided')`)],
    [`MATCH_anyEPCClass=${encodeURIComponent(productClass)}`,
      eventsWhere(sql`e.id in (select event_id from event_lots where lot_id = ${w.product.id}) and e.type not in ('codes_issued', 'code_voided')`)],
    // The same class as an EPC Class URN (company prefix 6901234): compared in canonical form.
    [`MATCH_anyEPCClass=${encodeURIComponent(`urn:epc:class:lgtin:${GTIN13.slice(0, 7)}.0${GTIN13.slice(7, 12)}.SH-2411-01`)}`,
      eventsWhere(sql`e.id in (select event_id from event_lots where lot_id = ${w.product.id}) and e.type not in ('codes_issued', 'code_voided')`)],
    [`MATCH_epcClass=${encodeURIComponent(partClass)}`, eventsWhere(sql`e.id in (select event_id from event_lots where lot_id = ${part}) and e.type <> 'split'`)],
    [`MATCH_epc=${encodeURIComponent(issued.codes[0].url)}`, eventsWhere(sql`e.type in ('codes_issued', 'code_voided')`)],
    [`MATCH_epc=${encodeURIComponent(issued.codes[1].url)}`, eventsWhere(sql`e.type = 'codes_issued'`)],
    [`MATCH_anyEPC=${encodeURIComponent(issued.codes[1].url)}`, eventsWhere(sql`e.type = 'codes_issued'`)],
    // Class patterns (EPCIS 2.0 §8.2.7.1.1): every serial, or every lot, of the GTIN; as a pattern URN or the GTIN's Digital Link.
    [`MATCH_epc=${encodeURIComponent(gtinPattern)}`, eventsWhere(sql`e.type in ('codes_issued', 'code_voided')`)],
    [`MATCH_epc=${encodeURIComponent(`${BASE}/01/${GTIN14}`)}`, eventsWhere(sql`e.type in ('codes_issued', 'code_voided')`)],
    [`MATCH_anyEPC=${encodeURIComponent(gtinPattern)}`, eventsWhere(sql`e.type in ('codes_issued', 'code_voided')`)],
    [`MATCH_epcClass=${encodeURIComponent(gtinPattern)}`, eventsWhere(sql`e.id in (select event_id from event_lots where lot_id in (${w.product.id}, ${part}))
      and e.type not in ('transformation', 'split', 'codes_issued', 'code_voided')`)],
    [`MATCH_anyEPCClass=${encodeURIComponent(gtinPattern)}`, eventsWhere(sql`e.id in (select event_id from event_lots where lot_id in (${w.product.id}, ${part}))
      and e.type not in ('codes_issued', 'code_voided')`)],
    [`MATCH_epcClass=${encodeURIComponent(`urn:epc:idpat:sgtin:${GTIN13.slice(0, 7)}.012345.*`)}`, []],
    [`EQ_bizLocation=${encodeURIComponent(`${BASE}/414/${gln}`)}`, eventsWhere(sql`e.type = 'shipment_received'`)],
    [`EQ_readPoint=${encodeURIComponent(`${BASE}/id/site/${w.base.id}`)}`, everything.filter((e) => e.readPoint?.id === `${BASE}/id/site/${w.base.id}`).map(heId)],
  ];
  for (const [query, expected] of cases) {
    const want = hashes(await expected);
    const got = await all(regulator.headers, `&${query}`);
    if (!t.strictSame(ids(got), want, query)) t.comment(JSON.stringify(got.map((e) => e['herbtrace:eventType'])));
  }
  t.ok((await eventsWhere(sql`e.type = 'lab_result'`)).length === 1);
  // GET /epcis/epcs/{epc}/events: any EPC or class field.
  const byEpc = await get(`/epcis/epcs/${encodeURIComponent(productClass)}/events?perPage=1000`, coop.headers);
  t.equal(byEpc.statusCode, 200);
  t.strictSame(ids(byEpc.json().epcisBody.queryResults.resultsBody.eventList), hashes(await eventsWhere(sql`e.id in (select event_id from event_lots where lot_id = ${w.product.id}) and e.type not in ('codes_issued', 'code_voided')`)));
});

t.test('paging: every event once across pages, Link rel=next, signed tokens bound to query and caller', async (t) => {
  const seen: string[] = [];
  let url: string | undefined = '/epcis/events?perPage=4';
  let pages = 0;
  let token = '';
  while (url) {
    const res = await get(url, regulator.headers);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    t.equal(res.headers['gs1-epcis-version'], '2.0.0');
    const list = res.json().epcisBody.queryResults.resultsBody.eventList as Doc[];
    t.ok(list.length <= 4);
    seen.push(...list.map((e) => e.eventID));
    const link = res.headers.link as string | undefined;
    if (link) {
      const m = /^<([^>]+)>; rel="next"$/.exec(link);
      t.ok(m, link);
      url = m![1]!.slice(BASE.length);
      token = decodeURIComponent(/nextPageToken=([^&]+)/.exec(url)![1]!);
    } else url = undefined;
    pages++;
  }
  t.equal(pages, Math.ceil(everything.length / 4));
  t.strictSame(seen, everything.map((e) => e.eventID), 'every event once, in the same order');
  const refused = async (url: string, headers: Record<string, string>, path: string) => {
    const res = await get(url, headers);
    t.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 200)}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.ok(res.json().errors.some((e: { path: string }) => e.path === path), `${url} names ${path}: ${res.body}`);
  };
  const [payload, signature] = token.split('.');
  const forged = `${Buffer.from(JSON.stringify([1, 0, JSON.parse(Buffer.from(payload!, 'base64url').toString())[2]])).toString('base64url')}.${signature}`;
  await refused(`/epcis/events?perPage=4&nextPageToken=${encodeURIComponent(forged)}`, regulator.headers, 'querystring/nextPageToken');
  await refused(`/epcis/events?perPage=4&nextPageToken=nonsense`, regulator.headers, 'querystring/nextPageToken');
  await refused(`/epcis/events?perPage=4&nextPageToken=${encodeURIComponent(token)}`, stranger.headers, 'querystring/nextPageToken');
  await refused(`/epcis/events?perPage=4&EQ_bizStep=shipping&nextPageToken=${encodeURIComponent(token)}`, regulator.headers, 'querystring/nextPageToken');
});

t.test('an organisation sees only the events it may read; a regulator sees all', async (t) => {
  const rows = await queryRows<{ id: string; organization_id: string }>(db, sql`select id, organization_id from events`);
  const lotsOf = async (id: string) => queryRows<{ lotId: string }>(db, sql`select lot_id as "lotId" from event_lots where event_id = ${id}`);
  const actor = (org: { organization: { id: string; name: string } }, kinds: string[]): Actor => ({
    kind: 'organization', organizationId: org.organization.id, organizationName: org.organization.name, organizationKinds: kinds, role: 'owner', keyId: null, userId: null,
  });
  for (const [name, who, kinds] of [['distributor', distributor, ['trader']], ['lab', lab, ['lab']], ['stranger', stranger, ['trader']], ['coop', coop, ['cooperative', 'manufacturer']]] as const) {
    const readable: string[] = [];
    for (const r of rows) if (await authorizeEvent(db, actor(who, [...kinds]), { organizationId: r.organization_id, lots: await lotsOf(r.id) })) readable.push(r.id);
    const seen = ids(await all(who.headers));
    t.strictSame(seen, hashes(readable), `${name} sees exactly the events the access policy lets it read (${readable.length})`);
  }
  t.equal((await all(stranger.headers)).length, 0);
  const dispatch = everything.find((e) => e.bizStep === 'shipping' && JSON.stringify(e).includes(shipment.id))!;
  t.equal((await get(`/epcis/events/${encodeURIComponent(dispatch.eventID)}`, distributor.headers)).statusCode, 200);
  t.equal((await get(`/epcis/events/${encodeURIComponent(dispatch.eventID)}`, stranger.headers)).statusCode, 404, 'an unreadable event is not there');
  t.equal((await get(`/epcis/events/${encodeURIComponent('ni:///sha-256;00?ver=CBV2.0')}`, regulator.headers)).statusCode, 404);
  t.equal((await get('/epcis/events', {})).statusCode, 401);
});

t.test('one Event Hash ID: stored at indexing, the same in the single-event route and the chain export', async (t) => {
  const res = await get(`/v1/lots/${part}/epcis`, distributor.headers);
  t.equal(res.statusCode, 200);
  // Read after the export: it catches the index up first, and on a busy PostgreSQL server events that other
  // transactions held back are indexed only then.
  const stored = await queryRows<{ event_id: string; event_hash_id: string }>(db, sql`select event_id, event_hash_id from epcis_events`);
  const storedOf = new Map(stored.map((r) => [r.event_id, r.event_hash_id]));
  const exported = res.json().epcisBody.eventList as Doc[];
  t.ok(exported.length > 10);
  t.ok(exported.every((e) => storedOf.get(heId(e)) === e.eventID), 'the export shows the stored Event Hash IDs');
  const visible = new Set(ids(await all(distributor.headers)));
  const own = exported.filter((e) => visible.has(e.eventID));
  t.ok(own.length >= 3, 'the distributor reads the events of its own lot (the ancestors only through the export)');
  for (const e of own) {
    const one = await get(`/epcis/events/${encodeURIComponent(e.eventID)}`, { ...distributor.headers, accept: 'application/json' });
    t.equal(one.statusCode, 200);
    t.match(one.headers['content-type'], /^application\/json/);
    const { '@context': context, ...event } = one.json();
    t.ok(Array.isArray(context));
    t.strictSame(event, e, 'the single-event route gives the exported form');
  }
  // The dispatch was indexed while the shipped lot was still at the cooperative's base; the lot is at the warehouse
  // now, and the eventID is the same (the mapping reads only facts as of the event: tests/epcis-event-time.test.ts).
  const before = beforeReceipt.find((e) => e.bizStep === 'shipping' && JSON.stringify(e).includes(shipment.id))!;
  const now = exported.find((e) => heId(e) === heId(before))!;
  t.equal(now.eventID, before.eventID, 'the eventID given out before the receipt is the one exported after it');
});

t.test('bad parameters are 400 problem+json naming the parameter; never a 500', async (t) => {
  const cases: [string, string][] = [
    ['/epcis/events?foo=1', 'querystring/foo'],
    ['/epcis/events?GE_eventTime=yesterday', 'querystring/GE_eventTime'],
    ['/epcis/events?LT_recordTime=2024-13-01T00:00:00Z', 'querystring/LT_recordTime'],
    ['/epcis/events?perPage=0', 'querystring/perPage'],
    ['/epcis/events?perPage=1001', 'querystring/perPage'],
    ['/epcis/events?perPage=x', 'querystring/perPage'],
    ['/epcis/events?eventType=Bogus', 'querystring/eventType'],
    ['/epcis/events?EQ_bizStep=a,,b', 'querystring/EQ_bizStep'],
    ['/epcis/events?nextPageToken=a.b', 'querystring/nextPageToken'],
    ['/epcis/epcs/x/events?MATCH_everything=1', 'querystring/MATCH_everything'],
    [`/epcis/events?MATCH_epc=${encodeURIComponent('urn:epc:idpat:sgtin:6901234.*.*')}`, 'querystring/MATCH_epc'],
    [`/epcis/events?MATCH_anyEPCClass=${encodeURIComponent('urn:epc:idpat:sgtin:*.*.*')}`, 'querystring/MATCH_anyEPCClass'],
  ];
  for (const [url, path] of cases) {
    const res = await get(url, coop.headers);
    t.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 200)}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.ok(res.json().errors?.some((e: { path: string }) => e.path === path), `${url} names ${path}: ${res.body}`);
  }
});

t.test('content types and eventTypes', async (t) => {
  const ld = await get('/epcis/events?perPage=1', coop.headers);
  t.match(ld.headers['content-type'], /^application\/ld\+json/);
  t.match(ld.json(), { type: 'EPCISQueryDocument', schemaVersion: '2.0', epcisBody: { queryResults: { queryName: 'SimpleEventQuery' } } });
  t.match((await get('/epcis/events?perPage=1', { ...coop.headers, accept: 'application/json' })).headers['content-type'], /^application\/json/);
  const types = await get('/epcis/eventTypes', coop.headers);
  t.equal(types.statusCode, 200);
  t.strictSame(types.json()['@set'], ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
});
