import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { adminHeaders, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { expectProblem } from './support/http.js';
import { GOOD_PASSWORD, peopleClient, sessionCookieOf, signedInFrom, totpNow } from './support/people.js';

// People end to end (design.md §9): an owner invites a recorder, who sets a password and records a harvest
// through a session (with CSRF); the event names them. Refusals change nothing and are recorded for the owner.
const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
const p = peopleClient(app);
const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
const other = await createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
const orgId = coop.organization.id;

const count = async (table: string, where = sql`true`) =>
  Number((await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))[0]!.n);
const securityKinds = async (organizationId = orgId) =>
  (await queryRows<{ kind: string }>(database.db, sql`select kind from security_events where organization_id = ${organizationId} order by id`)).map((r) => r.kind);

const secrets: string[] = []; // every password, setup code, session token and recovery code handed out, for the leak check

t.test('the admin creates the first owner; the first member must be an owner', async (t) => {
  const recorderFirst = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: adminHeaders, payload: { name: '李', login: 'li.first', role: 'recorder' } });
  expectProblem(t, recorderFirst, 422, '/problems/rule/first-member-is-owner');
  t.equal(await count('users'), 0, 'nothing stored');
  const res = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: adminHeaders, payload: { name: '王芳', login: 'Wang.Fang', role: 'owner', phone: '+86 139 4390 0000' } });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.match(body.setupCode, /^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$/);
  t.match(body.user, { login: 'Wang.Fang', role: 'owner', status: 'pending', twoFactor: { enabled: false, required: true } });
  t.equal(res.headers['cache-control'], 'no-store');
  const hours = (Date.parse(body.setupCodeExpiresAt) - Date.now()) / 3_600_000;
  t.ok(hours > 71.9 && hours <= 72, 'good for 72 hours');
  secrets.push(body.setupCode);
  const taken = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: adminHeaders, payload: { name: '另一个', login: 'wang.FANG', role: 'owner' } });
  expectProblem(t, taken, 409);
  t.equal(await count('users'), 1, 'logins are unique without regard to case');
});

