import t from 'tap';
import { eq } from 'drizzle-orm';
import { apiKeys } from '../src/db/schema.js';
import { adminHeaders, bearer, makeCreditCode, setupApp } from './support/app.js';
import { errorPaths, expectProblem, isRecentTimestamp, listAll } from './support/http.js';

interface ApiKey {
  id: string;
  organizationId: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}
interface CreatedApiKey extends ApiKey {
  key: string;
}

const KEY_FORMAT = /^key_[0-9a-z]{16}\.[0-9A-Za-z]{32}$/;

const { app, database, createOrganization } = await setupApp(t);

const createKey = (organizationId: string, payload?: Record<string, unknown>, headers: Record<string, string> = adminHeaders) =>
  app.inject({
    method: 'POST',
    url: `/v1/organizations/${organizationId}/api-keys`,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
const listKeys = async (organizationId: string) => {
  const res = await app.inject({ method: 'GET', url: `/v1/organizations/${organizationId}/api-keys`, headers: adminHeaders });
  if (res.statusCode !== 200) throw new Error(`listing keys failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { items: ApiKey[] }).items;
};
const revoke = (organizationId: string, keyId: string, headers: Record<string, string> = adminHeaders) =>
  app.inject({ method: 'DELETE', url: `/v1/organizations/${organizationId}/api-keys/${keyId}`, headers });
const whoAmI = (organizationId: string, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: `/v1/organizations/${organizationId}`, headers });

t.test('a key is returned once on creation and works on an `any` route', async (t) => {
  const { organization } = await createOrganization({ name: '松岭合作社' });
  const res = await createKey(organization.id, { name: 'field tablet 3' });
  t.equal(res.statusCode, 201, res.body);
  const created = res.json() as CreatedApiKey;
  t.match(created.key, KEY_FORMAT, 'key_<16>.<32>');
  t.match(created.id, /^key_[0-9a-z]{16}$/);
  t.equal(created.key.split('.')[0], created.id, 'the key starts with its id');
  t.ok(isRecentTimestamp(created.createdAt), 'createdAt');
  t.strictSame(created, {
    id: created.id,
    organizationId: organization.id,
    name: 'field tablet 3',
    role: 'owner',
    createdAt: created.createdAt,
    revokedAt: null,
    key: created.key,
  });

  const me = await whoAmI(organization.id, bearer(created.key));
  t.equal(me.statusCode, 200, me.body);
  t.equal((me.json() as { id: string }).id, organization.id);
  const list = await app.inject({ method: 'GET', url: '/v1/organizations', headers: bearer(created.key) });
  t.equal(list.statusCode, 200);

  const second = (await createKey(organization.id, {})).json() as CreatedApiKey;
  t.not(second.key, created.key, 'every key is different');
  t.not(second.id, created.id);
  t.equal(second.name, null, 'name defaults to null');
  t.equal((await whoAmI(organization.id, bearer(second.key))).statusCode, 200, 'both keys work');
});

t.test('the list never shows the secret or its hash', async (t) => {
  const { organization } = await createOrganization({ name: '列表合作社' });
  const created = (await createKey(organization.id, { name: 'office' })).json() as CreatedApiKey;
  const secret = created.key.split('.')[1]!;
  const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));

  const res = await app.inject({ method: 'GET', url: `/v1/organizations/${organization.id}/api-keys`, headers: adminHeaders });
  t.equal(res.statusCode, 200);
  const items = (res.json() as { items: ApiKey[] }).items;
  const mine = items.find((k) => k.id === created.id);
  t.strictSame(mine, {
    id: created.id,
    organizationId: organization.id,
    name: 'office',
    role: 'owner',
    createdAt: created.createdAt,
    revokedAt: null,
  });
  t.equal(items.length, 2, 'the helper key and this one');
  for (const item of items) {
    t.strictSame(Object.keys(item).sort(), ['createdAt', 'id', 'name', 'organizationId', 'revokedAt', 'role'], 'no key, no hash');
  }
  t.notOk(res.body.includes(secret), 'the secret is not in the body');
  t.notOk(res.body.includes(row!.secretHash), 'the hash is not in the body');

  const unknownOrg = await app.inject({ method: 'GET', url: '/v1/organizations/org_0000000000000000/api-keys', headers: adminHeaders });
  expectProblem(t, unknownOrg, 404, '/problems/not-found');
});

t.test('the stored hash is not the key', async (t) => {
  const { organization } = await createOrganization();
  const created = (await createKey(organization.id, { name: 'hash check' })).json() as CreatedApiKey;
  const secret = created.key.split('.')[1]!;
  const rows = await database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
  t.equal(rows.length, 1);
  const row = rows[0]!;
  t.equal(row.organizationId, organization.id);
  t.not(row.secretHash, created.key);
  t.not(row.secretHash, secret);
  t.notOk(row.secretHash.includes(secret), 'the secret is not part of the stored value');
  t.match(row.secretHash, /^[0-9a-f]{64}$/, 'a 256-bit digest');
  t.notOk(JSON.stringify(row).includes(secret), 'no column holds the secret');
});

t.test('bad credentials → 401 problem+json with WWW-Authenticate', async (t) => {
  const { organization, key } = await createOrganization();
  const keyId = key.split('.')[0]!;
  const cases: { name: string; headers: Record<string, string>; challenge: RegExp }[] = [
    { name: 'missing Authorization', headers: {}, challenge: /^Bearer/ },
    { name: 'garbage bearer', headers: { authorization: 'Bearer hello-world' }, challenge: /^Bearer error="invalid_token"/ },
    { name: 'wrong scheme', headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, challenge: /^Bearer/ },
    { name: 'empty bearer', headers: { authorization: 'Bearer ' }, challenge: /^Bearer/ },
    { name: 'wrong secret for an existing key id', headers: bearer(`${keyId}.${'A'.repeat(32)}`), challenge: /invalid_token/ },
    { name: 'unknown key id', headers: bearer(`key_0000000000000000.${key.split('.')[1]}`), challenge: /invalid_token/ },
    { name: 'key without secret', headers: bearer(keyId), challenge: /invalid_token/ },
    { name: 'secret with one character changed', headers: bearer(key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a')), challenge: /invalid_token/ },
    { name: 'admin token with a suffix', headers: bearer(`${adminHeaders.authorization.slice(7)}x`), challenge: /invalid_token/ },
  ];
  for (const c of cases) {
    const res = await whoAmI(organization.id, c.headers);
    const problem = expectProblem(t, res, 401, '/problems/unauthorized');
    t.match(String(res.headers['www-authenticate']), c.challenge, `${c.name}: www-authenticate`);
    t.notOk(problem.detail.includes(key), `${c.name}: the detail does not echo the key`);
  }
  t.equal((await whoAmI(organization.id, bearer(key))).statusCode, 200, 'the right key still works');
});

t.test('revocation: 401 afterwards, revokedAt set, revoking twice keeps the first time', async (t) => {
  const { organization } = await createOrganization({ name: '吊销测试' });
  const doomed = (await createKey(organization.id, { name: 'lost phone' })).json() as CreatedApiKey;
  const kept = (await createKey(organization.id, { name: 'office' })).json() as CreatedApiKey;
  t.equal((await whoAmI(organization.id, bearer(doomed.key))).statusCode, 200, 'works before revocation');

  const res = await revoke(organization.id, doomed.id);
  t.equal(res.statusCode, 200, res.body);
  const revoked = res.json() as ApiKey;
  t.ok(isRecentTimestamp(revoked.revokedAt), `revokedAt is set: ${revoked.revokedAt}`);
  t.strictSame(revoked, {
    id: doomed.id,
    organizationId: organization.id,
    name: 'lost phone',
    role: 'owner',
    createdAt: doomed.createdAt,
    revokedAt: revoked.revokedAt,
  });

  const after = await whoAmI(organization.id, bearer(doomed.key));
  expectProblem(t, after, 401, '/problems/unauthorized');
  t.match(String(after.headers['www-authenticate']), /invalid_token/);
  t.equal((await whoAmI(organization.id, bearer(kept.key))).statusCode, 200, 'the other key still works');

  const listed = (await listKeys(organization.id)).find((k) => k.id === doomed.id);
  t.equal(listed?.revokedAt, revoked.revokedAt, 'the list shows the revocation');

  await new Promise((r) => setTimeout(r, 15));
  const again = await revoke(organization.id, doomed.id);
  t.equal(again.statusCode, 200, again.body);
  t.equal((again.json() as ApiKey).revokedAt, revoked.revokedAt, 'the second revocation keeps the first revokedAt');
  t.equal((await listKeys(organization.id)).find((k) => k.id === doomed.id)?.revokedAt, revoked.revokedAt);
  expectProblem(t, await whoAmI(organization.id, bearer(doomed.key)), 401);
});

t.test('revocation of an unknown key, or through another organisation → 404 and the key keeps working', async (t) => {
  const a = await createOrganization({ name: '甲' });
  const b = await createOrganization({ name: '乙' });
  const keyIdA = a.key.split('.')[0]!;

  expectProblem(t, await revoke(a.organization.id, 'key_0000000000000000'), 404, '/problems/not-found');
  expectProblem(t, await revoke(b.organization.id, keyIdA), 404, '/problems/not-found');
  t.equal((await whoAmI(a.organization.id, a.headers)).statusCode, 200, "A's key still works");
  t.equal((await listKeys(a.organization.id)).find((k) => k.id === keyIdA)?.revokedAt, null, 'not revoked');

  expectProblem(t, await revoke(a.organization.id, keyIdA, a.headers), 403, '/problems/forbidden');
  t.equal((await whoAmI(a.organization.id, a.headers)).statusCode, 200, 'an org key cannot revoke, even its own');
});

t.test('an organisation key on admin routes → 403 and nothing stored', async (t) => {
  const { organization, headers } = await createOrganization();
  const orgsBefore = await listAll(app, '/v1/organizations', adminHeaders);

  const postOrg = await app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers,
    payload: { name: '越权', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' },
  });
  expectProblem(t, postOrg, 403, '/problems/forbidden');
  t.equal((await listAll(app, '/v1/organizations', adminHeaders)).length, orgsBefore.length, 'no organisation stored');

  const keysBefore = await listKeys(organization.id);
  const postKey = await createKey(organization.id, { name: 'self-service' }, headers);
  expectProblem(t, postKey, 403, '/problems/forbidden');
  t.strictSame(await listKeys(organization.id), keysBefore, 'no key stored');

  const listKeysAsOrg = await app.inject({ method: 'GET', url: `/v1/organizations/${organization.id}/api-keys`, headers });
  expectProblem(t, listKeysAsOrg, 403, '/problems/forbidden');
});

t.test('the admin token on an organisation-only route → 403 and nothing stored', async (t) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: adminHeaders,
    payload: { kind: 'cultivation_base', name: '管理员基地', regionCode: '220621' },
  });
  const problem = expectProblem(t, res, 403, '/problems/forbidden');
  t.match(problem.detail, /organisation/);
  t.strictSame(await listAll(app, '/v1/sites', adminHeaders), [], 'no site stored');
});

t.test('key creation for an unknown organisation → 404, nothing stored', async (t) => {
  const res = await createKey('org_0000000000000000', { name: 'ghost' });
  const problem = expectProblem(t, res, 404, '/problems/not-found');
  t.match(problem.detail, /org_0000000000000000/);
  const rows = await database.db.select().from(apiKeys).where(eq(apiKeys.organizationId, 'org_0000000000000000'));
  t.strictSame(rows, []);
});

t.test('key creation validates its body', async (t) => {
  const { organization } = await createOrganization();
  const before = await listKeys(organization.id);
  const unknownField = await createKey(organization.id, { name: 'x', scopes: ['all'] });
  t.strictSame(errorPaths(expectProblem(t, unknownField, 400, '/problems/validation-error')), ['body/scopes']);
  const emptyName = await createKey(organization.id, { name: '' });
  t.strictSame(errorPaths(expectProblem(t, emptyName, 400, '/problems/validation-error')), ['body/name']);
  t.strictSame(await listKeys(organization.id), before, 'nothing stored');
});

t.test('key creation with no body at all → 201 (the body is optional)', async (t) => {
  const { organization } = await createOrganization();
  const before = await listKeys(organization.id);
  const res = await createKey(organization.id); // no payload, no content-type
  t.equal(res.statusCode, 201, `POST without a body creates a key: ${res.body}`);
  if (res.statusCode === 201) {
    const created = res.json() as CreatedApiKey;
    t.match(created.key, KEY_FORMAT);
    t.equal(created.name, null);
    t.equal(created.organizationId, organization.id);
    t.equal((await whoAmI(organization.id, bearer(created.key))).statusCode, 200, 'the key works');
  }
  t.equal((await listKeys(organization.id)).length, before.length + 1, 'exactly one key was stored');
});
