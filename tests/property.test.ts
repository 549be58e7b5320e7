import t from 'tap';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { textProblem } from '../src/lib/strict-json.js';
import { adminHeaders, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { rowCounts } from './support/row-counts.js';

/**
 * Property: for every POST and PUT route, and every GET route with path or query parameters, as listed by the
 * app's own OpenAPI document, requests whose fields are hostile (wrong types, NUL, lone surrogates, invalid
 * UTF-8, duplicate keys, huge and negative numbers, deep nesting, long strings, bad or future timestamps,
 * unknown fields), at least one of them certainly refused, never give a 5xx, always give problem+json and
 * store nothing. Bodies come in two kinds: (A) every field hostile, one certainly invalid for its schema;
 * (B) a body valid for its schema (generated from it, with real ids where the field is an id) whose every
 * timestamp lies in the future, so the services themselves, not only the schemas, meet odd values.
 * FC_SEED=<n> replays a run; FC_RUNS=<n> changes the runs per route.
 */

const RUNS_PER_WRITE_ROUTE = Number(process.env.FC_RUNS ?? 30);
const RUNS_PER_READ_ROUTE = Math.ceil(RUNS_PER_WRITE_ROUTE / 2);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative', 'manufacturer'] });
const processor = await createOrganization({ name: '吉林参业加工厂', kinds: ['processor'] });
const lab = await createOrganization({ name: '检测中心', kinds: ['lab'] });
const site = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地', regionCode: '220621' });
const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: site.id, quantity: kg(40), producedAt: '2018-09-20T09:00:00+08:00' });
const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: seed.id, quantity: kg(1) }], shippedAt: '2018-10-01T09:00:00+08:00' });
const issued = await c.call('POST', `/v1/lots/${seed.id}/codes`, coop.headers, { count: 1, level: 'lot' });
const certificate = await c.call('POST', '/v1/certificates', coop.headers, { kind: 'other', authority: '吉林省药品监督管理局', number: 'P-1', validFrom: '2024-01-01', validUntil: '2027-12-31' });

await app.ready();

// ---- the routes, from the app's OpenAPI document ----

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  nullable?: boolean;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
}
const openapi = app.swagger() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const resolve = (schema: Schema): Schema => {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) s = openapi.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  return s;
};

/** Real values for path parameters, so requests get past "no such lot" to the checks behind it. */
function realParam(path: string, name: string): string | undefined {
  if (path.startsWith('/q/') || path.startsWith('/01/')) return undefined; // a real code would record a scan
  if (name === 'keyId') return undefined;
  if (path.startsWith('/v1/lots/')) return seed.id;
  if (path.startsWith('/v1/shipments/')) return shipment.id;
  if (path.startsWith('/v1/organizations/')) return coop.organization.id;
  if (path.startsWith('/v1/sites/')) return site.id;
  if (path.startsWith('/v1/certificates/')) return certificate.id;
  if (path.startsWith('/v1/codes/')) return issued.codes[0].code;
  if (path.startsWith('/v1/gi-products/')) return 'changbaishan-renshen';
  if (path.startsWith('/v1/species/')) return 'renshen';
  return undefined;
}

/** Real values for body fields by name (kind B bodies), mixed with generated ones. */
const REAL_FIELDS: Record<string, string[]> = {
  lotId: [seed.id],
  siteId: [site.id],
  toOrganizationId: [processor.organization.id, coop.organization.id],
  organizationId: [coop.organization.id],
  labOrganizationId: [lab.organization.id],
  speciesCode: ['renshen', 'lurong'],
  giCode: ['changbaishan-renshen'],
  regionCode: ['220621'],
  analyte: ['moisture', 'pb', 'ginsenoside_rg1_re'],
};

// ---- hostile values ----

/** JSON text written as it is into a body (what JSON.stringify cannot or would not write). */
class Raw {
  constructor(readonly json: string) {}
}
const toJson = (v: unknown): string => {
  if (v instanceof Raw) return v.json;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
};

