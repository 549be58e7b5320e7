import t from 'tap';
import { count, eq } from 'drizzle-orm';
import { lots, sites } from '../src/db/schema.js';
import { adminHeaders, setupApp } from './support/app.js';
import { errorPaths, expectProblem, isRecentTimestamp, listAll } from './support/http.js';

interface Site {
  id: string;
  organizationId: string;
  kind: string;
  name: string;
  regionCode: string;
  regionName: string;
  location: { lat: number; lon: number } | null;
  areaMu: number | null;
  gln: string | null;
  createdAt: string;
}

const { app, database, createOrganization } = await setupApp(t);

const farm = await createOrganization({ name: '松岭合作社', kinds: ['cooperative', 'gap_base'] });
const postSite = (payload: unknown, headers: Record<string, string> = farm.headers) =>
  app.inject({ method: 'POST', url: '/v1/sites', headers, payload: payload as Record<string, unknown> });
const allSites = () => listAll<Site>(app, '/v1/sites', adminHeaders);
const createSite = async (headers: Record<string, string>, payload: Record<string, unknown> = {}) => {
  const res = await postSite({ kind: 'cultivation_base', name: '基地', regionCode: '220621', ...payload }, headers);
  if (res.statusCode !== 201) throw new Error(`creating a site failed: ${res.statusCode} ${res.body}`);
  return res.json() as Site;
};

t.test('create a site: 201, Location, location/areaMu/gln round-trip, regionName', async (t) => {
  const payload = {
    kind: 'cultivation_base',
    name: '松岭GAP园参基地',
    regionCode: '220621',
    location: { lat: 42.331234, lon: 127.274321 },
    areaMu: 80.125,
    gln: '6901234000108',
  };
  const res = await postSite(payload);
  t.equal(res.statusCode, 201, res.body);
  const site = res.json() as Site;
  t.match(site.id, /^site_[0-9a-z]{16}$/);
  t.equal(res.headers.location, `/v1/sites/${site.id}`);
  t.ok(isRecentTimestamp(site.createdAt), `createdAt ${site.createdAt}`);
  t.strictSame(site, {
    id: site.id,
    organizationId: farm.organization.id,
    kind: 'cultivation_base',
    name: '松岭GAP园参基地',
    regionCode: '220621',
    regionName: '吉林省 白山市 抚松县',
    location: { lat: 42.331234, lon: 127.274321 },
    areaMu: 80.125,
    gln: '6901234000108',
    createdAt: site.createdAt,
  });

  const read = await app.inject({ method: 'GET', url: res.headers.location as string, headers: farm.headers });
  t.equal(read.statusCode, 200);
  t.strictSame(read.json(), site, 'GET returns what POST returned');

  const [row] = await database.db.select().from(sites).where(eq(sites.id, site.id));
  t.equal(row?.areaMu, '80.125', 'stored exactly as numeric');
});

t.test('optional fields are null when absent; integer and large areas round-trip', async (t) => {
  const bare = await createSite(farm.headers, { kind: 'warehouse', name: '仓库', regionCode: '220600' });
  t.equal(bare.location, null);
  t.equal(bare.areaMu, null);
  t.equal(bare.gln, null);
  t.equal(bare.regionName, '吉林省 白山市');
  t.equal(bare.kind, 'warehouse');

  const whole = await createSite(farm.headers, { areaMu: 80 });
  t.equal(whole.areaMu, 80);
  const large = await createSite(farm.headers, { areaMu: 123456789.999 });
  t.equal(large.areaMu, 123456789.999);
  const edge = await createSite(farm.headers, { location: { lat: -90, lon: 180 } });
  t.strictSame(edge.location, { lat: -90, lon: 180 }, 'the bounds themselves are valid');
});

