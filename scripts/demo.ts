/**
 * `npm run demo`: records the worked ginseng chain and the antler chain of the domain brief through the HTTP
 * API of an already running HerbTrace service, as any client would (global fetch, no database access).
 *
 *   HERBTRACE_URL          base URL of the service (default http://localhost:3000)
 *   HERBTRACE_ADMIN_TOKEN  admin token; else read from ${HERBTRACE_DATA_DIR ?? './data'}/admin-token
 *   --new-setup-codes      reset the demo's people who exist already: owners get a new setup code, recorders
 *                          the demo password again (their password, two-factor and sessions are cleared)
 *
 * Besides the chains it records the worked lab report, the cooperative's GAP certificate and GI authorisations
 * (confirmed by a certification body), GI claims and QR codes, so that a scan page has something to show, and a
 * planting still growing for the cooperative to record on. For the field app at /app/ it creates people of the
 * cooperative, the processor, the manufacturer and the lab: an owner each, with a setup code, and a recorder
 * each, set up with a printed demo password so that a phone signs in at once.
 *
 * Safe to run again. Every POST carries a deterministic Idempotency-Key, so a rerun within 24 h replays the
 * stored responses (the same ids) and writes nothing. After 24 h the service forgets the keys; the script then
 * finds what it recorded before instead of creating it twice: organisations by credit code (409), lots by lot
 * number (409), and, once it knows it is recovering, sites, observations, shipments, receipts, lab reports,
 * certificates, GI claims and codes by looking them up before posting; people it always looks up first.
 * An API key's secret is shown only when it is made (a replay answers key: null), so the demo keeps the keys
 * it made in ${HERBTRACE_DATA_DIR ?? './data'}/demo-api-keys.json (HERBTRACE_DEMO_KEYS) and uses them again
 * while the service still accepts them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE_URL = (process.env.HERBTRACE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const DATA_DIR = process.env.HERBTRACE_DATA_DIR ?? './data';
/** Prefix of every Idempotency-Key. Bump it when a request body below changes (same key + other body = 422). */
const RUN = 'demo-v1';
/** organisation id → the API key the demo made for it (secrets, so the file is the owner's only). */
const KEY_FILE = process.env.HERBTRACE_DEMO_KEYS ?? path.join(DATA_DIR, 'demo-api-keys.json');
const NEW_SETUP_CODES = process.argv.includes('--new-setup-codes');
/**
 * The password the demo gives its recorders, printed at the end: a demo server's, never a real one's. Recorders
 * need no second factor (design.md §9), so with it a phone signs in right away.
 */
export const DEMO_PASSWORD = 'ginseng demo 2024';
/** The worked chain's lab report (domain.md step 5), also entered in the app by scripts/screenshots.ts. */
export const WORKED_LAB_RESULTS = [
  { analyte: 'ginsenoside_rg1_re', value: '0.52', unit: '%' },
  { analyte: 'ginsenoside_rb1', value: '0.38', unit: '%' },
  { analyte: 'moisture', value: '10.1', unit: '%' },
  { analyte: 'pb', value: '0.8', unit: 'mg/kg' },
];

// ---------------------------------------------------------------------------------------------------------
// Response shapes (the fields this script reads)

interface Quantity {
  value: number | string;
  unit: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Organization {
  id: string;
  name: string;
  creditCode: string;
  regionName: string;
}
interface CreatedApiKey {
  id: string;
  key: string;
}
interface Site {
  id: string;
  kind: string;
  name: string;
  regionName: string;
}
interface Lot {
  id: string;
  lotNumber: string;
  stage: string;
  speciesCode: string;
  producer: { id: string; name: string };
  holder: { id: string; name: string };
  quantity: Quantity;
  remaining: Quantity;
  status: string;
}
interface Transformation {
  id: string;
  outputs: Lot[];
}
interface Shipment {
  id: string;
  status: 'in_transit' | 'received' | 'refused';
  toOrganization: { id: string; name: string };
  shippedAt: string;
  lines: { lotId: string; sourceLotId: string; quantity: Quantity }[];
}
interface LotEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}
interface Problem {
  title?: string;
  detail?: string;
  rule?: string;
  errors?: { path: string; message: string }[];
}

/** An organisation the demo acts as, with its API key. */
interface Actor {
  id: string;
  name: string;
  key: string;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP client

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
  }
}

const stats = { created: 0, replayed: 0, found: 0 };
/** Set once an organisation turns out to exist already: idempotency records may have expired, so look first. */
let recovering = false;

/** One request; returns the JSON body, or throws with the problem+json detail when the status is not `expect`. */
async function api<T>(
  method: 'GET' | 'POST',
  route: string,
  options: { token: string; body?: unknown; idempotencyKey?: string; expect?: number },
): Promise<T> {
  const expect = options.expect ?? (method === 'POST' ? 201 : 200);
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

  const res = await fetch(`${BASE_URL}${route}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status !== expect) {
    const problem = json as Problem | undefined;
    const fields = problem?.errors?.map((e) => `\n    ${e.path}: ${e.message}`).join('') ?? '';
    const detail = problem?.detail ?? (text.slice(0, 300) || res.statusText);
    throw new ApiError(res.status, problem, `${method} ${route} → ${res.status} (expected ${expect}): ${detail}${fields}`);
  }
  if (method === 'POST') {
    if (res.headers.get('idempotent-replayed') === 'true') stats.replayed++;
    else stats.created++;
  }
  return json as T;
}

const post = <T>(token: string, route: string, step: string, body: unknown, expect = 201) =>
  api<T>('POST', route, { token, body, idempotencyKey: `${RUN}-${step}`, expect });
const get = <T>(token: string, route: string) => api<T>('GET', route, { token });

const isStatus = (err: unknown, ...statuses: number[]) => err instanceof ApiError && statuses.includes(err.status);

/** Walks `?limit=&cursor=` pages until `match` finds an item. */
async function findInPages<T>(token: string, route: string, match: (item: T) => boolean): Promise<T | undefined> {
  let cursor: string | null = null;
  do {
    const sep = route.includes('?') ? '&' : '?';
    const page: Page<T> = await get<Page<T>>(token, `${route}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const hit = page.items.find(match);
    if (hit) return hit;
    cursor = page.nextCursor;
  } while (cursor);
  return undefined;
}