let ownerSetupCode = '';
let owner: ReturnType<typeof signedInFrom>;
let ownerSecret = '';
t.test('setup: wrong, weak and then right; the owner must enrol TOTP before anything else', async (t) => {
  const reset = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users/${(await queryRows<{ id: string }>(database.db, sql`select id from users`))[0]!.id}/setup-code`, headers: adminHeaders });
  t.equal(reset.statusCode, 200, 'a new code replaces the first');
  ownerSetupCode = reset.json().setupCode;
  secrets.push(ownerSetupCode);

  const wrong = await p.setup('wang.fang', 'AAAA-BBBB-CCCC-DDDD');
  expectProblem(t, wrong, 401);
  const unknown = await p.setup('nobody.here', ownerSetupCode);
  expectProblem(t, unknown, 401);
  t.equal(unknown.json().detail, wrong.json().detail, 'an unknown login is told the same as a wrong code');
  for (const [password, why] of [['short', 'too short'], ['password', 'common'], ['12345678', 'common'], ['woaini1314', 'common (Chinese list)'], ['Wang.Fang', 'the login'], ['x'.repeat(129), 'too long']] as const) {
    const weak = await p.setup('wang.fang', ownerSetupCode, password);
    expectProblem(t, weak, 422, '/problems/rule/password-policy');
    t.match(weak.json().errors, [{ path: 'body/password' }], `refused: ${why}`);
  }
  const [row] = await queryRows<{ status: string; password_hash: string | null; setup_code_hash: string | null }>(database.db, sql`select status, password_hash, setup_code_hash from users`);
  t.match(row, { status: 'pending', password_hash: null }, 'nothing changed by the refusals');
  t.ok(row!.setup_code_hash, 'the code is still good');

  const done = await p.setup('WANG.fang', ownerSetupCode.toLowerCase().replaceAll('-', ' '));
  t.equal(done.statusCode, 200, 'the login without regard to case, the code as typed');
  owner = signedInFrom(done);
  secrets.push(owner.token, GOOD_PASSWORD);
  const cookie = done.cookies.find((k) => k.name === '__Host-ht_session')!;
  t.match(cookie, { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
  t.equal(cookie.domain, undefined, '__Host-: no Domain');
  t.equal(cookie.maxAge, undefined, 'an office session cookie ends with the browser');
  t.equal(owner.token.length, 43, '256 random bits');
  t.equal(owner.body.twoFactorEnrolmentRequired, true);
  t.equal(owner.body.session.kind, 'office');

  const reused = await p.setup('wang.fang', ownerSetupCode, 'another good phrase 2');
  expectProblem(t, reused, 401);
  t.match(reused.json().detail, /already used/);

  const site = await app.inject({ method: 'POST', url: '/v1/sites', headers: owner.headers, payload: { kind: 'cultivation_base', name: '松岭基地', regionCode: '220621' } });
  expectProblem(t, site, 403);
  t.match(site.json().detail, /two-factor/);
  t.equal(await count('sites'), 0);

  const started = await app.inject({ method: 'POST', url: '/v1/auth/totp', headers: owner.headers });
  t.equal(started.statusCode, 200);
  ownerSecret = started.json().secret;
  t.match(started.json().uri, /^otpauth:\/\/totp\/.+secret=/);
  t.match(started.json().qrSvg, /^<svg/);
  const badConfirm = await app.inject({ method: 'POST', url: '/v1/auth/totp/confirm', headers: owner.headers, payload: { code: '000000' === totpNow(ownerSecret) ? '111111' : '000000' } });
  expectProblem(t, badConfirm, 422, '/problems/rule/totp-code-wrong');
  const confirmed = await app.inject({ method: 'POST', url: '/v1/auth/totp/confirm', headers: owner.headers, payload: { code: totpNow(ownerSecret) } });
  t.equal(confirmed.statusCode, 200);
  const recovery = confirmed.json().recoveryCodes as string[];
  t.equal(recovery.length, 10);
  t.equal(new Set(recovery).size, 10);
  secrets.push(...recovery);
  const old = owner;
  owner = signedInFrom(confirmed);
  t.not(owner.token, old.token, 'a new session id after enrolment');
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: old.cookieOnly }), 401);
  t.equal(owner.body.twoFactorEnrolmentRequired, false);
  expectProblem(t, await app.inject({ method: 'POST', url: '/v1/auth/totp', headers: owner.headers }), 409, undefined);
});

t.test('sign-in with TOTP: missing, wrong, right, replayed; recovery codes once', async (t) => {
  const noCode = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD });
  expectProblem(t, noCode, 401);
  t.match(noCode.json().errors, [{ path: 'body/totp' }], 'the app learns it must ask for the code');
  t.equal(sessionCookieOf(noCode), undefined, 'no session');
  const wrong = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, totp: '12345' });
  expectProblem(t, wrong, 401);
  const next = totpNow(ownerSecret, 1);
  const ok = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, totp: next });
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().session.method, 'password+totp');
  const again = signedInFrom(ok);
  t.not(again.token, owner.token, 'every sign-in gets a new session id');
  const replay = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, totp: next });
  expectProblem(t, replay, 401);
  t.match(replay.json().detail, /already used/);

  const [code] = (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from user_recovery_codes where used_at is null`)).map((r) => r.n);
  t.equal(code, 10);
  const recoveryCode = secrets.at(-1)!;
  const viaRecovery = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, recoveryCode: recoveryCode.toUpperCase() });
  t.equal(viaRecovery.statusCode, 200);
  t.equal(viaRecovery.json().session.method, 'password+recovery-code');
  expectProblem(t, await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, recoveryCode }), 401);
  t.equal(await count('user_recovery_codes', sql`used_at is null`), 9, 'a recovery code is good once');

  const deviceOwner = await p.login({ login: 'wang.fang', password: GOOD_PASSWORD, recoveryCode: secrets.at(-2)!, remember: true });
  expectProblem(t, deviceOwner, 422, '/problems/rule/device-session-not-allowed');

  // Own sessions: listed, one ended.
  const list = await app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: owner.cookieOnly });
  t.equal(list.statusCode, 200);
  t.ok(list.json().items.length >= 3);
  t.equal(list.json().items.filter((s: { current: boolean }) => s.current).length, 1);
  const ended = await app.inject({ method: 'DELETE', url: `/v1/auth/sessions/${again.body.session.id}`, headers: owner.headers });
  t.equal(ended.statusCode, 200);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: again.cookieOnly }), 401, undefined);
});