t.test('validation: 400 naming the field, nothing stored', async (t) => {
  const valid = { kind: 'cultivation_base', name: '校验基地', regionCode: '220621' };
  const cases: { name: string; payload: Record<string, unknown>; paths: string[] }[] = [
    { name: 'lat 91', payload: { ...valid, location: { lat: 91, lon: 127 } }, paths: ['body/location/lat'] },
    { name: 'lat -90.5', payload: { ...valid, location: { lat: -90.5, lon: 127 } }, paths: ['body/location/lat'] },
    { name: 'lon 181', payload: { ...valid, location: { lat: 42, lon: 181 } }, paths: ['body/location/lon'] },
    { name: 'lon -181', payload: { ...valid, location: { lat: 42, lon: -181 } }, paths: ['body/location/lon'] },
    { name: 'both out of range', payload: { ...valid, location: { lat: 91, lon: 181 } }, paths: ['body/location/lat', 'body/location/lon'] },
    { name: 'lat without lon', payload: { ...valid, location: { lat: 42 } }, paths: ['body/location/lon'] },
    { name: 'lat as a string', payload: { ...valid, location: { lat: '42.3', lon: 127 } }, paths: ['body/location/lat'] },
    { name: 'areaMu with 4 decimals', payload: { ...valid, areaMu: 80.1234 }, paths: ['body/areaMu'] },
    { name: 'areaMu 0', payload: { ...valid, areaMu: 0 }, paths: ['body/areaMu'] },
    { name: 'areaMu negative', payload: { ...valid, areaMu: -5 }, paths: ['body/areaMu'] },
    { name: 'areaMu as a string', payload: { ...valid, areaMu: '80' }, paths: ['body/areaMu'] },
    { name: 'GLN check digit', payload: { ...valid, gln: '6901234000109' }, paths: ['body/gln'] },
    { name: 'GLN letters', payload: { ...valid, gln: '690123400010X' }, paths: ['body/gln'] },
    { name: 'unknown region', payload: { ...valid, regionCode: '229999' }, paths: ['body/regionCode'] },
    { name: 'unknown kind', payload: { ...valid, kind: 'greenhouse' }, paths: ['body/kind'] },
    { name: 'missing name', payload: { kind: 'cultivation_base', regionCode: '220621' }, paths: ['body/name'] },
    { name: 'unknown field', payload: { ...valid, organizationId: farm.organization.id }, paths: ['body/organizationId'] },
  ];
  const before = await allSites();
  for (const c of cases) {
    const res = await postSite(c.payload);
    const problem = expectProblem(t, res, 400, '/problems/validation-error');
    t.strictSame(errorPaths(problem), c.paths, `${c.name}: errors[].path`);
  }
  t.equal((await allSites()).length, before.length, 'nothing stored');
  const rows = await database.db.select().from(sites).where(eq(sites.name, '校验基地'));
  t.strictSame(rows, [], 'no row with the rejected name');
});

t.test('areaMu 80.1234 is refused, not rounded', async (t) => {
  const res = await postSite({ kind: 'forest_plot', name: '林下参样地', regionCode: '220621', areaMu: 80.1234 });
  const problem = expectProblem(t, res, 400, '/problems/validation-error');
  t.strictSame(problem.errors, [{ path: 'body/areaMu', message: 'must be a positive number with at most 3 decimals' }]);
  t.strictSame(await database.db.select().from(sites).where(eq(sites.name, '林下参样地')), []);
});

t.test('duplicate GLN → 409, nothing stored', async (t) => {
  const other = await createOrganization({ name: '另一家' });
  await createSite(farm.headers, { gln: '6901234000115' });
  const before = await allSites();
  const res = await postSite({ kind: 'warehouse', name: '重复GLN仓库', regionCode: '220621', gln: '6901234000115' }, other.headers);
  const problem = expectProblem(t, res, 409, '/problems/conflict');
  t.match(problem.detail, '6901234000115');
  t.equal((await allSites()).length, before.length, 'nothing stored');
  const same = await postSite({ kind: 'warehouse', name: '重复GLN仓库', regionCode: '220621', gln: '6901234000115' });
  expectProblem(t, same, 409, '/problems/conflict');
});

