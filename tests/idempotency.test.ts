import t from 'tap';
import { eq } from 'drizzle-orm';
import { organizations, sites } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { errorPaths, expectProblem, listAll } from './support/http.js';

interface Organization {
  id: string;
  name: string;
  creditCode: string;
}
interface Site {
  id: string;
  organizationId: string;
  name: string;
}

const { app, database, createOrganization } = await setupApp(t);

const withKey = (key: string, headers: Record<string, string> = adminHeaders) => ({ ...headers, 'idempotency-key': key });
const postOrganization = (payload: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/v1/organizations', headers, payload: payload as Record<string, unknown> });
const postSite = (payload: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/v1/sites', headers, payload: payload as Record<string, unknown> });
const allOrganizations = () => listAll<Organization>(app, '/v1/organizations', adminHeaders);
const organizationsNamed = (name: string) => database.db.select().from(organizations).where(eq(organizations.name, name));

t.test('a retry with the same key and body replays the first response and writes nothing', async (t) => {
  const payload = { name: '幂等合作社', kinds: ['cooperative'], creditCode: makeCreditCode(), regionCode: '220621' };
  const before = await allOrganizations();

  const first = await postOrganization(payload, withKey('org-create-1'));
  t.equal(first.statusCode, 201, first.body);
  t.equal(first.headers['idempotent-replayed'], undefined, 'the first response is not a replay');
  const created = first.json() as Organization;

  const second = await postOrganization(payload, withKey('org-create-1'));
  t.equal(second.statusCode, 201, 'same status');
  t.equal(second.body, first.body, 'byte-identical body');
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.match(String(second.headers['content-type']), /^application\/json/);

  const third = await postOrganization(payload, withKey('org-create-1'));
  t.equal(third.statusCode, 201);
  t.equal(third.body, first.body, 'a third retry replays too');

  const after = await allOrganizations();
  t.equal(after.length, before.length + 1, 'exactly one organisation stored');
  t.equal(after.filter((o) => o.creditCode === payload.creditCode).length, 1);
  t.equal((await organizationsNamed('幂等合作社')).length, 1, 'one row in the table');
  t.equal(after.find((o) => o.creditCode === payload.creditCode)?.id, created.id);
});

t.test('a replayed 201 carries the Location header of the original', async (t) => {
  const payload = { name: '位置头测试', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' };
  const first = await postOrganization(payload, withKey('org-location-1'));
  t.equal(first.statusCode, 201, first.body);
  const created = first.json() as Organization;
  t.equal(first.headers.location, `/v1/organizations/${created.id}`);
  const replay = await postOrganization(payload, withKey('org-location-1'));
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.headers.location, `/v1/organizations/${created.id}`, 'the replay has the same Location header');
});

t.test('the same key with a different body → 422 idempotency-key-reused, nothing new stored', async (t) => {
  const payload = { name: '原请求', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' };
  const first = await postOrganization(payload, withKey('org-reuse-1'));
  t.equal(first.statusCode, 201, first.body);
  const before = await allOrganizations();

  const changed = { ...payload, name: '另一个请求', creditCode: makeCreditCode() };
  const res = await postOrganization(changed, withKey('org-reuse-1'));
  const problem = expectProblem(t, res, 422, '/problems/rule/idempotency-key-reused');
  t.equal(problem.rule, 'idempotency-key-reused');
  t.equal(res.headers['idempotent-replayed'], undefined);

  // The same key on another route is a different request, too.
  const otherRoute = await app.inject({
    method: 'POST',
    url: `/v1/organizations/${(first.json() as Organization).id}/api-keys`,
    headers: withKey('org-reuse-1'),
    payload: { name: 'reused key' },
  });
  t.equal(expectProblem(t, otherRoute, 422).rule, 'idempotency-key-reused');

  const after = await allOrganizations();
  t.equal(after.length, before.length, 'nothing new stored');
  t.strictSame(await organizationsNamed('另一个请求'), []);

  const original = await postOrganization(payload, withKey('org-reuse-1'));
  t.equal(original.statusCode, 201, 'the original body still replays');
  t.equal(original.body, first.body);
});

t.test('key order does not matter: the same body in another order is the same request', async (t) => {
  const org = await createOrganization({ name: '键序合作社' });
  const payload = { kind: 'cultivation_base', name: '键序基地', regionCode: '220621', location: { lat: 42.1, lon: 127.5 }, areaMu: 12.5 };
  const reordered = { areaMu: 12.5, location: { lon: 127.5, lat: 42.1 }, regionCode: '220621', name: '键序基地', kind: 'cultivation_base' };
  t.not(JSON.stringify(payload), JSON.stringify(reordered), 'the JSON texts differ');

  const first = await postSite(payload, withKey('site-order-1', org.headers));
  t.equal(first.statusCode, 201, first.body);
  const second = await app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: { ...withKey('site-order-1', org.headers), 'content-type': 'application/json' },
    payload: JSON.stringify(reordered),
  });
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(second.body, first.body);
  t.equal((await listAll<Site>(app, '/v1/sites', org.headers)).length, 1, 'one site stored');
});

t.test('keys are scoped per principal', async (t) => {
  const a = await createOrganization({ name: '甲方' });
  const b = await createOrganization({ name: '乙方' });
  const payload = { kind: 'warehouse', name: '共享键仓库', regionCode: '220621' };

  const fromA = await postSite(payload, withKey('shared-key-1', a.headers));
  t.equal(fromA.statusCode, 201, fromA.body);
  const fromB = await postSite(payload, withKey('shared-key-1', b.headers));
  t.equal(fromB.statusCode, 201, fromB.body);
  t.equal(fromB.headers['idempotent-replayed'], undefined, "B's request is not a replay of A's");
  const siteA = fromA.json() as Site;
  const siteB = fromB.json() as Site;
  t.not(siteA.id, siteB.id);
  t.equal(siteA.organizationId, a.organization.id);
  t.equal(siteB.organizationId, b.organization.id);

  const differentBodyFromB = await postSite({ ...payload, name: '乙方自己的仓库' }, withKey('shared-key-2', b.headers));
  t.equal(differentBodyFromB.statusCode, 201);
  const sameKeyA = await postSite({ ...payload, name: '甲方另一个仓库' }, withKey('shared-key-2', a.headers));
  t.equal(sameKeyA.statusCode, 201, "A may use a key B already used, with another body");

  t.strictSame((await listAll<Site>(app, '/v1/sites', a.headers)).map((s) => s.name).sort(), ['共享键仓库', '甲方另一个仓库'].sort());
  t.strictSame((await listAll<Site>(app, '/v1/sites', b.headers)).map((s) => s.name).sort(), ['乙方自己的仓库', '共享键仓库'].sort());

  // The admin is a principal of its own: its key space does not collide with an organisation's.
  const adminPayload = { name: '管理员幂等', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' };
  const adminRes = await postOrganization(adminPayload, withKey('shared-key-1'));
  t.equal(adminRes.statusCode, 201, adminRes.body);
  t.equal(adminRes.headers['idempotent-replayed'], undefined);
});

t.test('a request that failed schema validation is not stored: fix the body, retry with the same key → 201', async (t) => {
  const org = await createOrganization({ name: '校验重试一' });
  const bad = await postSite({ kind: 'cultivation_base', name: '重试基地', regionCode: '220621', location: { lat: 91, lon: 127 } }, withKey('site-retry-1', org.headers));
  t.strictSame(errorPaths(expectProblem(t, bad, 400, '/problems/validation-error')), ['body/location/lat']);
  t.strictSame(await listAll<Site>(app, '/v1/sites', org.headers), []);

  const fixed = await postSite({ kind: 'cultivation_base', name: '重试基地', regionCode: '220621', location: { lat: 42, lon: 127 } }, withKey('site-retry-1', org.headers));
  t.equal(fixed.statusCode, 201, fixed.body);
  t.equal(fixed.headers['idempotent-replayed'], undefined);
  t.equal((await listAll<Site>(app, '/v1/sites', org.headers)).length, 1);
});

t.test('a request that failed field validation in the service is not stored either', async (t) => {
  // The credit code check character and the areaMu decimals are checked after the schema: still a 400.
  const payload = { name: '信用代码重试', kinds: ['farm'], creditCode: '9144030071526726XH', regionCode: '220621' };
  const bad = await postOrganization(payload, withKey('org-retry-1'));
  t.strictSame(errorPaths(expectProblem(t, bad, 400, '/problems/validation-error')), ['body/creditCode']);

  const fixedCode = makeCreditCode();
  const fixed = await postOrganization({ ...payload, creditCode: fixedCode }, withKey('org-retry-1'));
  t.equal(fixed.statusCode, 201, `retry with the corrected body and the same key: ${fixed.body}`);
  t.equal((await allOrganizations()).filter((o) => o.creditCode === fixedCode).length, 1, 'the corrected organisation is stored');

  const org = await createOrganization({ name: '校验重试二' });
  const badSite = await postSite({ kind: 'cultivation_base', name: '面积重试', regionCode: '229999' }, withKey('site-retry-2', org.headers));
  t.strictSame(errorPaths(expectProblem(t, badSite, 400, '/problems/validation-error')), ['body/regionCode']);
  const fixedSite = await postSite({ kind: 'cultivation_base', name: '面积重试', regionCode: '220621' }, withKey('site-retry-2', org.headers));
  t.equal(fixedSite.statusCode, 201, `retry with the corrected region and the same key: ${fixedSite.body}`);
  t.equal((await database.db.select().from(sites).where(eq(sites.name, '面积重试'))).length, fixedSite.statusCode === 201 ? 1 : 0);
});

t.test('a 409 duplicate is replayed as 409', async (t) => {
  const creditCode = makeCreditCode();
  const existing = await postOrganization({ name: '先到', kinds: ['farm'], creditCode, regionCode: '220621' }, adminHeaders);
  t.equal(existing.statusCode, 201);
  const payload = { name: '后到', kinds: ['farm'], creditCode, regionCode: '220621' };
  const first = await postOrganization(payload, withKey('org-dup-1'));
  expectProblem(t, first, 409, '/problems/conflict');
  const replay = await postOrganization(payload, withKey('org-dup-1'));
  t.equal(replay.statusCode, 409);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.match(String(replay.headers['content-type']), /^application\/problem\+json/);
  t.equal(replay.body, first.body, 'the same problem body');
  t.strictSame(await organizationsNamed('后到'), []);
});

t.test('invalid idempotency keys → 400, nothing stored', async (t) => {
  const before = await allOrganizations();
  for (const [label, key] of [
    ['300 characters', 'k'.repeat(300)],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'has space'],
    ['non-ASCII', '幂等键'],
  ] as const) {
    const res = await postOrganization(
      { name: '坏键', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' },
      { ...adminHeaders, 'idempotency-key': key },
    );
    const problem = expectProblem(t, res, 400, '/problems/validation-error');
    t.strictSame(errorPaths(problem), ['headers/idempotency-key'], label);
  }
  t.equal((await allOrganizations()).length, before.length, 'nothing stored');
  t.strictSame(await organizationsNamed('坏键'), []);

  const longest = await postOrganization({ name: '最长键', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' }, withKey('k'.repeat(255)));
  t.equal(longest.statusCode, 201, '255 visible characters are fine');
});

t.test('concurrent duplicates store exactly one organisation', async (t) => {
  const payload = { name: '并发幂等', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' };
  const responses = await Promise.all([1, 2, 3].map(() => postOrganization(payload, withKey('org-concurrent-1'))));
  const created = responses.filter((r) => r.statusCode === 201);
  t.ok(created.length >= 1, 'at least one 201');
  for (const r of responses) {
    t.ok(r.statusCode === 201 || r.statusCode === 409, `201 or 409 (in progress), got ${r.statusCode}`);
    if (r.statusCode === 201) t.equal(r.body, created[0]!.body, 'every 201 carries the same organisation');
  }
  t.equal((await organizationsNamed('并发幂等')).length, 1, 'exactly one row');
});