async function countAll(token: string, route: string): Promise<number> {
  let n = 0;
  await findInPages(token, route, () => {
    n++;
    return false;
  });
  return n;
}

/**
 * Find-or-create for one step. While recovering, look first; otherwise post, and when the post conflicts
 * (409 duplicate, 422 e.g. an input already consumed by the first run) look for what the first run made.
 */
async function ensure<T>(what: string, find: () => Promise<T | undefined>, create: () => Promise<T>): Promise<T> {
  if (recovering) {
    const found = await find();
    if (found !== undefined) {
      stats.found++;
      return found;
    }
  }
  try {
    return await create();
  } catch (err) {
    if (!isStatus(err, 409, 422)) throw err;
    const found = await find();
    if (found === undefined) throw err;
    stats.found++;
    console.log(`  (${what}: already recorded, found it)`);
    return found;
  }
}

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);
const kg = (value: number | string): Quantity => ({ value, unit: 'kg' });

// ---------------------------------------------------------------------------------------------------------
// Steps

let adminToken = '';

interface OrganizationSpec {
  slug: string;
  name: string;
  kinds: string[];
  /** 统一社会信用代码: 91 company / 93 农民专业合作社, region code in characters 3–8, check characters valid. */
  creditCode: string;
  regionCode: string;
}

let savedKeys: Record<string, string> = {};

function loadKeys() {
  let text: string;
  try {
    text = readFileSync(KEY_FILE, 'utf8');
  } catch {
    return; // the first run: no keys yet
  }
  try {
    savedKeys = JSON.parse(text) as Record<string, string>;
  } catch (err) {
    fail(`${KEY_FILE} is not JSON (${err instanceof Error ? err.message : String(err)}): remove it and the demo makes new API keys.`);
  }
}

/** The demo's API key of an organisation: the one kept from an earlier run while the service accepts it, else a new one. */
async function apiKeyFor(org: Organization): Promise<{ key: string; reused: boolean }> {
  const saved = savedKeys[org.id];
  if (saved) {
    const res = await fetch(`${BASE_URL}/v1/sites?limit=1`, { headers: { authorization: `Bearer ${saved}` } });
    if (res.status === 200) return { key: saved, reused: true };
    if (res.status !== 401) throw new Error(`checking the saved API key of ${org.name}: GET /v1/sites → ${res.status}`);
  }
  // A new key each time one is needed, so no Idempotency-Key: a replay would answer without the secret.
  const created = await api<CreatedApiKey>('POST', `/v1/organizations/${org.id}/api-keys`, { token: adminToken, body: { name: 'HerbTrace demo (npm run demo)' } });
  savedKeys[org.id] = created.key;
  mkdirSync(path.dirname(KEY_FILE), { recursive: true });
  writeFileSync(KEY_FILE, `${JSON.stringify(savedKeys, null, 2)}\n`, { mode: 0o600 });
  return { key: created.key, reused: false };
}

async function ensureOrganization(spec: OrganizationSpec): Promise<Actor> {
  const { slug, ...body } = spec;
  let org: Organization;
  let found = false;
  try {
    org = await post<Organization>(adminToken, '/v1/organizations', `org-${slug}`, body);
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
    // Registered by an earlier run whose idempotency record has expired: find it by its credit code.
    const existing = await findInPages<Organization>(adminToken, '/v1/organizations', (o) => o.creditCode === spec.creditCode);
    if (!existing) throw err;
    if (existing.name !== spec.name) {
      throw new Error(`Credit code ${spec.creditCode} is registered to ${existing.name}, not to the demo's ${spec.name}.`, { cause: err });
    }
    org = existing;
    stats.found++;
    recovering = true;
    found = true;
  }
  const { key, reused } = await apiKeyFor(org);
  const note = [found ? 'registered before: found by credit code' : '', reused ? '' : `new API key, kept in ${KEY_FILE}`].filter(Boolean).join('; ');
  console.log(`  ${pad(org.name, 32)} ${org.id}  ${spec.creditCode}${note ? `  (${note})` : ''}`);
  return { id: org.id, name: org.name, key };
}

interface SiteBody {
  kind: string;
  name: string;
  regionCode: string;
  location?: { lat: number; lon: number };
  areaMu?: number;
}

function ensureSite(actor: Actor, step: string, body: SiteBody): Promise<Site> {
  return ensure(
    `site ${body.name}`,
    () => findInPages<Site>(actor.key, `/v1/sites?kind=${body.kind}`, (s) => s.name === body.name),
    () => post<Site>(actor.key, '/v1/sites', step, body),
  );
}

/** Lots this organisation produced, by stage and lot number; undefined unless every one is found. */
async function findOwnLots(actor: Actor, speciesCode: string, wanted: { stage: string; lotNumber: string }[]): Promise<Lot[] | undefined> {
  const found: Lot[] = [];
  for (const w of wanted) {
    const lot = await findInPages<Lot>(
      actor.key,
      `/v1/lots?stage=${w.stage}&speciesCode=${speciesCode}`,
      (l) => l.lotNumber === w.lotNumber && l.producer.id === actor.id,
    );
    if (!lot) return undefined;
    found.push(lot);
  }
  return found;
}

interface CommissionBody {
  stage: string;
  speciesCode: string;
  lotNumber: string;
  siteId: string;
  quantity: Quantity;
  producedAt: string;
  attributes?: Record<string, unknown>;
}

async function commissionLot(actor: Actor, step: string, body: CommissionBody): Promise<Lot> {
  const [lot] = await ensure(
    `lot ${body.lotNumber}`,
    () => findOwnLots(actor, body.speciesCode, [body]),
    async () => [await post<Lot>(actor.key, '/v1/lots', step, body)],
  );
  return lot!;
}

interface TransformationBody {
  occurredAt: string;
  siteId?: string;
  inputs: { lotId: string; quantity: Quantity }[];
  outputs: { stage: string; lotNumber: string; quantity: Quantity; gtin?: string; attributes?: Record<string, unknown> }[];
  process?: { steps: { op: string; params?: Record<string, unknown> }[] };
}

/** Records a transformation and returns its output lots (found by lot number when recorded before). */
function transform(actor: Actor, step: string, speciesCode: string, body: TransformationBody): Promise<Lot[]> {
  return ensure(
    `transformation ${body.outputs.map((o) => o.lotNumber).join(', ')}`,
    () => findOwnLots(actor, speciesCode, body.outputs),
    async () => (await post<Transformation>(actor.key, '/v1/transformations', step, body)).outputs,
  );
}