t.test('who reads a site: its organisation, a regulator and the admin; others get 404', async (t) => {
  const owner = await createOrganization({ name: '所有者', kinds: ['farm'] });
  const stranger = await createOrganization({ name: '陌生人', kinds: ['processor'] });
  const regulator = await createOrganization({ name: '白山市市场监督管理局', kinds: ['regulator'] });
  const site = await createSite(owner.headers, { name: '所有者基地', gln: '6901234000122' });

  for (const [who, headers] of [
    ['owner', owner.headers],
    ['regulator', regulator.headers],
    ['admin', adminHeaders],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: `/v1/sites/${site.id}`, headers });
    t.equal(res.statusCode, 200, `${who} reads it`);
    t.strictSame(res.json(), site, `${who} sees the same site`);
  }
  const hidden = await app.inject({ method: 'GET', url: `/v1/sites/${site.id}`, headers: stranger.headers });
  const problem = expectProblem(t, hidden, 404, '/problems/not-found');
  t.notMatch(hidden.body, '所有者基地', "the stranger learns nothing about the site");
  t.equal(problem.instance, `/v1/sites/${site.id}`);

  const unknown = await app.inject({ method: 'GET', url: '/v1/sites/site_0000000000000000', headers: adminHeaders });
  expectProblem(t, unknown, 404, '/problems/not-found');
  const anonymous = await app.inject({ method: 'GET', url: `/v1/sites/${site.id}` });
  expectProblem(t, anonymous, 401, '/problems/unauthorized');
});

t.test('list: own sites for an organisation, all for admin and regulators, organizationId filter', async (t) => {
  const a = await createOrganization({ name: '甲合作社', kinds: ['cooperative'] });
  const b = await createOrganization({ name: '乙加工厂', kinds: ['processor'] });
  const regulator = await createOrganization({ name: '吉林省药监局', kinds: ['regulator'] });
  const a1 = await createSite(a.headers, { name: '甲一', kind: 'seed_nursery' });
  const a2 = await createSite(a.headers, { name: '甲二' });
  const b1 = await createSite(b.headers, { name: '乙一', kind: 'processing_plant' });
  const ids = (list: Site[]) => list.map((s) => s.id).sort();

  t.strictSame(ids(await listAll<Site>(app, '/v1/sites', a.headers)), [a1.id, a2.id].sort(), 'A sees only its own');
  t.strictSame(ids(await listAll<Site>(app, '/v1/sites', b.headers)), [b1.id], 'B sees only its own');

  const all = await allSites();
  t.ok([a1.id, a2.id, b1.id].every((id) => all.some((s) => s.id === id)), 'admin sees every site');
  t.ok(all.some((s) => s.organizationId === farm.organization.id), "admin sees other tests' sites too");
  t.strictSame(ids(await listAll<Site>(app, '/v1/sites', regulator.headers)), ids(all), 'a regulator (who has no sites) sees every site');

  t.strictSame(ids(await listAll<Site>(app, `/v1/sites?organizationId=${a.organization.id}`, adminHeaders)), [a1.id, a2.id].sort());
  t.strictSame(ids(await listAll<Site>(app, `/v1/sites?organizationId=${b.organization.id}`, regulator.headers)), [b1.id]);
  t.strictSame(ids(await listAll<Site>(app, `/v1/sites?organizationId=${a.organization.id}`, a.headers)), [a1.id, a2.id].sort(), 'own id as filter is fine');
  t.strictSame(ids(await listAll<Site>(app, `/v1/sites?organizationId=${a.organization.id}&kind=seed_nursery`, adminHeaders)), [a1.id], 'kind filter');

  const forbidden = await app.inject({ method: 'GET', url: `/v1/sites?organizationId=${a.organization.id}`, headers: b.headers });
  expectProblem(t, forbidden, 403, '/problems/forbidden');
  const forbiddenGet = await app.inject({ method: 'GET', url: `/v1/sites?organizationId=${a.organization.id}`, headers: b.headers });
  t.notMatch(forbiddenGet.body, '甲一');

  const badKind = await app.inject({ method: 'GET', url: '/v1/sites?kind=greenhouse', headers: a.headers });
  t.strictSame(errorPaths(expectProblem(t, badKind, 400, '/problems/validation-error')), ['querystring/kind']);
  const anonymous = await app.inject({ method: 'GET', url: '/v1/sites' });
  expectProblem(t, anonymous, 401, '/problems/unauthorized');
});

