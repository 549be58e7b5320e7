import t from 'tap';
import { sql } from 'drizzle-orm';
import { loggableError } from '../src/lib/db-errors.js';
import { canonicalJson } from '../src/lib/hash.js';
import { parseStrictJson } from '../src/lib/strict-json.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { expectProblem } from './support/http.js';
import { rowCounts } from './support/row-counts.js';

// The hand-picked hostile requests of issue 10 (each once gave a 500, or was silently altered or stored):
// every one must be a problem+json 4xx naming the field, and write nothing.

const { app, database, createOrganization } = await setupApp(t);

// A route that fails in the database with a secret among its parameters, and the error log it leaves.
const SECRET = 'sk_live_not_for_logs_0123456789';
const errorLog: unknown[] = [];
app.addHook('onRequest', async (request) => {
  request.log = Object.create(request.log, { error: { value: (...args: unknown[]) => errorLog.push(args) } }) as typeof request.log;
});
app.get('/test/unhandled', { config: { auth: 'public' } }, async () => database.db.execute(sql`select ${SECRET}::integer as n`));
const c = chainClient(app);
const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative'] });
const processor = await createOrganization({ name: '吉林参业加工厂', kinds: ['processor'] });
const site = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地', regionCode: '220621' });
const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: site.id, quantity: kg(40), producedAt: '2018-09-20T09:00:00+08:00' });
const codes = await c.call('POST', `/v1/lots/${seed.id}/codes`, coop.headers, { count: 1, level: 'lot' });
const code = codes.codes[0].code as string;

const json = { ...coop.headers, 'content-type': 'application/json' };
const nextYear = new Date().getUTCFullYear() + 1;
const lot = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ stage: 'seed', speciesCode: 'renshen', lotNumber: 'H-1', siteId: site.id, quantity: kg(1), producedAt: '2024-09-18T08:00:00+08:00', ...over });
const siteBody = (over: Record<string, unknown> = {}) => JSON.stringify({ kind: 'cultivation_base', name: '新基地', regionCode: '220621', ...over });
const observation = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'agro_input',
    occurredAt: '2024-09-18T08:00:00+08:00',
    data: { category: 'fertilizer', product: '腐熟农家肥', dose: { value: 2, unit: 'kg/亩' }, ...data },
    ...over,
  });
const certificate = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'other', authority: '吉林省药品监督管理局', number: 'JL-2024-001', validFrom: '2024-01-01', validUntil: '2027-12-31', ...over });
/** A site body whose name holds the given raw bytes. */
const siteWithBytes = (...bytes: number[]) => Buffer.concat([Buffer.from('{"kind":"cultivation_base","regionCode":"220621","name":"基地'), Buffer.from(bytes), Buffer.from('"}')]);
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const badCreditCode = (() => {
  const good = makeCreditCode();
  return `${good.slice(0, 17)}${good[17] === '0' ? '1' : '0'}`;
})();

interface Case {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  status: number;
  /** errors[].path: exact, or a pattern. */
  path: string | RegExp;
  type?: string;
}

const timestampCases: [string, string][] = [
  ['offset without minutes', '2024-09-18T08:00:00+08'],
  ['leap second', '2016-12-31T23:59:60Z'],
  ['year 0000', '0000-01-01T00:00:00Z'],
  ['year 10000 in UTC', '9999-12-31T23:59:59-23:59'],
  ['year 2201 in UTC', '2200-12-31T23:59:59-01:00'],
  ['before 1900', '1899-12-31T23:59:59Z'],
  ['February 30', '2024-02-30T08:00:00+08:00'],
  ['below milliseconds', '2024-09-18T08:00:00.1234+08:00'],
  ['lower-case t and z', '2024-09-18t08:00:00z'],
  ['offset beyond 18 hours', '2024-09-18T08:00:00+19:00'],
  ['no offset', '2024-09-18T08:00:00'],
];