let recorder: ReturnType<typeof signedInFrom>;
let recorderId = '';
t.test('the owner invites a recorder, who records a harvest through the session; the event names them', async (t) => {
  const body = { name: '李春生', login: 'li.chunsheng', role: 'recorder' };
  const forged = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: owner.cookieOnly, payload: body });
  expectProblem(t, forged, 403);
  t.match(forged.json().detail, /x-csrf-token/);
  const wrongToken = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: { ...owner.cookieOnly, 'x-csrf-token': recorderTokenOfAnotherSession() }, payload: body });
  expectProblem(t, wrongToken, 403);
  t.equal(await count('users', sql`login = 'li.chunsheng'`), 0, 'no member without the token');
  t.match((await securityKinds()).filter((k) => k === 'csrf-refused').length, 2, 'both refusals recorded');

  const created = await p.createMember(owner.headers, orgId, body);
  secrets.push(created.setupCode);
  recorderId = created.user.id;
  const setup = await p.setup('li.chunsheng', created.setupCode, GOOD_PASSWORD, { remember: true });
  recorder = signedInFrom(setup);
  secrets.push(recorder.token);
  t.equal(recorder.body.twoFactorEnrolmentRequired, false, 'optional for recorders');
  t.equal(recorder.body.session.kind, 'device');
  const cookie = setup.cookies.find((k) => k.name === '__Host-ht_session')!;
  t.ok(cookie.maxAge! > 29 * 86_400, 'a device session outlives the browser (30 days)');

  const site = await c.site(recorder.headers, { name: '松岭GAP园参基地' });
  const seed = await c.lot(recorder.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SL-SEED', siteId: site.id, quantity: kg(40), producedAt: '2020-09-01T08:00:00+08:00' });
  const planting = await c.transform(recorder.headers, {
    occurredAt: '2021-04-15T08:00:00+08:00',
    inputs: [{ lotId: seed.id, quantity: kg(40) }],
    outputs: [{ stage: 'cultivation', lotNumber: 'SL-2021-B03', quantity: { value: 1500, unit: 'plant' } }],
  });
  const harvest = await c.transform(recorder.headers, {
    occurredAt: '2024-09-18T08:00:00+08:00',
    inputs: [{ lotId: planting.outputs[0].id, quantity: { value: 1500, unit: 'plant' } }],
    outputs: [{ stage: 'harvest', lotNumber: 'SL-2024-H01', quantity: kg(4000), attributes: { rootAgeYears: 6 } }],
  });
  const lotId = harvest.outputs[0].id;
  const event = await c.get(recorder.cookieOnly, `/v1/events/${harvest.id}`);
  t.match(event.actor, { kind: 'user', userId: recorderId, keyId: null }, 'the harvest event names the user');
  const timeline = await c.get(owner.cookieOnly, `/v1/lots/${lotId}/timeline`);
  t.match(timeline.items.at(-1).recordedBy, { kind: 'user', id: recorderId, name: '李春生' }, 'the timeline shows who');
  const fromKey = await c.get(coop.headers, `/v1/lots/${lotId}/timeline`);
  t.match(fromKey.items.at(-1).recordedBy, { name: '李春生' }, 'the same organisation’s key sees the name too');

  // A session cookie sent to another organisation's lot: not found, recorded.
  const otherSite = await c.site(other.headers, { kind: 'processing_plant', name: '鸭江工厂' });
  const otherLot = await c.lot(other.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'YJ-1', siteId: otherSite.id, quantity: kg(5), producedAt: '2024-04-01T08:00:00+08:00' });
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${otherLot.id}`, headers: recorder.cookieOnly }), 404);
  const probe = (await queryRows<{ kind: string; user_id: string; detail: string }>(database.db, sql`select kind, user_id, detail from security_events where kind = 'not-found' order by id desc limit 1`))[0];
  t.match(probe, { user_id: recorderId, detail: `GET /v1/lots/${otherLot.id}` }, 'the probe is recorded for the owner');
  const otherTimeline = await c.get(other.headers, `/v1/lots/${otherLot.id}/timeline`);
  t.equal(otherTimeline.items.length, 1);
});

function recorderTokenOfAnotherSession() {
  // A token of a real session of another user would do the same; any token not of this session is refused.
  return 'abcdefgh-0123456789abcdefghij';
}

t.test('a viewer cannot write; owners manage roles; a deactivated member’s session stops at once', async (t) => {
  const viewer = await p.member(owner.headers, orgId, { name: '赵敏', login: 'zhao.min', role: 'viewer' });
  const before = await count('sites');
  const write = await app.inject({ method: 'POST', url: '/v1/sites', headers: viewer.session.headers, payload: { kind: 'cultivation_base', name: 'X', regionCode: '220621' } });
  expectProblem(t, write, 403);
  t.match(write.json().detail, /viewer/);
  t.equal(await count('sites'), before);
  t.equal(await count('security_events', sql`kind = 'forbidden' and user_id = ${viewer.user.id}`), 1, 'the refusal is recorded');
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/users`, headers: viewer.session.cookieOnly }), 403, undefined);
  expectProblem(t, await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers: recorder.headers, payload: { name: 'x', login: 'x.x.x', role: 'owner' } }), 403, undefined);
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/users`, headers: other.headers }), 403, undefined);

  const listed = await app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/users`, headers: owner.cookieOnly });
  t.same(listed.json().items.map((u: { login: string }) => u.login), ['Wang.Fang', 'li.chunsheng', 'zhao.min']);

  // The last owner stays an owner.
  const ownerId = listed.json().items[0].id;
  expectProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organizations/${orgId}/users/${ownerId}`, headers: owner.headers, payload: { role: 'viewer' } }), 422, '/problems/rule/last-owner');
  expectProblem(t, await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users/${ownerId}/deactivate`, headers: owner.headers }), 422, '/problems/rule/last-owner');

  // Promoting the viewer to recorder ends their sessions; they sign in again.
  const promoted = await app.inject({ method: 'PATCH', url: `/v1/organizations/${orgId}/users/${viewer.user.id}`, headers: owner.headers, payload: { role: 'recorder' } });
  t.equal(promoted.statusCode, 200);
  t.equal(promoted.json().role, 'recorder');
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: viewer.session.cookieOnly }), 401, undefined);

  // Deactivation: the live session of the recorder stops on the next request.
  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: recorder.cookieOnly })).statusCode, 200);
  const deactivated = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users/${recorderId}/deactivate`, headers: owner.headers });
  t.equal(deactivated.statusCode, 200);
  t.equal(deactivated.json().status, 'deactivated');
  const afterwards = await app.inject({ method: 'POST', url: '/v1/sites', headers: recorder.headers, payload: { kind: 'cultivation_base', name: 'Y', regionCode: '220621' } });
  expectProblem(t, afterwards, 401);
  t.equal(await count('sites', sql`name = 'Y'`), 0);
  expectProblem(t, await p.login({ login: 'li.chunsheng', password: GOOD_PASSWORD }), 401, undefined);

  const events = await app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/security-events?limit=500`, headers: owner.cookieOnly });
  t.equal(events.statusCode, 200);
  const kinds = events.json().items.map((e: { kind: string }) => e.kind);
  for (const k of ['setup-failed', 'login-failed', 'totp-failed', 'csrf-refused', 'forbidden', 'not-found', 'member-created', 'member-deactivated', 'login', 'setup', 'totp-enrolled']) {
    t.ok(kinds.includes(k), `the owner sees ${k}`);
  }
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/organizations/${orgId}/security-events`, headers: viewer.session.cookieOnly }), 401, undefined);
});

t.test('20 wrong passwords are throttled per login, with Retry-After; a right password is throttled too', async (t) => {
  const victim = await p.member(owner.headers, orgId, { name: '孙', login: 'sun.li', role: 'recorder' });
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await p.login({ login: 'sun.li', password: `wrong password ${i}` }, { 'x-forwarded-for': `10.0.${i}.1` });
    statuses.push(res.statusCode);
    if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
  }
  t.same(statuses, [...Array(10).fill(401), ...Array(10).fill(429)], '10 failures, then 429');
  t.ok(Number(retryAfter) > 800 && Number(retryAfter) <= 900, `Retry-After ${retryAfter} s`);
  const right = await p.login({ login: 'sun.li', password: GOOD_PASSWORD });
  expectProblem(t, right, 429);
  t.equal(sessionCookieOf(right), undefined);
  t.equal(await count('security_events', sql`kind = 'login-throttled' and login = 'sun.li'`), 11);
  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: victim.session.cookieOnly })).statusCode, 200, 'live sessions are not touched');

  const unknownA = await p.login({ login: 'no.such.person', password: 'whatever 123' });
  const wrongB = await p.login({ login: 'zhao.min', password: 'whatever 123' });
  t.same([unknownA.statusCode, unknownA.json().detail], [wrongB.statusCode, wrongB.json().detail], 'an unknown login and a wrong password answer alike');
});

t.test('an idempotent retry of adding a member replays it without the setup code', async (t) => {
  const headers = { ...owner.headers, 'idempotency-key': 'add-member-qian-1' };
  const payload = { name: '钱', login: 'qian.retry', role: 'viewer' };
  const first = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers, payload });
  t.equal(first.statusCode, 201);
  secrets.push(first.json().setupCode);
  const retry = await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/users`, headers, payload });
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.json().setupCode, null, 'the code is shown once only');
  t.same(retry.json().user, first.json().user);
  t.equal(await count('users', sql`login = 'qian.retry'`), 1);
});