interface AgroInput {
  type: 'agro_input';
  occurredAt: string;
  data: { category: string; product: string; registrationNumber?: string; dose: Quantity; area?: string; preHarvestIntervalDays?: number };
}

function observe(actor: Actor, lot: Lot, step: string, body: AgroInput): Promise<LotEvent> {
  return ensure(
    `${body.type} ${body.data.product}`,
    async () =>
      (await get<{ items: LotEvent[] }>(actor.key, `/v1/lots/${lot.id}/timeline`)).items.find(
        (e) => e.type === body.type && sameInstant(e.occurredAt, body.occurredAt) && e.data.product === body.data.product,
      ),
    () => post<LotEvent>(actor.key, `/v1/lots/${lot.id}/events`, step, body),
  );
}

function ship(
  from: Actor,
  to: Actor,
  step: string,
  body: { lines: { lotId: string; quantity?: Quantity }[]; shippedAt: string; note?: string },
): Promise<Shipment> {
  return ensure(
    `shipment to ${to.name}`,
    () =>
      findInPages<Shipment>(
        from.key,
        '/v1/shipments?direction=outgoing',
        (s) =>
          s.toOrganization.id === to.id &&
          sameInstant(s.shippedAt, body.shippedAt) &&
          body.lines.every((l) => s.lines.some((sl) => sl.sourceLotId === l.lotId)),
      ),
    () => post<Shipment>(from.key, '/v1/shipments', step, { toOrganizationId: to.id, ...body }),
  );
}

function receive(by: Actor, shipment: Shipment, step: string, body: { receivedAt: string; siteId: string }): Promise<Shipment> {
  return ensure(
    `receipt of ${shipment.id}`,
    async () => {
      const current = await get<Shipment>(by.key, `/v1/shipments/${shipment.id}`);
      return current.status === 'received' ? current : undefined;
    },
    () => post<Shipment>(by.key, `/v1/shipments/${shipment.id}/receive`, step, body, 200),
  );
}

interface LabResultBody {
  reportNumber: string;
  sampledAt: string;
  testedAt: string;
  results: { analyte: string; value: string; unit: string }[];
}
interface LabReport {
  id: string;
  reportNumber: string;
  verdict: string;
  items: { analyte: string; verdict: string }[];
}

/** The holder lets the lab submit results for its lot, and the lab submits its report (judged by the service). */
async function labReport(holder: Actor, lab: Actor, lot: Lot, step: string, body: LabResultBody): Promise<LabReport> {
  await ensure(
    `lab grant of ${lot.lotNumber}`,
    async () => (await get<{ items: { lot: { id: string } }[] }>(lab.key, '/v1/lab-grants')).items.find((g) => g.lot.id === lot.id),
    () => post<unknown>(holder.key, `/v1/lots/${lot.id}/lab-grants`, `${step}-grant`, { labOrganizationId: lab.id }),
  );
  return ensure(
    `lab report ${body.reportNumber}`,
    async () => (await get<{ items: LabReport[] }>(lab.key, `/v1/lots/${lot.id}/lab-results`)).items.find((r) => r.reportNumber === body.reportNumber),
    () => post<LabReport>(lab.key, `/v1/lots/${lot.id}/lab-results`, step, body),
  );
}

interface CertificateBody {
  kind: 'gap' | 'organic' | 'gi_use';
  organizationId?: string;
  siteId?: string;
  giCode?: string;
  product?: string;
  authority: string;
  number: string;
  validFrom: string;
  validUntil: string;
}
interface Certificate {
  id: string;
  kind: string;
  number: string;
  authority: string;
  assertion: 'self_declared' | 'confirmed';
}

/**
 * A certificate of `holder`: recorded by the certification body for it (confirmed by that recording), or by the
 * holder itself and then confirmed by the body, the two ways the quality module knows. Only confirmed ones
 * count for GI claims and verification.
 */
async function certificate(holder: Actor, certifier: Actor, recordedBy: 'holder' | 'certifier', step: string, body: CertificateBody): Promise<Certificate> {
  const find = async () =>
    (await get<{ items: Certificate[] }>(adminToken, `/v1/certificates?organizationId=${holder.id}&number=${encodeURIComponent(body.number)}`)).items.find(
      (c) => c.authority === body.authority && c.kind === body.kind,
    );
  const recorded = await ensure(`certificate ${body.number}`, find, () =>
    recordedBy === 'certifier'
      ? post<Certificate>(certifier.key, '/v1/certificates', step, { ...body, organizationId: holder.id })
      : post<Certificate>(holder.key, '/v1/certificates', step, body),
  );
  if (recorded.assertion === 'confirmed') return recorded;
  return ensure(
    `confirmation of ${body.number}`,
    async () => {
      const current = await find();
      return current?.assertion === 'confirmed' ? current : undefined;
    },
    () => post<Certificate>(certifier.key, `/v1/certificates/${recorded.id}/confirm`, `${step}-confirm`, { note: '核对证书原件及登记信息' }, 200),
  );
}

/** The lot's holder claims a GI for it; the service checks origins and the producer's confirmed authorisation. */
function giClaim(holder: Actor, lot: Lot, step: string, body: { giCode: string; claimedAt: string }) {
  return ensure(
    `GI claim ${body.giCode} on ${lot.lotNumber}`,
    async () => (await get<{ items: { gi: { code: string } }[] }>(holder.key, `/v1/lots/${lot.id}/gi-claims`)).items.find((c) => c.gi.code === body.giCode),
    () => post<unknown>(holder.key, `/v1/lots/${lot.id}/gi-claims`, step, body),
  );
}

/** QR codes of a product lot, issued once: an earlier run's are found and reused. */
async function issueCodes(holder: Actor, lot: Lot, step: string, count: number): Promise<{ code: string; url: string }[]> {
  return ensure(
    `codes of ${lot.lotNumber}`,
    async () => {
      const page = await get<Page<{ code: string; url: string }>>(holder.key, `/v1/lots/${lot.id}/codes?limit=${count}`);
      return page.items.length > 0 ? page.items : undefined;
    },
    async () => (await post<{ codes: { code: string; url: string }[] }>(holder.key, `/v1/lots/${lot.id}/codes`, step, { count, level: 'unit' })).codes,
  );
}