const nextYear = new Date().getUTCFullYear() + 1;
const BAD_TIMESTAMPS = [
  '2024-09-18T08:00:00+08',
  '2016-12-31T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '1899-12-31T23:59:59Z',
  '2024-02-30T08:00:00+08:00',
  '2024-09-18T08:00:00',
  '2024-09-18 08:00:00Z',
  '2024-09-18T08:00:00.1234Z',
  '+275760-09-13T00:00:00.000Z',
  '',
];

/** Refused wherever they stand in a body: by the JSON parser. */
const parserPoison: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 6 }).map((s) => `${s}\u0000${s}`),
  fc.constantFrom('\ud800', 'x\udfff', '\udbff\ud800', '\udc00\ud800'),
  fc.integer({ min: 33, max: 10_000 }).map((n) => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.integer({ min: 33, max: 300 }).map((n) => new Raw(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
  fc.constantFrom(new Raw('1e400'), new Raw('-1e999')),
);

/** Hostile, but perhaps valid for the field. */
const maybeHostile: fc.Arbitrary<unknown> = fc.oneof(
    // eslint-disable-next-line no-loss-of-precision -- a number beyond double precision on purpose
  fc.constantFrom(-1, 0, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e-300, 0.1234567, 99999999999999999999),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    'x'.repeat(5000),
    '长白山人参',
    '😀',
    `${nextYear}-01-01T00:00:00+08:00`,
    '1900-01-01T00:00:00Z',
    '2200-12-31T23:59:59Z',
    '2024-09-18T08:00:00+08:00',
    'lot_doesnotexist0000',
    "'; drop table lots; --",
    '../../etc/passwd',
    '%00',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const TYPE_SAMPLES: [string, unknown][] = [
  ['null', null],
  ['boolean', true],
  ['integer', 7],
  ['number', 2.5],
  ['string', 'text'],
  ['array', []],
  ['object', {}],
];

/** The JSON types a schema admits; undefined when any. */
function allowedTypes(schema: Schema): Set<string> | undefined {
  const s = resolve(schema);
  const branches = s.anyOf ?? s.oneOf;
  let types: Set<string> | undefined;
  if (branches) {
    types = new Set();
    for (const b of branches) {
      const bt = allowedTypes(b);
      if (!bt) return undefined;
      for (const x of bt) types.add(x);
    }
  } else if (s.type) types = new Set(Array.isArray(s.type) ? s.type : [s.type]);
  else if (s.enum) types = new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)));
  else if (s.properties) types = new Set(['object']);
  else return undefined;
  if (s.nullable) types.add('null');
  return types;
}

const MAX_GENERATED_DEPTH = 3;

/** Values certainly refused for this schema. */
function refusedFor(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const arbs: fc.Arbitrary<unknown>[] = [parserPoison];
  const allowed = allowedTypes(s);
  if (allowed) {
    const wrong = TYPE_SAMPLES.filter(([type]) => !allowed.has(type) && !(type === 'integer' && allowed.has('number'))).map(([, v]) => v);
    if (wrong.length > 0) arbs.push(fc.constantFrom(...wrong));
  }
  if (!s.anyOf && !s.oneOf) {
    if (s.enum) arbs.push(fc.constantFrom('not-in-the-enum', 'SEED'));
    if (s.type === 'string') {
      if (s.maxLength !== undefined) arbs.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 40 }).map((n) => '长'.repeat(n)));
      if (s.minLength) arbs.push(fc.constant(''));
      if (s.format === 'date-time') arbs.push(fc.constantFrom(...BAD_TIMESTAMPS));
      if (s.format === 'date') arbs.push(fc.constantFrom('0000-01-01', '9999-12-31', '2024-02-30', '2023-02-29', '24-01-01'));
    }
    if (s.type === 'integer' || s.type === 'number') {
      if (typeof s.minimum === 'number') arbs.push(fc.constantFrom(s.minimum - 1, -1e308));
      if (typeof s.exclusiveMinimum === 'number') arbs.push(fc.constantFrom(s.exclusiveMinimum, s.exclusiveMinimum - 1));
      if (typeof s.maximum === 'number') arbs.push(fc.constantFrom(s.maximum + 1, 1e308));
      if (typeof s.exclusiveMaximum === 'number') arbs.push(fc.constantFrom(s.exclusiveMaximum, s.exclusiveMaximum + 1));
      if (s.type === 'integer') arbs.push(fc.constantFrom(1.5, -0.25));
    }
    if (s.type === 'array') {
      if (s.minItems) arbs.push(fc.constant([]));
      if (s.maxItems !== undefined && s.maxItems < 1000) arbs.push(fc.constant(new Array<number>(s.maxItems + 1).fill(0)));
      if (s.items && depth < MAX_GENERATED_DEPTH) arbs.push(fc.tuple(refusedFor(s.items, depth + 1), fc.array(anyFor(s.items, depth + 1), { maxLength: 2 })).map(([bad, rest]) => [...rest, bad]));
    }
  }
  if ((s.type === 'object' || s.properties || s.oneOf) && depth < MAX_GENERATED_DEPTH) arbs.push(refusedObject(s, depth + 1));
  return fc.oneof(...arbs);
}