const cases: Case[] = [
  // NUL, in a body, a key, a query and a path (the last one without any key)
  { name: 'NUL in a body string', method: 'POST', url: '/v1/sites', payload: siteBody({ name: '基地\u0000' }), status: 400, path: 'body/name' },
  { name: 'NUL in free-form attributes', method: 'POST', url: '/v1/lots', payload: lot({ attributes: { note: 'a\u0000b' } }), status: 400, path: 'body/attributes/note' },
  { name: 'NUL in a key', method: 'POST', url: '/v1/lots', payload: lot({ attributes: { 'a\u0000': 1 } }), status: 400, path: 'body/attributes' },
  { name: 'NUL in the query', method: 'GET', url: '/v1/lots?lotNumber=%00', status: 400, path: 'querystring/lotNumber' },
  { name: 'NUL in a path, no key', method: 'GET', url: '/v1/codes/%00/qr.svg', headers: {}, status: 400, path: 'params/code' },
  { name: 'NUL in a path, with a key', method: 'GET', url: '/v1/lots/lot_a%00b', status: 400, path: 'params/id' },
  // lone surrogates and invalid UTF-8
  { name: 'lone surrogate in a body string', method: 'POST', url: '/v1/sites', payload: siteBody({ name: '\ud800基地' }), status: 400, path: 'body/name' },
  { name: 'lone low surrogate in attributes', method: 'POST', url: '/v1/lots', payload: lot({ attributes: { note: 'x\udc00' } }), status: 400, path: 'body/attributes/note' },
  { name: 'lone surrogate (UTF-8 encoded) in the query', method: 'GET', url: '/v1/lots?lotNumber=%ED%A0%80', status: 400, path: 'querystring/lotNumber' },
  { name: 'invalid percent-encoding in the query', method: 'GET', url: '/v1/lots?lotNumber=%zz', status: 400, path: 'querystring/lotNumber' },
  { name: 'truncated percent-encoding in the query', method: 'GET', url: '/v1/sites?organizationId=%E0%A4%A', status: 400, path: 'querystring/organizationId' },
  { name: 'lone surrogate (UTF-8 encoded) in a path', method: 'GET', url: '/v1/lots/%ED%A0%80', status: 400, path: 'url' },
  { name: 'invalid UTF-8 byte FF', method: 'POST', url: '/v1/sites', payload: siteWithBytes(0xff, 0xfe), status: 400, path: 'body/name', type: '/problems/malformed-json' },
  { name: 'overlong UTF-8 encoding', method: 'POST', url: '/v1/sites', payload: siteWithBytes(0xc0, 0xaf), status: 400, path: 'body/name', type: '/problems/malformed-json' },
  { name: 'truncated UTF-8 sequence', method: 'POST', url: '/v1/sites', payload: siteWithBytes(0xe4, 0xb8), status: 400, path: 'body/name', type: '/problems/malformed-json' },
  // timestamps the schema took but Date or PostgreSQL cannot hold
  ...timestampCases.map(([what, value]): Case => ({ name: `producedAt: ${what}`, method: 'POST', url: '/v1/lots', payload: lot({ producedAt: value }), status: 400, path: 'body/producedAt' })),
  { name: 'shippedAt: offset without minutes', method: 'POST', url: '/v1/shipments', payload: JSON.stringify({ toOrganizationId: processor.organization.id, lines: [{ lotId: seed.id, quantity: kg(1) }], shippedAt: '2024-10-01T08:00:00+08' }), status: 400, path: 'body/shippedAt' },
  { name: 'transformation occurredAt: leap second', method: 'POST', url: '/v1/transformations', payload: JSON.stringify({ occurredAt: '2016-12-31T23:59:60Z', inputs: [{ lotId: seed.id, quantity: kg(1) }], outputs: [{ stage: 'cultivation', lotNumber: 'B-1', quantity: { value: 10, unit: 'plant' } }] }), status: 400, path: 'body/occurredAt' },
  { name: 'observation occurredAt: year 10000', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({ occurredAt: '9999-12-31T23:59:59-23:59' }), status: 400, path: 'body/occurredAt' },
  { name: 'status occurredAt: year 0000', method: 'POST', url: `/v1/lots/${seed.id}/status`, payload: JSON.stringify({ status: 'hold', reason: 'x', occurredAt: '0000-01-01T00:00:00Z' }), status: 400, path: 'body/occurredAt' },
  // nesting
  { name: '10,000 nested arrays as the body', method: 'POST', url: '/v1/lots', payload: deep(10_000), status: 400, path: /^body(\/0){32}$/ },
  { name: '10,000 nested arrays in attributes', method: 'POST', url: '/v1/lots', payload: lot({ attributes: { deep: 0 } }).replace('"deep":0', `"deep":${deep(10_000)}`), status: 400, path: /^body\/attributes\/deep(\/0)+$/ },
  { name: '33 levels in attributes', method: 'POST', url: '/v1/lots', payload: lot({ attributes: { deep: 0 } }).replace('"deep":0', `"deep":${deep(31)}`), status: 400, path: /^body\/attributes\/deep(\/0){30}$/ },
  { name: 'free-form process params over 16 KiB', method: 'POST', url: '/v1/transformations', payload: JSON.stringify({ occurredAt: '2019-04-15T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(1) }], outputs: [{ stage: 'cultivation', lotNumber: 'B-2', quantity: { value: 10, unit: 'plant' } }], process: { steps: [{ op: '育苗', params: { notes: Array.from({ length: 2000 }, (_, i) => `第${i}床`) } }] } }), status: 400, path: 'body/process/steps/0/params' },
  // duplicate keys, prototype keys, numbers out of range
  { name: 'duplicate key (stage harvest, then seed)', method: 'POST', url: '/v1/lots', payload: lot().replace('"stage":"seed"', '"stage":"harvest","stage":"seed"'), status: 400, path: 'body/stage' },
  { name: 'duplicate key, nested', method: 'POST', url: '/v1/lots', payload: lot().replace('"value":1', '"value":1,"value":1000'), status: 400, path: 'body/quantity/value' },
  { name: 'duplicate key, escaped spelling', method: 'POST', url: '/v1/sites', payload: siteBody().replace('"name"', '"n\\u0061me":"旧基地","name"'), status: 400, path: 'body/name' },
  { name: 'duplicate key in a +json body', method: 'POST', url: '/v1/sites', headers: { ...coop.headers, 'content-type': 'application/merge-patch+json' }, payload: siteBody().replace('"name"', '"name":"x","name"'), status: 400, path: 'body/name' },
  { name: '__proto__ key', method: 'POST', url: '/v1/lots', payload: lot().replace('"stage"', '"attributes":{"__proto__":{"admin":true}},"stage"'), status: 400, path: 'body/attributes/__proto__' },
  { name: 'number beyond the double range', method: 'POST', url: '/v1/sites', payload: siteBody().replace('"kind"', '"areaMu":1e400,"kind"'), status: 400, path: 'body/areaMu' },
  // router errors
  { name: '%FF%FE in a path', method: 'GET', url: '/v1/lots/%FF%FE', status: 400, path: 'url' },
  { name: '10,000-character code on /q', method: 'GET', url: `/q/${'K'.repeat(10_000)}`, headers: { accept: 'application/json' }, status: 400, path: 'params/code' },
  { name: '10,000-character code on a QR image, no key', method: 'GET', url: `/v1/codes/${'K'.repeat(10_000)}/qr.svg`, headers: {}, status: 400, path: 'params/code' },
  { name: '20,000-character code (beyond the router limit)', method: 'GET', url: `/q/${'K'.repeat(20_000)}`, headers: {}, status: 414, path: 'params', type: '/problems/uri-too-long' },
  // cursors
  { name: 'cursor with year 0000', method: 'GET', url: `/v1/lots?cursor=${cursor(['0000-01-01T00:00:00Z', 'lot_x'])}`, status: 400, path: 'querystring/cursor' },
  { name: 'cursor with year 10000', method: 'GET', url: `/v1/sites?cursor=${cursor(['9999-12-31T23:59:59-23:59', 'site_x'])}`, status: 400, path: 'querystring/cursor' },
  { name: 'cursor beyond Date', method: 'GET', url: `/v1/organizations?cursor=${cursor(['+275760-09-13T00:00:00.000Z', 'org_x'])}`, status: 400, path: 'querystring/cursor' },
  { name: 'cursor with NUL in its id', method: 'GET', url: `/v1/shipments?cursor=${cursor(['2024-09-18T00:00:00.000Z', 'shp_\u0000'])}`, status: 400, path: 'querystring/cursor' },
  { name: 'timeline cursor beyond Date', method: 'GET', url: `/v1/lots/${seed.id}/timeline?cursor=${cursor([1e300, 1])}`, status: 400, path: 'querystring/cursor' },
  { name: 'timeline cursor beyond bigint', method: 'GET', url: `/v1/lots/${seed.id}/timeline?cursor=${cursor([Date.parse('2024-01-01'), 1e300])}`, status: 400, path: 'querystring/cursor' },
  // agro-input doses, future times, certificate dates, supplier credit code, lat without lon
  { name: 'negative dose', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({}, { dose: { value: -5, unit: 'kg/亩' } }), status: 400, path: 'body/data/dose/value' },
  { name: 'negative dose as text', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({}, { dose: { value: '-5', unit: 'kg/亩' } }), status: 400, path: 'body/data/dose/value' },
  { name: 'zero dose', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({}, { dose: { value: '0.000', unit: 'kg/亩' } }), status: 400, path: 'body/data/dose/value' },
  { name: 'absurd dose', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({}, { dose: { value: 1e12, unit: 'kg/亩' } }), status: 400, path: 'body/data/dose/value' },
  { name: 'absurd dose as text', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({}, { dose: { value: '99999999999', unit: 'kg/亩' } }), status: 400, path: 'body/data/dose/value' },
  { name: 'producedAt next year', method: 'POST', url: '/v1/lots', payload: lot({ producedAt: `${nextYear}-06-01T08:00:00+08:00` }), status: 400, path: 'body/producedAt' },
  { name: 'observation next year', method: 'POST', url: `/v1/lots/${seed.id}/events`, payload: observation({ occurredAt: `${nextYear}-06-01T08:00:00+08:00` }), status: 400, path: 'body/occurredAt' },
  { name: 'shipment next year', method: 'POST', url: '/v1/shipments', payload: JSON.stringify({ toOrganizationId: processor.organization.id, lines: [{ lotId: seed.id, quantity: kg(1) }], shippedAt: `${nextYear}-06-01T08:00:00+08:00` }), status: 400, path: 'body/shippedAt' },
  { name: 'certificate validFrom year 0000', method: 'POST', url: '/v1/certificates', payload: certificate({ validFrom: '0000-01-01' }), status: 400, path: 'body/validFrom' },
  { name: 'certificate validUntil year 9999', method: 'POST', url: '/v1/certificates', payload: certificate({ validUntil: '9999-12-31' }), status: 400, path: 'body/validUntil' },
  { name: 'certificate validFrom February 30', method: 'POST', url: '/v1/certificates', payload: certificate({ validFrom: '2024-02-30' }), status: 400, path: 'body/validFrom' },
  { name: 'certificate validUntil February 29 of a common year', method: 'POST', url: '/v1/certificates', payload: certificate({ validUntil: '2027-02-29' }), status: 400, path: 'body/validUntil' },
  { name: 'bad origin.supplierCreditCode', method: 'POST', url: '/v1/lots', payload: lot({ stage: 'harvest', origin: { type: 'external', supplierName: '外购', supplierCreditCode: badCreditCode } }), status: 400, path: 'body/origin/supplierCreditCode' },
  { name: 'lat without lon on /q', method: 'GET', url: `/q/${code}?lat=42.3`, headers: { accept: 'application/json' }, status: 400, path: 'querystring/lon' },
  { name: 'lon without lat on /q, for a browser too', method: 'GET', url: `/q/${code}?lon=127.2`, headers: { accept: 'text/html' }, status: 400, path: 'querystring/lat' },
  { name: 'lon without lat on a Digital Link', method: 'GET', url: '/01/06901234567892/10/L-1/21/K7mPqX3vRt9wZa2B?lon=127.2', headers: {}, status: 400, path: 'querystring/lat' },
];

for (const row of cases) {
  t.test(row.name, async (t) => {
    const before = await rowCounts(database);
    const headers = row.headers ?? (row.payload === undefined ? coop.headers : json);
    const res = await app.inject({ method: row.method, url: row.url, headers, ...(row.payload !== undefined ? { payload: row.payload } : {}) });
    const problem = expectProblem(t, res, row.status, row.type);
    const paths = (problem.errors ?? []).map((e) => e.path);
    if (typeof row.path === 'string') t.ok(paths.includes(row.path), `errors name ${row.path}: ${JSON.stringify(problem.errors)}`);
    else t.ok(paths.some((p) => (row.path as RegExp).test(p)), `errors match ${row.path}: ${JSON.stringify(problem.errors)?.slice(0, 300)}`);
    t.strictSame(await rowCounts(database), before, 'nothing stored');
  });
}

t.test('what is still accepted: timestamps within the rule, a day of clock skew, doses, real dates', async (t) => {
  const soon = new Date(Date.now() + 12 * 3600_000).toISOString();
  const created = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'OK-1', siteId: site.id, quantity: kg(1), producedAt: soon });
  t.equal(created.producedAt, soon, 'producedAt 12 hours ahead (clock skew) is kept as sent');
  const accepted: [string, string][] = [
    ['2024-09-18T08:00:00.5+05:45', '2024-09-18T08:00:00.500+05:45'],
    ['2024-09-18T08:00:00-00:00', '2024-09-18T08:00:00.000Z'],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59.999-12:00', '2024-02-29T23:59:59.999-12:00'],
  ];
  for (const [value, back] of accepted) {
    const res = await app.inject({ method: 'POST', url: `/v1/lots/${seed.id}/events`, headers: coop.headers, payload: { type: 'note', occurredAt: value, data: { text: value } } });
    if (value.startsWith('1900')) {
      t.equal(res.statusCode, 422, `${value}: a valid timestamp, refused only by the chronology rule`);
      continue;
    }
    t.equal(res.statusCode, 201, `${value} is a timestamp: ${res.body.slice(0, 200)}`);
    t.equal(res.json().occurredAt, back);
  }
  const dose = await app.inject({ method: 'POST', url: `/v1/lots/${seed.id}/events`, headers: json, payload: observation({}, { dose: { value: '3000000.5', unit: 'g/亩' } }) });
  t.equal(dose.statusCode, 201, `a large but real dose: ${dose.body.slice(0, 200)}`);
  const cert = await app.inject({ method: 'POST', url: '/v1/certificates', headers: json, payload: certificate({ validFrom: '2024-02-29', validUntil: '2200-12-31' }) });
  t.equal(cert.statusCode, 201, `leap day and the last day of 2200: ${cert.body.slice(0, 200)}`);
  const located = await app.inject({ method: 'GET', url: `/q/${code}?lat=42.3&lon=127.2`, headers: { accept: 'application/json' } });
  t.equal(located.statusCode, 200, 'lat with lon resolves');
  const external = await app.inject({
    method: 'POST',
    url: '/v1/lots',
    headers: json,
    payload: lot({ stage: 'harvest', lotNumber: 'EXT-1', origin: { type: 'external', supplierCreditCode: makeCreditCode() } }),
  });
  t.equal(external.statusCode, 201, `a valid supplier credit code: ${external.body.slice(0, 200)}`);
  const emoji = await app.inject({ method: 'POST', url: '/v1/sites', headers: json, payload: siteBody({ name: '基地 😀 \\ "quoted"' }) });
  t.equal(emoji.statusCode, 201, 'surrogate pairs and escapes are text');
  t.equal(emoji.json().name, '基地 😀 \\ "quoted"');
});

t.test('the JSON scan is linear and fast on a 1 MB body; deep values overflow nothing', async (t) => {
  const items = Array.from({ length: 9000 }, (_, i) => ({ lotId: `lot_${i.toString(36).padStart(16, '0')}`, quantity: { value: `${i}.125`, unit: 'kg' }, note: '长白山人参 🌱 "x"\n' }));
  const body = Buffer.from(JSON.stringify({ lines: items }));
  t.ok(body.length > 900_000, `${body.length} bytes`);
  parseStrictJson(body);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) parseStrictJson(body);
  const ms = Number(process.hrtime.bigint() - started) / 5e6;
  t.ok(ms < 250, `one parse of ${body.length} bytes took ${ms.toFixed(1)} ms`);
  t.strictSame(parseStrictJson(body), JSON.parse(body.toString()), 'the same value as JSON.parse');

  let nested: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) nested = { a: [nested] };
  const text = canonicalJson(nested);
  t.equal(text, `${'{"a":['.repeat(10_000)}"leaf"${']}'.repeat(10_000)}`, 'canonical JSON of 20,000 levels, no stack overflow');
  t.equal(canonicalJson({ b: [1, { d: undefined, c: null }], a: 'x' }), '{"a":"x","b":[1,{"c":null}]}', 'keys sorted, undefined members left out');
});

