import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { organizations, sites } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { codedChain } from './support/codes.js';
import { TEST_DATABASE_URL } from './support/databases.js';
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

// The duplicates race for the key's row lock: on PGlite (one connection) they would run one after another and
// only repeat the first test's sequential retries, so this runs on PostgreSQL only.
const locking = TEST_DATABASE_URL ? false : 'locking needs PostgreSQL: PGlite has one connection, so concurrent requests never overlap';
t.test('concurrent duplicates store exactly one organisation and all get its answer', { skip: locking }, async (t) => {
  const payload = { name: '并发幂等', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' };
  const responses = await Promise.all([1, 2, 3].map(() => postOrganization(payload, withKey('org-concurrent-1'))));
  // The duplicates wait on the key until the first commits, then replay its answer: nobody gets a 409.
  for (const r of responses) t.equal(r.statusCode, 201, r.body);
  t.equal(new Set(responses.map((r) => r.body)).size, 1, 'every answer is the same organisation, byte for byte');
  t.equal(responses.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 2, 'two of them are replays');
  t.equal((await organizationsNamed('并发幂等')).length, 1, 'exactly one row');
});

t.test('the idempotency record is written with the write: no pending record is ever committed', async (t) => {
  const org = await createOrganization({ name: '同事务键' });
  const res = await postSite({ kind: 'warehouse', name: '同事务仓库', regionCode: '220621' }, withKey('same-tx-1', org.headers));
  t.equal(res.statusCode, 201, res.body);
  const rows = await queryRows<{ state: string; status: number; body: string }>(
    database.db,
    sql`select state, response_status as status, response_body as body from idempotency_keys where key = 'same-tx-1'`,
  );
  t.strictSame([...rows], [{ state: 'done', status: 201, body: res.body }], 'completed, with the bytes that were sent');
  const pending = await queryRows(database.db, sql`select key from idempotency_keys where state <> 'done'`);
  t.strictSame([...pending], [], 'no record left pending');
});

t.test('a business refusal (422) is replayed as it was, even after the state changed', async (t) => {
  const org = await createOrganization({ name: '拒绝重放' });
  const site = (await postSite({ kind: 'cultivation_base', name: '拒绝重放基地', regionCode: '220621' }, org.headers)).json() as Site;
  const seed = await app.inject({
    method: 'POST',
    url: '/v1/lots',
    headers: org.headers,
    payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: 'RF-SD-1', siteId: site.id, quantity: { value: 10, unit: 'kg' }, producedAt: '2024-04-01T08:00:00+08:00' },
  });
  t.equal(seed.statusCode, 201, seed.body);
  const seedId = (seed.json() as { id: string }).id;
  const draw = {
    occurredAt: '2024-05-01T08:00:00+08:00',
    inputs: [{ lotId: seedId, quantity: { value: 12, unit: 'kg' } }],
    outputs: [{ stage: 'cultivation', lotNumber: 'RF-CU-1', quantity: { value: 1000, unit: 'plant' } }],
    siteId: site.id,
  };
  const post = () => app.inject({ method: 'POST', url: '/v1/transformations', headers: withKey('refusal-1', org.headers), payload: draw });
  const first = await post();
  t.equal(expectProblem(t, first, 422).rule, 'insufficient-quantity');
  const replay = await post();
  t.equal(replay.statusCode, 422);
  t.equal(replay.body, first.body, 'the same refusal, byte for byte');
  t.equal(replay.headers['idempotent-replayed'], 'true');
  const lots = await queryRows(database.db, sql`select id from lots where lot_number = 'RF-CU-1'`);
  t.strictSame([...lots], [], 'nothing stored');
});

t.test('API key creation with a key: the replay names the key but its secret is stored nowhere', async (t) => {
  const org = await createOrganization({ name: '密钥重放' });
  const url = `/v1/organizations/${org.organization.id}/api-keys`;
  const first = await app.inject({ method: 'POST', url, headers: withKey('api-key-create-1'), payload: { name: 'ERP' } });
  t.equal(first.statusCode, 201, first.body);
  const created = first.json() as { id: string; key: string; name: string; createdAt: string };
  t.match(created.key, /^key_[0-9a-z]{16}\.[0-9A-Za-z]{32}$/);
  const secret = created.key.split('.')[1]!;

  const replay = await app.inject({ method: 'POST', url, headers: withKey('api-key-create-1'), payload: { name: 'ERP' } });
  t.equal(replay.statusCode, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  const replayed = replay.json() as Record<string, unknown>;
  t.strictSame(replayed, { ...created, key: null }, 'same key id and fields, the secret withheld');
  t.equal((await app.inject({ method: 'GET', url, headers: adminHeaders })).json().items.filter((k: { name: string }) => k.name === 'ERP').length, 1, 'one key made');
  const works = await app.inject({ method: 'GET', url: '/v1/lots', headers: { authorization: `Bearer ${created.key}` } });
  t.equal(works.statusCode, 200, 'the key shown first works');

  // Every text of every table, searched for the secret and for the whole key.
  const tables = await queryRows<{ name: string }>(
    database.db,
    sql`select table_schema || '.' || quote_ident(table_name) as name from information_schema.tables
        where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'`,
  );
  t.ok(tables.length > 10, 'the tables are listed');
  const found: string[] = [];
  for (const { name } of tables) {
    const hits = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from ${sql.raw(name)} as row where row::text like ${`%${secret}%`}`,
    );
    if ((hits[0]?.n ?? 0) > 0) found.push(name);
  }
  t.strictSame(found, [], 'the secret appears in no table');
});

t.test('an issue of many codes is replayed byte for byte without storing the answer', async (t) => {
  // Its own app and chain, on the file's database (a fresh one would only add start-up time).
  const { app, product, coop } = await codedChain(t, {}, { database });
  const post = () =>
    app.inject({ method: 'POST', url: `/v1/lots/${product.id}/codes`, headers: { ...coop.headers, 'idempotency-key': 'codes-1' }, payload: { count: 2000 } });
  const first = await post();
  t.equal(first.statusCode, 201, first.body.slice(0, 300));
  const replay = await post();
  t.equal(replay.statusCode, 201);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(replay.body, first.body, 'byte-identical');
  t.equal((first.json() as { codes: unknown[] }).codes.length, 2000);
  const stored = await queryRows<{ body: string | null; replay: unknown }>(
    database.db,
    sql`select response_body as body, response_replay as replay from idempotency_keys where key = 'codes-1'`,
  );
  t.equal(stored.length, 1);
  t.equal(stored[0]!.body, null, 'the 2,000 codes are not stored as an answer');
  t.ok(JSON.stringify(stored[0]!.replay).length < 200, 'only what rebuilds it');
  const count = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from codes where lot_id = ${product.id}`);
  t.equal(count[0]!.n, 2000, 'one issue of 2,000 codes');
});