/** A hostile value for this schema: certainly refused or perhaps not, shaped like the schema when it is an object or array. */
function anyFor(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const arbs: fc.Arbitrary<unknown>[] = [refusedFor(s, depth), maybeHostile, maybeHostile];
  if (depth < MAX_GENERATED_DEPTH) {
    if (s.properties) arbs.push(fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, p]) => [k, anyFor(p, depth + 1)])), { requiredKeys: [] }));
    if (s.type === 'array' && s.items) arbs.push(fc.array(anyFor(s.items, depth + 1), { minLength: 1, maxLength: 3 }));
  }
  return fc.oneof(...arbs);
}

/** An object of hostile members, at least one of them (or an unknown member) certainly refused. */
function refusedObject(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.oneOf) return fc.oneof(...s.oneOf.map((branch) => refusedObject(branch, depth)));
  const properties = s.properties ?? {};
  const keys = Object.keys(properties);
  const members = fc.record(Object.fromEntries(keys.map((k) => [k, anyFor(properties[k]!, depth)])), { requiredKeys: [] });
  const poisoned = fc.constantFrom(...(keys.length > 0 ? keys : ['anything']));
  return fc.tuple(members, poisoned).chain(([object, key]) => {
    const options: fc.Arbitrary<unknown>[] = [refusedFor(properties[key] ?? {}, depth).map((bad) => ({ ...object, [key]: bad }))];
    if (s.additionalProperties === false) options.push(fc.constant({ ...object, unknownField: 'x' }));
    return fc.oneof(...options);
  });
}

// ---- bodies valid for their schema (kind B) ----

// eslint-disable-next-line no-control-regex -- control characters are what this helper looks for
const isText = (s: string) => textProblem(s) === undefined && !/[\u0000-\u001f]/.test(s);
const futureTimestamp = fc
  .integer({ min: 26, max: 3650 * 24 })
  .map((hours) => new Date(Date.now() + hours * 3_600_000).toISOString());

function validFor(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const generated = generate(s, depth);
  const real = REAL_FIELDS[name];
  return real ? fc.oneof(fc.constantFrom(...real), generated) : generated;
}

/** Strings matching a pattern; fast-check cannot build from every regular expression (lookaheads), then filtering. */
function matching(pattern: string): fc.Arbitrary<string> {
  const regex = new RegExp(pattern, 'u');
  try {
    return fc.stringMatching(regex);
  } catch {
    return fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }), fc.stringMatching(/^[0-9]{1,8}(\.[0-9]{1,6})?$/)).filter((x) => regex.test(x));
  }
}