t.test('no password, setup code, session id or recovery code is stored in clear', async (t) => {
  const tables = await queryRows<{ table_name: string }>(database.db, sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  let dump = '';
  for (const { table_name } of tables) {
    const rows = await queryRows<{ j: unknown }>(database.db, sql`select row_to_json(x)::text as j from ${sql.identifier(table_name)} x`);
    dump += rows.map((r) => String(r.j)).join('\n');
  }
  t.ok(dump.length > 10_000, 'the dump has the data');
  t.ok(dump.includes('li.chunsheng'), 'the dump can find what is there');
  const found = secrets.filter((s) => dump.includes(s) || dump.includes(s.replaceAll('-', '')));
  t.same(found, [], `none of ${secrets.length} secrets appears`);
  t.ok(dump.includes('$argon2id$v=19$m=19456,t=2,p=1$'), 'passwords as argon2id (19 MiB, 2 passes)');
});

t.test('no password, setup code, session id or CSRF token is ever logged (trace level, every line)', async (t) => {
  const lines: string[] = [];
  const { buildApp } = await import('../src/app.js');
  const { testConfig } = await import('./support/app.js');
  const logged = await buildApp({ config: testConfig({ logLevel: 'trace' }), database, logStream: { write: (line: string) => void lines.push(line) } });
  t.teardown(() => logged.close());
  const lp = peopleClient(logged);
  const org = await createOrganization({ name: '日志合作社', kinds: ['cooperative'] });
  const created = await lp.createMember(adminHeaders, org.organization.id, { name: '周', login: 'zhou.log', role: 'owner' });
  const session = signedInFrom(await lp.setup('zhou.log', created.setupCode, 'a phrase only the log test knows'));
  const started = await logged.inject({ method: 'POST', url: '/v1/auth/totp', headers: session.headers });
  const secret = started.json().secret as string;
  const confirmed = await logged.inject({ method: 'POST', url: '/v1/auth/totp/confirm', headers: session.headers, payload: { code: totpNow(secret) } });
  const renewed = signedInFrom(confirmed);
  await lp.login({ login: 'zhou.log', password: 'a wrong phrase for the log test' });
  await logged.inject({ method: 'GET', url: '/v1/auth/session', headers: renewed.cookieOnly });
  await logged.inject({ method: 'POST', url: '/v1/auth/logout', headers: renewed.headers });
  const text = lines.join('');
  t.ok(lines.length > 10, `${lines.length} log lines`);
  t.ok(text.includes('/v1/auth/setup'), 'the requests are logged');
  const leaked = [created.setupCode, 'a phrase only the log test knows', 'a wrong phrase for the log test', session.token, session.csrf, renewed.token, renewed.csrf, secret, ...confirmed.json().recoveryCodes].filter((s: string) => text.includes(s));
  t.same(leaked, [], 'none of the secrets is in the log');
});

t.test('timeouts and expiry: an expired setup code, an idle session, a session past its absolute end', async (t) => {
  const org = await createOrganization({ name: '超时合作社', kinds: ['cooperative'] });
  const ownerOf = await p.firstOwner(org.organization.id, 'timeout.owner', '吴');
  const created = await p.createMember(ownerOf.session.headers, org.organization.id, { name: '郑', login: 'zheng.late', role: 'recorder' });
  await database.db.execute(sql`update users set setup_code_expires_at = now() - interval '1 second' where login = 'zheng.late'`);
  const late = await p.setup('zheng.late', created.setupCode);
  expectProblem(t, late, 401);
  t.match(late.json().detail, /expired/);
  t.equal((await queryRows<{ status: string }>(database.db, sql`select status from users where login = 'zheng.late'`))[0]!.status, 'pending', 'nothing changed');
  const fresh = await app.inject({ method: 'POST', url: `/v1/organizations/${org.organization.id}/users/${created.user.id}/setup-code`, headers: ownerOf.session.headers });
  const member = signedInFrom(await p.setup('zheng.late', fresh.json().setupCode));

  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: member.cookieOnly })).statusCode, 200);
  // Idle: last seen 31 minutes ago (office sessions: 30).
  await database.db.execute(sql`update sessions set last_seen_at = now() - interval '31 minutes' where id = ${member.body.session.id}`);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: member.cookieOnly }), 401);
  // Absolute: a session used a minute ago but past its end.
  const second = signedInFrom(await p.login({ login: 'zheng.late', password: GOOD_PASSWORD }));
  await database.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where id = ${second.body.session.id}`);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: second.cookieOnly }), 401);
  // A device session's idle timeout is days, not minutes.
  const device = signedInFrom(await p.login({ login: 'zheng.late', password: GOOD_PASSWORD, remember: true }));
  await database.db.execute(sql`update sessions set last_seen_at = now() - interval '3 days' where id = ${device.body.session.id}`);
  t.equal((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: device.cookieOnly })).statusCode, 200, 'a phone left for a weekend is still signed in');
  const touched = await queryRows<{ recent: boolean }>(database.db, sql`select last_seen_at > now() - interval '1 minute' as recent from sessions where id = ${device.body.session.id}`);
  t.equal(touched[0]!.recent, true, 'and the request counts as activity');
  // Garbage cookies are refused without a database row being touched.
  for (const junk of ['x', 'a'.repeat(43), '../../etc/passwd', '%00']) {
    expectProblem(t, await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: `__Host-ht_session=${encodeURIComponent(junk)}` } }), 401, undefined);
  }
});

t.test('throttling per client address: many logins from one address', async (t) => {
  const { app: strict } = await setupApp(t, { loginFailuresPerAddress: 5, trustProxy: true }, { database });
  const attempt = (login: string, ip: string) => strict.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'x-forwarded-for': ip }, payload: { login, password: 'guess guess guess' } });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await attempt(`spray.${i}`, '203.0.113.9')).statusCode);
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429], 'a spray over many logins from one address is throttled');
  t.equal((await attempt('spray.other', '198.51.100.7')).statusCode, 401, 'another address is not');
});