t.test('an unhandled database error is a 500 that reveals nothing, logged without its parameters', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/test/unhandled' });
  expectProblem(t, res, 500, '/problems/internal-error');
  t.notMatch(res.body, /select|integer|sk_live/, 'the answer says nothing of the query');
  t.equal(errorLog.length, 1, 'one error logged');
  const logged = JSON.stringify(errorLog);
  t.notMatch(logged, SECRET, `the log holds no parameter: ${logged.slice(0, 400)}`);
  t.match(logged, /select \$1::integer/, 'but the statement text');
  t.match(logged, /"code":"22P02"/, 'and the PostgreSQL error code');
  t.match(logged, /unhandled error/, 'as an unhandled error');

  // The driver error itself carries the value, in its message and its fields: loggableError drops them.
  let error: unknown;
  try {
    await database.db.execute(sql`select ${SECRET}::integer as n`);
  } catch (e) {
    error = e;
  }
  t.match(String((error as Error).message), SECRET, 'the raw error names the parameter');
  t.notMatch(JSON.stringify(loggableError(error)), SECRET, 'its logged form does not');
});

t.test('admin routes: the same refusals', async (t) => {
  const before = await rowCounts(database);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: { ...adminHeaders, 'content-type': 'application/json' },
    payload: JSON.stringify({ name: '组织', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' }).replace('"name"', '"name":"甲","name"'),
  });
  t.same(expectProblem(t, res, 400).errors, [{ path: 'body/name', message: 'is given more than once (duplicate key)' }]);
  t.strictSame(await rowCounts(database), before, 'nothing stored');
});