function generate(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => validFor(b, '', depth)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'string': {
      if (s.format === 'date-time') return futureTimestamp; // the poison of a kind-B body
      if (s.format === 'date') return fc.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      const min = s.minLength ?? 0;
      const max = Math.min(s.maxLength ?? 40, 40);
      const text = s.pattern ? matching(s.pattern) : fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, max) });
      return text.filter((x) => x.length >= min && x.length <= (s.maxLength ?? Infinity) && isText(x));
    }
    case 'integer': {
      const min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : (s.minimum ?? -1e9);
      const max = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : (s.maximum ?? 1e9);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    }
    case 'number': {
      const min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : (s.minimum ?? -1e12);
      const max = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : (s.maximum ?? 1e12);
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter((x) => (typeof s.exclusiveMinimum !== 'number' || x > s.exclusiveMinimum) && (typeof s.exclusiveMaximum !== 'number' || x < s.exclusiveMaximum));
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = s.items ? validFor(s.items, '', depth + 1) : fc.constant(null);
      const constraints = { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) };
      return s.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(items, constraints);
    }
    case 'object': {
      if (!s.properties) return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter(isText), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }).filter(isText)), { maxKeys: 3 });
      if (depth >= MAX_GENERATED_DEPTH + 2) return fc.constant({});
      const required = s.required ?? [];
      const timestamps = Object.keys(s.properties).filter((k) => resolve(s.properties![k]!).format === 'date-time');
      return fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, p]) => [k, validFor(p, k, depth + 1)])), {
        // Every timestamp is present: an absent optional one would default to now and the body might be stored.
        requiredKeys: [...new Set([...required, ...timestamps])],
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const hasTimestamp = (schema: Schema): boolean => {
  const s = resolve(schema);
  if (s.oneOf) return s.oneOf.every(hasTimestamp);
  return Object.values(s.properties ?? {}).some((p) => resolve(p).format === 'date-time');
};

/** A request body: kind A (refused by schema or parser), or kind B (valid, dated in the future) where possible. */
function bodyFor(schema: Schema): fc.Arbitrary<string | Buffer> {
  const kindA = fc.tuple(refusedObject(schema, 1), fc.constantFrom('plain', 'plain', 'plain', 'duplicate', 'utf-8')).map(([value, mode]) => {
    const text = toJson(value);
    if (!text.startsWith('{')) return text;
    const rest = text === '{}' ? '}' : `,${text.slice(1)}`;
    if (mode === 'duplicate') return `{"dup":1,"dup":2${rest}`;
    if (mode === 'utf-8') return Buffer.concat([Buffer.from('{"bad":"'), Buffer.from([0xff, 0xfe]), Buffer.from(`"${rest}`)]);
    return text;
  });
  if (!hasTimestamp(schema)) return kindA;
  return fc.oneof(kindA, generate(resolve(schema), 1).map((value) => JSON.stringify(value)));
}

// ---- URLs ----

const HOSTILE_PATH_SEGMENTS = ['%00', 'lot_%00x', '%ED%A0%80', '%FF%FE', '%E0%A4%A', '%zz', '%', 'x'.repeat(10_000), '%C0%AF'];
const HOSTILE_QUERY_VALUES = ['%00', 'a%00b', '%ED%A0%80', '%FF', '%zz', '%E0%A4%A', '%'];

function paramValue(path: string, p: Parameter, refused: boolean): fc.Arbitrary<string> {
  const s = resolve(p.schema);
  const certain: string[] = [...HOSTILE_PATH_SEGMENTS];
  if (s.maxLength !== undefined) certain.push('k'.repeat(s.maxLength + 1));
  if (refused) return fc.constantFrom(...certain);
  const real = realParam(path, p.name);
  const random = fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent);
  return real ? fc.oneof(fc.constant(real), fc.constant(real), random, fc.constantFrom(...certain)) : fc.oneof(random, fc.constantFrom(...certain));
}

function queryValue(p: Parameter, refused: boolean): fc.Arbitrary<string> {
  const s = resolve(p.schema);
  const certain: string[] = [...HOSTILE_QUERY_VALUES];
  if (s.type === 'integer' || s.type === 'number') certain.push('abc', '1e400', '--1');
  if (s.type === 'integer') certain.push('1.5');
  if (s.enum) certain.push('not-in-the-enum');
  if (s.maxLength !== undefined) certain.push('q'.repeat(s.maxLength + 1));
  if (refused) return fc.constantFrom(...certain);
  const maybe = fc.oneof(
    fc.constantFrom('', '-1', '0', '99999999999999999999', 'x'.repeat(300), encodeURIComponent('😀'), encodeURIComponent(Buffer.from('["0000-01-01T00:00:00Z","x"]').toString('base64url'))),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.integer({ min: -1000, max: 100_000 }).map(String),
  );
  return fc.oneof(maybe, maybe, fc.constantFrom(...certain));
}