// ---------------------------------------------------------------------------------------------------------
// The two chains of the domain brief

async function ginsengChain() {
  console.log('\n人参 ginseng: seed farm → cooperative → origin processing → decoction pieces → capsules → pharmacy');
  const seedFarm = await ensureOrganization({ slug: 'jingyu-seed-farm', name: '靖宇县长白良种参苗繁育场', kinds: ['seed_producer'], creditCode: '91220622MA0Y3K7P8D', regionCode: '220622' });
  const coop = await ensureOrganization({ slug: 'songling-coop', name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative', 'gap_base'], creditCode: '93220621MA14XY2N61', regionCode: '220621' });
  const processor = await ensureOrganization({ slug: 'yajiang-processor', name: '集安市鸭江参业产地加工有限公司', kinds: ['processor'], creditCode: '91220582MA0Y5D1R89', regionCode: '220582' });
  const pieces = await ensureOrganization({ slug: 'bencaoyuan-pieces', name: '通化本草源中药饮片有限公司', kinds: ['decoction_piece_maker'], creditCode: '91220502MA0Y6H4TX5', regionCode: '220502' });
  const maker = await ensureOrganization({ slug: 'songhe-maker', name: '通化松鹤健康产品有限公司', kinds: ['manufacturer'], creditCode: '91220502MA0Y8B6W10', regionCode: '220502' });
  const pharmacy = await ensureOrganization({ slug: 'chunhe-pharmacy', name: '长春春和大药房连锁有限公司', kinds: ['retailer'], creditCode: '91220102MA0Y9C3U4H', regionCode: '220102' });
  const lab = await ensureOrganization({ slug: 'changbaishan-lab', name: '通化长白山中药材质量检测有限公司', kinds: ['lab'], creditCode: '91220502MA0YB7CJ9T', regionCode: '220502' });
  // Fictional like the others: the body that certifies the GAP base and stands behind the GI authorisations.
  const certifier = await ensureOrganization({ slug: 'changbaishan-certifier', name: '吉林长白山道地药材认证有限公司', kinds: ['certifier'], creditCode: '91220102MA0YC5FN0Q', regionCode: '220102' });

  const nursery = await ensureSite(seedFarm, 'site-jingyu-nursery', { kind: 'seed_nursery', name: '靖宇良种参苗圃', regionCode: '220622', location: { lat: 42.39, lon: 126.81 } });
  const base = await ensureSite(coop, 'site-songling-base', { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80, location: { lat: 42.33, lon: 127.27 } });
  const plant = await ensureSite(processor, 'site-yajiang-plant', { kind: 'processing_plant', name: '鸭江产地加工厂', regionCode: '220582', location: { lat: 41.13, lon: 126.19 } });
  const piecesPlant = await ensureSite(pieces, 'site-bencaoyuan-workshop', { kind: 'processing_plant', name: '本草源饮片车间', regionCode: '220502' });
  const factory = await ensureSite(maker, 'site-songhe-capsules', { kind: 'processing_plant', name: '松鹤胶囊车间', regionCode: '220502' });
  const store = await ensureSite(pharmacy, 'site-chunhe-store', { kind: 'market', name: '春和大药房重庆路店', regionCode: '220102', location: { lat: 43.89, lon: 125.32 } });
  console.log(`  sites: ${[nursery, base, plant, piecesPlant, factory, store].map((s) => s.name).join(', ')}`);

  // The base's GAP certificate, recorded by the certification body (so confirmed), and the cooperative's
  // authorisation to use 长白山人参, recorded by the cooperative and confirmed by the body.
  const gap = await certificate(coop, certifier, 'certifier', 'ginseng-cert-gap', {
    kind: 'gap', siteId: base.id, product: '人参', authority: certifier.name, number: 'JLCB-GAP-2023-0217', validFrom: '2023-06-01', validUntil: '2028-05-31',
  });
  const gi = await certificate(coop, certifier, 'holder', 'ginseng-cert-gi', {
    kind: 'gi_use', giCode: 'changbaishan-renshen', product: '人参', authority: '国家知识产权局', number: 'GI-2023-0417', validFrom: '2023-03-01', validUntil: '2028-02-29',
  });
  console.log(`  certificates: ${[gap, gi].map((c) => `${c.kind} ${c.number} (${c.assertion})`).join(', ')}`);

  // 1. Seed lot and two-year seedlings at the seed farm.
  const seed = await commissionLot(seedFarm, 'ginseng-01-seed-lot', {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'JL-JY-RS-SD-2018-001', siteId: nursery.id, quantity: kg(40),
    producedAt: '2018-09-20T09:00:00+08:00',
    attributes: { variety: '边条参', germplasmOrigin: '长白山', seedCertificate: '吉种证2018-015', germinationRatePct: 92.5 },
  });
  const [seedlings] = await transform(seedFarm, 'ginseng-02-sowing', 'renshen', {
    occurredAt: '2019-04-25T08:00:00+08:00',
    inputs: [{ lotId: seed.id, quantity: kg(40) }],
    outputs: [{ stage: 'seed', lotNumber: 'JL-JY-RS-SL-2021', quantity: { value: 150000, unit: 'plant' }, attributes: { variety: '边条参', ageYears: 2 } }],
  });

  // 2. Seedlings to the cooperative, transplanted into beds B-03..B-06 of the 80 亩 base; inputs logged.
  const toCoop = await ship(seedFarm, coop, 'ginseng-03-ship-seedlings', { lines: [{ lotId: seedlings!.id }], shippedAt: '2021-04-10T07:00:00+08:00' });
  await receive(coop, toCoop, 'ginseng-04-receive-seedlings', { receivedAt: '2021-04-11T15:00:00+08:00', siteId: base.id });
  const [bed] = await transform(coop, 'ginseng-05-transplant', 'renshen', {
    occurredAt: '2021-04-15T08:00:00+08:00',
    inputs: [{ lotId: seedlings!.id, quantity: { value: 150000, unit: 'plant' } }],
    outputs: [{
      stage: 'cultivation', lotNumber: 'SL-2021-B03-06', quantity: { value: 150000, unit: 'plant' },
      attributes: { plot: '松岭', beds: ['B-03', 'B-04', 'B-05', 'B-06'], mode: '生态种植', households: 24, transplantedAt: '2021-04-15' },
    }],
  });
  await observe(coop, bed!, 'ginseng-06-fertilizer-2022', {
    type: 'agro_input', occurredAt: '2022-05-12T07:00:00+08:00',
    data: { category: 'fertilizer', product: '腐熟农家肥', dose: { value: '1500', unit: 'kg/亩' }, area: 'B-03..B-06' },
  });
  await observe(coop, bed!, 'ginseng-07-fungicide-2022', {
    type: 'agro_input', occurredAt: '2022-06-02T07:30:00+08:00',
    data: { category: 'fungicide', product: '多菌灵可湿性粉剂', registrationNumber: 'PD20070001', dose: { value: '0.1', unit: 'kg/亩' }, preHarvestIntervalDays: 30, area: 'B-03..B-06' },
  });

  // 3. Harvest, September 2024: 6-year roots, 4,000 kg fresh.
  const [harvest] = await transform(coop, 'ginseng-08-harvest', 'renshen', {
    occurredAt: '2024-09-18T08:00:00+08:00',
    inputs: [{ lotId: bed!.id, quantity: { value: 150000, unit: 'plant' } }],
    outputs: [{ stage: 'harvest', lotNumber: 'SL-2024-H01', quantity: kg(4000), attributes: { rootAgeYears: 6 } }],
  });

  // 4. To the processor at Ji'an; 生晒参 850 kg and 红参 300 kg (fresh : dry ≈ 3.4 : 1), 50 kg fresh left over.
  const toProcessor = await ship(coop, processor, 'ginseng-09-ship-harvest', { lines: [{ lotId: harvest!.id }], shippedAt: '2024-09-19T06:00:00+08:00' });
  await receive(processor, toProcessor, 'ginseng-10-receive-harvest', { receivedAt: '2024-09-19T16:00:00+08:00', siteId: plant.id });
  // The processor, now holding the harvest, claims the GI the cooperative (its producer) is authorised for.
  await giClaim(processor, harvest!, 'ginseng-10-gi-claim', { giCode: 'changbaishan-renshen', claimedAt: '2024-09-19T17:00:00+08:00' });
  const [shengShai] = await transform(processor, 'ginseng-11-shengshaishen', 'renshen', {
    occurredAt: '2024-10-08T10:00:00+08:00',
    inputs: [{ lotId: harvest!.id, quantity: kg(2950) }],
    outputs: [{ stage: 'processed', lotNumber: 'YJ-2024-SSS-01', quantity: kg(850), attributes: { form: '生晒参' } }],
    process: { steps: [{ op: '洗', params: { method: '刷洗' } }, { op: '干燥', params: { method: '烘干', temperatureC: 45, hours: 72 } }] },
  });
  const [hongShen] = await transform(processor, 'ginseng-12-hongshen', 'renshen', {
    occurredAt: '2024-10-08T14:00:00+08:00',
    inputs: [{ lotId: harvest!.id, quantity: kg(1000) }],
    outputs: [{ stage: 'processed', lotNumber: 'YJ-2024-HS-01', quantity: kg(300), attributes: { form: '红参' } }],
    process: { steps: [{ op: '洗' }, { op: '蒸', params: { hours: 3, temperatureC: 100 } }, { op: '干燥', params: { temperatureC: 55 } }] },
  });

  // 5. The lab tests the 生晒参 (granted by the processor holding it): judged against 中国药典 人参, a pass.
  const report = await labReport(processor, lab, shengShai!, 'ginseng-12-lab-report', {
    reportNumber: 'THJC-2024-1018',
    sampledAt: '2024-10-12T09:00:00+08:00',
    testedAt: '2024-10-16T15:00:00+08:00',
    results: WORKED_LAB_RESULTS,
  });
  console.log(`  lab report ${report.reportNumber} on ${shengShai!.lotNumber}: ${report.verdict} (${report.items.map((i) => `${i.analyte} ${i.verdict}`).join(', ')})`);

  // 6. 800 of the 850 kg 生晒参 to the decoction-piece maker (a child lot splits off and travels): 人参片 700 kg.
  const toPieces = await ship(processor, pieces, 'ginseng-13-ship-shengshaishen', { lines: [{ lotId: shengShai!.id, quantity: kg(800) }], shippedAt: '2024-10-20T09:00:00+08:00' });
  await receive(pieces, toPieces, 'ginseng-14-receive-shengshaishen', { receivedAt: '2024-10-21T09:00:00+08:00', siteId: piecesPlant.id });
  const shengShaiAtPieces = toPieces.lines[0]!.lotId;
  const [slices] = await transform(pieces, 'ginseng-15-slicing', 'renshen', {
    occurredAt: '2024-11-05T09:00:00+08:00',
    inputs: [{ lotId: shengShaiAtPieces, quantity: kg(760) }],
    outputs: [{ stage: 'decoction_piece', lotNumber: 'BCY-RSP-2411', quantity: kg(700), attributes: { spec: '人参片 1–2 mm', executingStandard: '中国药典2020年版' } }],
    process: { steps: [{ op: '润', params: { hours: 12 } }, { op: '切', params: { thicknessMm: '1-2' } }, { op: '干燥', params: { temperatureC: 60 } }] },
  });

  // 7. 500 kg of slices to the manufacturer: 40,000 boxes of health-food capsules with a GTIN.
  const toMaker = await ship(pieces, maker, 'ginseng-16-ship-slices', { lines: [{ lotId: slices!.id, quantity: kg(500) }], shippedAt: '2024-11-20T09:00:00+08:00' });
  await receive(maker, toMaker, 'ginseng-17-receive-slices', { receivedAt: '2024-11-21T09:00:00+08:00', siteId: factory.id });
  const slicesAtMaker = toMaker.lines[0]!.lotId;
  const [capsules] = await transform(maker, 'ginseng-18-capsules', 'renshen', {
    occurredAt: '2024-12-01T09:00:00+08:00',
    inputs: [{ lotId: slicesAtMaker, quantity: kg(500) }],
    outputs: [{
      stage: 'product', lotNumber: 'SH-2412-01', quantity: { value: 40000, unit: 'box' }, gtin: '6901234567892',
      attributes: { name: '人参胶囊', category: '保健食品', approvalNumber: '国食健注G20240001', expiryDate: '2027-11-30' },
    }],
  });
  // Each box carries its own QR code; a few for the demo (the service issues up to 100,000 per request).
  const capsuleCodes = await issueCodes(maker, capsules!, 'ginseng-18-codes', 20);

  // 8. 30,000 boxes by cold chain to the pharmacy chain in Changchun.
  const toPharmacy = await ship(maker, pharmacy, 'ginseng-19-ship-capsules', {
    lines: [{ lotId: capsules!.id, quantity: { value: 30000, unit: 'box' } }],
    shippedAt: '2024-12-10T09:00:00+08:00',
    note: '冷链运输 2–8 °C',
  });
  await receive(pharmacy, toPharmacy, 'ginseng-20-receive-capsules', { receivedAt: '2024-12-11T09:00:00+08:00', siteId: store.id });

  // 9. Not in the worked chain: a planting still in the ground, so that the cooperative's recorder has a lot to
  //    record inputs and a harvest on in the field app (the worked chain's beds are all harvested).
  const ownSeedlings = await commissionLot(coop, 'ginseng-21-own-seedlings', {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'SL-SD-2023', siteId: base.id, quantity: { value: 60000, unit: 'plant' },
    producedAt: '2023-04-10T08:00:00+08:00', attributes: { variety: '边条参', ageYears: 2 },
  });
  const [growing] = await transform(coop, 'ginseng-22-transplant-2023', 'renshen', {
    occurredAt: '2023-04-20T08:00:00+08:00',
    inputs: [{ lotId: ownSeedlings.id, quantity: { value: 60000, unit: 'plant' } }],
    outputs: [{
      stage: 'cultivation', lotNumber: 'SL-2023-B07-08', quantity: { value: 60000, unit: 'plant' },
      attributes: { plot: '松岭', beds: ['B-07', 'B-08'], mode: '生态种植', households: 24, transplantedAt: '2023-04-20' },
    }],
  });
  await observe(coop, growing!, 'ginseng-23-fertilizer-2024', {
    type: 'agro_input', occurredAt: '2024-05-10T07:00:00+08:00',
    data: { category: 'fertilizer', product: '腐熟农家肥', dose: { value: '1500', unit: 'kg/亩' }, area: 'B-07..B-08' },
  });

  return {
    lotIds: [seed.id, seedlings!.id, bed!.id, harvest!.id, shengShai!.id, hongShen!.id, shengShaiAtPieces, slices!.id, slicesAtMaker, capsules!.id, toPharmacy.lines[0]!.lotId, ownSeedlings.id, growing!.id],
    harvestId: harvest!.id,
    processor,
    coop,
    maker,
    lab,
    certifier,
    capsuleCodes,
    shelfLotId: toPharmacy.lines[0]!.lotId,
    pharmacy,
  };
}

async function antlerChain(certifier: Actor) {
  console.log('\n鹿茸 antler: deer cooperative cuts 二杠茸 → Shuangyang processor dries, slices and boxes it');
  const deerCoop = await ensureOrganization({ slug: 'luming-deer-coop', name: '东丰县鹿鸣梅花鹿养殖专业合作社', kinds: ['cooperative', 'farm'], creditCode: '93220421MA14Y05L15', regionCode: '220421' });
  const antlerCo = await ensureOrganization({ slug: 'rongxiang-antler', name: '长春市双阳区茸乡鹿业有限公司', kinds: ['processor', 'manufacturer'], creditCode: '91220112MA0YA27Q57', regionCode: '220112' });
  const farm = await ensureSite(deerCoop, 'site-luming-deer-farm', { kind: 'animal_farm', name: '鹿鸣鹿场', regionCode: '220421', location: { lat: 42.68, lon: 125.53 } });
  const works = await ensureSite(antlerCo, 'site-rongxiang-works', { kind: 'processing_plant', name: '茸乡加工车间', regionCode: '220112', location: { lat: 43.52, lon: 125.66 } });

  const herd = await commissionLot(deerCoop, 'antler-01-herd', {
    stage: 'seed', speciesCode: 'lurong', lotNumber: 'LM-HERD-2019', siteId: farm.id, quantity: { value: 120, unit: 'head' },
    producedAt: '2019-05-01T08:00:00+08:00', attributes: { variety: '双阳梅花鹿' },
  });
  const [pen] = await transform(deerCoop, 'antler-02-raising', 'lurong', {
    occurredAt: '2019-05-02T08:00:00+08:00',
    inputs: [{ lotId: herd.id, quantity: { value: 120, unit: 'head' } }],
    outputs: [{ stage: 'cultivation', lotNumber: 'LM-2019-PEN1', quantity: { value: 120, unit: 'head' }, attributes: { mode: '人工养殖' } }],
  });
  const [antler] = await transform(deerCoop, 'antler-03-cut', 'lurong', {
    occurredAt: '2024-06-12T05:00:00+08:00',
    inputs: [{ lotId: pen!.id, quantity: { value: 9, unit: 'head' } }],
    outputs: [{ stage: 'harvest', lotNumber: 'LM-2024-EG', quantity: kg(18), attributes: { antlerGrade: '二杠', deerId: 'DF-031..DF-039' } }],
  });
  const shipped = await ship(deerCoop, antlerCo, 'antler-04-ship', { lines: [{ lotId: antler!.id }], shippedAt: '2024-06-12T10:00:00+08:00', note: '鲜茸冷藏运输' });
  await receive(antlerCo, shipped, 'antler-05-receive', { receivedAt: '2024-06-12T18:00:00+08:00', siteId: works.id });
  const [antlerSlices] = await transform(antlerCo, 'antler-06-dry-slice', 'lurong', {
    occurredAt: '2024-07-01T09:00:00+08:00',
    inputs: [{ lotId: antler!.id, quantity: kg(18) }],
    outputs: [{ stage: 'decoction_piece', lotNumber: 'RX-LR-2407', quantity: kg('6.3'), attributes: { spec: '鹿茸片' } }],
    process: { steps: [{ op: '烫', params: { rounds: 4 } }, { op: '干燥', params: { temperatureC: 70 } }, { op: '切', params: { thicknessMm: '0.5-1' } }] },
  });
  const [giftBoxes] = await transform(antlerCo, 'antler-07-gift-boxes', 'lurong', {
    occurredAt: '2024-07-10T09:00:00+08:00',
    inputs: [{ lotId: antlerSlices!.id, quantity: kg('6.3') }],
    outputs: [{ stage: 'product', lotNumber: 'RX-GB-2407', quantity: { value: 210, unit: 'box' }, attributes: { name: '吉林梅花鹿鹿茸片礼盒', category: '食品', giClaim: '吉林梅花鹿' } }],
  });

  // The gift box's 「吉林梅花鹿」: the processor's authorisation, confirmed by the certification body, then the claim.
  await certificate(antlerCo, certifier, 'holder', 'antler-08-gi-authorisation', {
    kind: 'gi_use', giCode: 'jilin-meihualu', product: '鹿茸', authority: '国家知识产权局', number: 'GI-2022-0906', validFrom: '2022-01-01', validUntil: '2027-12-31',
  });
  await giClaim(antlerCo, giftBoxes!, 'antler-09-gi-claim', { giCode: 'jilin-meihualu', claimedAt: '2024-07-10T12:00:00+08:00' });
  const giftBoxCodes = await issueCodes(antlerCo, giftBoxes!, 'antler-10-codes', 10);

  return { lotIds: [herd.id, pen!.id, antler!.id, antlerSlices!.id, giftBoxes!.id], giftBoxCodes };
}

// ---------------------------------------------------------------------------------------------------------
// People for the field app

interface PersonSpec {
  organization: Actor;
  name: string;
  login: string;
  role: 'owner' | 'recorder';
}
interface User {
  id: string;
  login: string;
  name: string;
  role: string;
  status: 'pending' | 'active' | 'deactivated';
  twoFactor: { enabled: boolean; required: boolean };
}
interface UserWithSetupCode {
  user: User;
  setupCode: string | null;
  setupCodeExpiresAt: string;
}
/** One line of the sign-in table printed at the end. */
interface Person {
  organization: string;
  role: string;
  login: string;
  /** The demo password, or how the person sets up. */
  signIn: string;
}

/**
 * The recorder's first setup, done by the demo through the API as the app would do it (POST /v1/auth/setup with
 * the setup code and the demo password), then the session the setup opened is ended: the person signs in on
 * their phone with the printed password.
 */
async function setDemoPassword(login: string, setupCode: string): Promise<{ twoFactorEnrolmentRequired: boolean }> {
  const res = await fetch(`${BASE_URL}/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ login, setupCode, password: DEMO_PASSWORD }),
  });
  const answer = (await res.json().catch(() => undefined)) as (Problem & { csrfToken?: string; twoFactorEnrolmentRequired?: boolean }) | undefined;
  if (res.status !== 200) throw new ApiError(res.status, answer, `POST /v1/auth/setup (${login}) → ${res.status}: ${answer?.detail ?? res.statusText}`);
  stats.created++;
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('__Host-ht_session='));
  if (cookie && answer?.csrfToken) {
    const out = await fetch(`${BASE_URL}/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': answer.csrfToken } });
    if (out.status !== 204) console.log(`  (${login}: the setup session could not be ended, ${out.status}; it expires by itself)`);
  }
  return { twoFactorEnrolmentRequired: answer?.twoFactorEnrolmentRequired === true };
}

/**
 * One person: looked up by login first, so a rerun never creates them twice. A new owner gets a setup code
 * (owners enrol two-factor in the app, which the demo cannot do for them); a new recorder is set up with the
 * demo password. One that exists is left alone unless --new-setup-codes asks for a reset.
 */
async function ensurePerson(spec: PersonSpec): Promise<Person> {
  const org = spec.organization;
  const members = await get<{ items: User[] }>(adminToken, `/v1/organizations/${org.id}/users`);
  const existing = members.items.find((u) => u.login.toLowerCase() === spec.login.toLowerCase());
  const row = (signIn: string): Person => ({ organization: org.name, role: spec.role, login: spec.login, signIn });
  const finish = async (issued: UserWithSetupCode, what: string): Promise<Person> => {
    if (!issued.setupCode) throw new Error(`${what} ${spec.login} answered without a setup code (a replayed request?): run again with --new-setup-codes.`);
    if (spec.role === 'owner') return row(`setup code ${issued.setupCode} (until ${issued.setupCodeExpiresAt.slice(0, 16)}Z; then a password and two-factor in the app)`);
    const { twoFactorEnrolmentRequired } = await setDemoPassword(spec.login, issued.setupCode);
    return row(`password "${DEMO_PASSWORD}"${twoFactorEnrolmentRequired ? ' (this service requires two-factor for recorders: enrol it at the first sign-in)' : ''}`);
  };

  if (!existing) {
    // The admin creates the first owner and, since an owner's session needs two-factor first, the members too.
    const created = await post<UserWithSetupCode>(adminToken, `/v1/organizations/${org.id}/users`, `user-${spec.login}`, { name: spec.name, login: spec.login, role: spec.role }).catch((err: unknown) => {
      if (isStatus(err, 409)) throw new Error(`The login ${spec.login} is taken by someone outside ${org.name}: the demo cannot create its ${spec.role} there.`, { cause: err });
      throw err;
    });
    return finish(created, 'Creating');
  }
  stats.found++;
  if (existing.role !== spec.role) console.log(`  (${spec.login} is ${existing.role} now, not the demo's ${spec.role})`);
  if (existing.status === 'deactivated') return row('deactivated: an owner of the organisation deactivated this member');
  if (NEW_SETUP_CODES) {
    // No Idempotency-Key: every reset asked for is a new one.
    const reset = await api<UserWithSetupCode>('POST', `/v1/organizations/${org.id}/users/${existing.id}/setup-code`, { token: adminToken, expect: 200 });
    return finish(reset, 'Resetting');
  }
  const again = 'npm run demo -- --new-setup-codes';
  if (existing.status === 'pending') return row(`exists, not set up yet: its setup code was printed when it was created (a new one: ${again})`);
  if (spec.role === 'owner') return row(`exists, set up: signs in with their password and two-factor (start over: ${again})`);
  return row(`password "${DEMO_PASSWORD}" (exists; unless changed since: ${again} sets it again)`);
}

function demoPeople(coop: Actor, processor: Actor, maker: Actor, lab: Actor): PersonSpec[] {
  return [
    { organization: coop, name: '王松林', login: 'songling.wang', role: 'owner' },
    { organization: coop, name: '李记录', login: 'songling.li', role: 'recorder' },
    { organization: processor, name: '陈厂长', login: 'yajiang.chen', role: 'owner' },
    { organization: processor, name: '张班长', login: 'yajiang.zhang', role: 'recorder' },
    { organization: maker, name: '周经理', login: 'songhe.zhou', role: 'owner' },
    { organization: maker, name: '刘主管', login: 'songhe.liu', role: 'recorder' },
    { organization: lab, name: '孙主任', login: 'thjc.sun', role: 'owner' },
    { organization: lab, name: '赵化验', login: 'thjc.zhao', role: 'recorder' },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Start-up checks, summary

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

function readAdminToken(): string {
  const fromEnv = process.env.HERBTRACE_ADMIN_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(DATA_DIR, 'admin-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch {
    // reported below
  }
  return fail(
    `no admin token. Set HERBTRACE_ADMIN_TOKEN, or HERBTRACE_DATA_DIR to the service's data directory ` +
      `(${file} does not exist; the service writes it at its first start on the embedded database).`,
  );
}

async function checkReady() {
  let res: Response;
  try {
    res = await fetch(`${BASE_URL}/ready`);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return fail(`the service does not answer at ${BASE_URL}/ready (${cause}). Start it (npm start) or set HERBTRACE_URL.`);
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => undefined)) as Problem | undefined;
    fail(`${BASE_URL}/ready answered ${res.status}: ${body?.detail ?? res.statusText}`);
  }
  try {
    await get(adminToken, '/v1/organizations?limit=1');
  } catch (err) {
    fail(`the admin token was refused: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function totals() {
  const [organizations, sites, lots] = await Promise.all([
    countAll(adminToken, '/v1/organizations'),
    countAll(adminToken, '/v1/sites'),
    countAll(adminToken, '/v1/lots'),
  ]);
  return { organizations, sites, lots };
}

/** Terminal columns of a string: CJK and full-width characters take two. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i]!))));
  for (const [n, row] of rows.entries()) {
    console.log(`  ${row.map((cell, i) => pad(cell, widths[i]!)).join('  ')}`.trimEnd());
    if (n === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
}

async function main() {
  const unknown = process.argv.slice(2).filter((a) => a !== '--new-setup-codes');
  if (unknown.length > 0) fail(`unknown argument ${unknown.join(' ')} (the one option is --new-setup-codes)`);
  adminToken = readAdminToken();
  loadKeys();
  await checkReady();
  console.log(`HerbTrace demo against ${BASE_URL} (Idempotency-Key prefix ${RUN})`);
  const before = await totals();

  const ginseng = await ginsengChain();
  const antler = await antlerChain(ginseng.certifier);

  // Printed at the very end, where the quick start sends the reader.
  const people: Person[] = [];
  for (const spec of demoPeople(ginseng.coop, ginseng.processor, ginseng.maker, ginseng.lab)) people.push(await ensurePerson(spec));

  const lots = await Promise.all([...ginseng.lotIds, ...antler.lotIds].map((id) => get<Lot>(adminToken, `/v1/lots/${id}`)));
  console.log('\nLots');
  printTable([
    ['id', 'stage', 'lot number', 'holder', 'remaining'],
    ...lots.map((l) => [l.id, l.stage, l.lotNumber, l.holder.name, `${l.remaining.value} / ${l.quantity.value} ${l.quantity.unit}`]),
  ]);

  const after = await totals();
  const delta = (k: keyof typeof before) => `${after[k]} (${after[k] - before[k] >= 0 ? '+' : ''}${after[k] - before[k]})`;
  console.log(
    `\nRequests: ${stats.created} POSTs wrote, ${stats.replayed} replayed by Idempotency-Key, ${stats.found} found already recorded.` +
      `\nIn the service now: ${delta('organizations')} organisations, ${delta('sites')} sites, ${delta('lots')} lots.`,
  );

  console.log('\nWhere to look next');
  console.log(`  The harvest lot's story (as ${ginseng.processor.name}):`);
  console.log(`    curl -s ${BASE_URL}/v1/lots/${ginseng.harvestId}/timeline -H 'Authorization: Bearer ${ginseng.processor.key}'`);
  console.log(`  Its lots held at Ji'an:`);
  console.log(`    curl -s '${BASE_URL}/v1/lots?holder=${ginseng.processor.id}' -H 'Authorization: Bearer ${ginseng.processor.key}'`);
  console.log(`  Where the pharmacy's capsules come from (provenance back to the seed lot, with origin shares):`);
  console.log(`    curl -s ${BASE_URL}/v1/lots/${ginseng.shelfLotId}/provenance -H 'Authorization: Bearer ${ginseng.pharmacy.key}'`);
  console.log(`  Everything made from the harvest, grouped by holder (the recall question, as the processor holding it):`);
  console.log(`    curl -s ${BASE_URL}/v1/lots/${ginseng.harvestId}/descendants -H 'Authorization: Bearer ${ginseng.processor.key}'`);
  console.log(`  What a consumer sees scanning a box of capsules (test verdicts, certificates, GI; English with ?lang=en):`);
  console.log(`    ${BASE_URL}/q/${ginseng.capsuleCodes[0]!.code}`);
  console.log(`  … and a 「吉林梅花鹿」 antler gift box:`);
  console.log(`    ${BASE_URL}/q/${antler.giftBoxCodes[0]!.code}`);
  console.log(`  API reference (Swagger UI): ${BASE_URL}/docs`);

  console.log(`\nField app: open ${BASE_URL}/app/ and sign in${NEW_SETUP_CODES ? ' (--new-setup-codes: existing people reset)' : ''}`);
  printTable([['organisation', 'role', 'login', 'sign in with'], ...people.map((p) => [p.organization, p.role, p.login, p.signIn])]);
  console.log('  Recorders need no second factor: their phones stay signed in. Owners choose a password and enrol two-factor');
  console.log(`  (an authenticator app) under 首次使用 / First time. The demo password is for a demo server only.`);
  console.log('  A phone needs the service over HTTPS: the session cookie is Secure, accepted over plain HTTP from localhost only.');
}

// Run as a script; imported (scripts/screenshots.ts, for the password) it does nothing.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    fail(err instanceof Error ? err.message : String(err));
  });
}