t.test('list: pagination with limit=1 and a bad cursor', async (t) => {
  const org = await createOrganization({ name: '分页合作社' });
  const created: Site[] = [];
  for (let i = 0; i < 4; i++) created.push(await createSite(org.headers, { name: `分页基地 ${i}` }));

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/sites?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url, headers: org.headers });
    t.equal(res.statusCode, 200, res.body);
    const page = res.json() as { items: Site[]; nextCursor: string | null };
    t.equal(page.items.length, 1);
    seen.push(page.items[0]!.id);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 4);
  t.equal(cursor, null);
  t.strictSame(seen, created.map((s) => s.id), 'every site once, in creation order');

  const bad = await app.inject({ method: 'GET', url: '/v1/sites?cursor=garbage', headers: org.headers });
  t.strictSame(errorPaths(expectProblem(t, bad, 400, '/problems/validation-error')), ['querystring/cursor']);
});

t.test("writes naming another organisation's site answer exactly like an unknown site id", async (t) => {
  const owner = await createOrganization({ name: '基地所有者', kinds: ['cooperative', 'gap_base'] });
  const other = await createOrganization({ name: '他人合作社', kinds: ['cooperative'] });
  const ownSite = await createSite(owner.headers, { name: '自有基地' });
  const foreignSite = await createSite(other.headers, { name: '他人基地' });
  const unknownId = 'site_0000000000000000';
  const seed = await app.inject({
    method: 'POST',
    url: '/v1/lots',
    headers: owner.headers,
    payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: 'ORACLE-SD', siteId: ownSite.id, quantity: { value: 10, unit: 'kg' }, producedAt: '2024-03-01T08:00:00+08:00' },
  });
  t.equal(seed.statusCode, 201, seed.body);
  const writes: [string, (siteId: string) => { url: string; payload: Record<string, unknown> }][] = [
    ['POST /v1/lots', (siteId) => ({ url: '/v1/lots', payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: `OR-${siteId.slice(-6)}`, siteId, quantity: { value: 1, unit: 'kg' }, producedAt: '2024-03-01T08:00:00+08:00' } })],
    [
      'POST /v1/transformations',
      (siteId) => ({
        url: '/v1/transformations',
        payload: { occurredAt: '2024-04-01T08:00:00+08:00', siteId, inputs: [{ lotId: seed.json().id, quantity: { value: 1, unit: 'kg' } }], outputs: [{ stage: 'cultivation', lotNumber: `ORC-${siteId.slice(-6)}`, quantity: { value: 100, unit: 'plant' } }] },
      }),
    ],
    ['POST /v1/certificates', (siteId) => ({ url: '/v1/certificates', payload: { kind: 'gap', siteId, authority: '吉林省药品监督管理局', number: `GAP-${siteId}`, validFrom: '2024-01-01', validUntil: '2026-12-31' } })],
  ];
  const [lotsBefore] = await database.db.select({ n: count() }).from(lots);
  for (const [name, request] of writes) {
    const answers = [];
    for (const siteId of [foreignSite.id, unknownId]) {
      const res = await app.inject({ method: 'POST', headers: owner.headers, ...request(siteId) });
      const problem = expectProblem(t, res, 422, '/problems/rule/site-ownership');
      const { requestId: _requestId, instance: _instance, ...rest } = problem;
      answers.push({ ...rest, httpStatus: res.statusCode, detail: problem.detail.replace(siteId, '<id>') });
    }
    t.strictSame(answers[0], answers[1], `${name}: the same status, rule, detail and errors for a foreign and an unknown site`);
    t.notMatch(JSON.stringify(answers[0]), '他人', `${name}: nothing about the other organisation`);
  }
  const [lotsAfter] = await database.db.select({ n: count() }).from(lots);
  t.equal(Number(lotsAfter!.n), Number(lotsBefore!.n), 'nothing stored');
});