/** The URL of a request: params and query hostile; when `refuse`, one of them certainly refused. */
function urlFor(path: string, op: Operation, refuse: boolean): fc.Arbitrary<string> {
  const params = (op.parameters ?? []).filter((p) => p.in === 'path');
  const query = (op.parameters ?? []).filter((p) => p.in === 'query');
  const slots = [...params.map((p) => ({ p, where: 'path' as const })), ...query.map((p) => ({ p, where: 'query' as const }))];
  return fc.integer({ min: 0, max: Math.max(0, slots.length - 1) }).chain((poisoned) => {
    const parts = slots.map((slot, i) => {
      const refused = refuse && i === poisoned;
      if (slot.where === 'path') return paramValue(path, slot.p, refused);
      const value = queryValue(slot.p, refused);
      return refused ? value : fc.option(value, { nil: undefined });
    });
    return fc.tuple(...(parts as fc.Arbitrary<string | undefined>[])).map((values) => {
      let url = path;
      const q: string[] = [];
      slots.forEach((slot, i) => {
        const v = values[i];
        if (slot.where === 'path') url = url.replace(`{${slot.p.name}}`, v ?? '');
        else if (v !== undefined) q.push(`${slot.p.name}=${v}`);
      });
      return q.length > 0 ? `${url}?${q.join('&')}` : url;
    });
  });
}

// ---- the property ----

interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  op: Operation;
  body?: Schema;
}
const routes: Route[] = [];
for (const [path, methods] of Object.entries(openapi.paths)) {
  if (path.startsWith('/docs')) continue;
  for (const [method, op] of Object.entries(methods)) {
    const body = op.requestBody?.content?.['application/json']?.schema;
    if (method === 'post' || method === 'put') routes.push({ method: method.toUpperCase() as 'POST' | 'PUT', path, op, ...(body ? { body } : {}) });
    else if (method === 'get' && (op.parameters ?? []).some((p) => p.in === 'path' || p.in === 'query')) routes.push({ method: 'GET', path, op });
  }
}

/** Admin routes take the admin token, the rest an organisation key: found by asking. */
async function headersFor(route: Route): Promise<Record<string, string>> {
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => realParam(route.path, name) ?? 'x');
  const probe = await app.inject({ method: route.method, url, headers: { ...coop.headers, accept: 'application/json' } });
  const asAdmin = probe.statusCode === 403 && /admin token/.test(probe.body);
  return { ...(asAdmin ? adminHeaders : coop.headers), accept: 'application/json' };
}

const describe = (res: LightMyRequestResponse) => `${res.statusCode} ${String(res.headers['content-type'])} ${res.body.slice(0, 300)}`;

t.ok(routes.filter((r) => r.method !== 'GET').length >= 15, `${routes.length} routes under test`);

for (const route of routes) {
  t.test(`${route.method} ${route.path}`, async (t) => {
    const headers = await headersFor(route);
    const write = route.method !== 'GET';
    const request = write
      ? fc.record({ url: urlFor(route.path, route.op, false), payload: route.body ? bodyFor(route.body) : fc.constant(undefined) })
      : fc.record({ url: urlFor(route.path, route.op, true), payload: fc.constant(undefined) });
    const statuses = new Map<number, number>();
    // Nothing else writes while the property runs, and a run that stores anything fails it: so each run's
    // counts afterwards are the next run's counts before (one counting statement a run, not two).
    let before = await rowCounts(database);
    await fc.assert(
      fc.asyncProperty(request, async ({ url, payload }) => {
        const res = await app.inject({
          method: route.method,
          url,
          headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          ...(payload !== undefined ? { payload } : {}),
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`5xx: ${describe(res)}`);
        if (res.statusCode < 400) throw new Error(`a hostile request was accepted: ${describe(res)}`);
        if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`not problem+json: ${describe(res)}`);
        const after = await rowCounts(database);
        const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
        before = after;
        if (changed.length > 0) throw new Error(`stored something in ${changed.join(', ')}: ${describe(res)}`);
      }),
      { numRuns: write ? RUNS_PER_WRITE_ROUTE : RUNS_PER_READ_ROUTE, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
    t.pass(`statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
  });
}
