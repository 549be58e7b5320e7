import t from 'tap';
import { eq } from 'drizzle-orm';
import { organizations } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { expectProblem, listAll } from './support/http.js';

// One app for everything but the rate limit; its body limit is small so a "too large" body is cheap to send.
const { app, database } = await setupApp(t, { bodyLimitBytes: 2048 });

const json = { ...adminHeaders, 'content-type': 'application/json' };
const organizationPayload = (name: string) => ({ name, kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' });

t.test('malformed JSON → 400 problem+json without internals', async (t) => {
  for (const body of ['{"name": "x",', '{name: "x"}', "{'a': 1}", '[1, 2', 'undefined']) {
    const res = await app.inject({ method: 'POST', url: '/v1/organizations', headers: json, payload: body });
    const problem = expectProblem(t, res, 400, '/problems/malformed-json');
    t.strictSame(Object.keys(problem).sort(), ['detail', 'instance', 'requestId', 'status', 'title', 'type'], `${body}: only problem fields`);
    t.equal(problem.instance, '/v1/organizations');
    t.match(problem.requestId, /^req_[0-9a-z]{16}$/);
    t.notMatch(res.body, /SyntaxError|stack|at JSON\.parse/, `${body}: no parser internals`);
  }
  const empty = await app.inject({ method: 'POST', url: '/v1/organizations', headers: json, payload: '' });
  expectProblem(t, empty, 400);
  t.strictSame(await listAll(app, '/v1/organizations', adminHeaders), [], 'nothing stored');
});

t.test('unknown route → 404 problem+json', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/herbs?x=1' });
  const problem = expectProblem(t, res, 404, '/problems/not-found');
  t.equal(problem.instance, '/v1/herbs', 'instance is the path without the query');
  t.match(problem.detail, 'GET /v1/herbs');
  const post = await app.inject({ method: 'POST', url: '/v1/organisations', headers: adminHeaders, payload: {} });
  expectProblem(t, post, 404, '/problems/not-found');
  const wrongMethod = await app.inject({ method: 'PUT', url: '/v1/species/renshen', payload: {} });
  expectProblem(t, wrongMethod, 404);
});

t.test('a body over the limit → 413 problem+json, nothing stored', async (t) => {
  const payload = { ...organizationPayload('超大请求'), address: '长白山'.repeat(700) };
  const size = Buffer.byteLength(JSON.stringify(payload));
  t.ok(size > 2048, `the body is ${size} bytes`);
  const res = await app.inject({ method: 'POST', url: '/v1/organizations', headers: adminHeaders, payload });
  expectProblem(t, res, 413, '/problems/body-too-large');
  t.strictSame(await database.db.select().from(organizations).where(eq(organizations.name, '超大请求')), []);

  const justUnder = await app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: adminHeaders,
    payload: { ...organizationPayload('刚好在限额内'), address: '长白山'.repeat(150) },
  });
  t.equal(justUnder.statusCode, 201, `a body under the limit is fine: ${justUnder.body.slice(0, 200)}`);
});

t.test('a content type other than JSON → 415 problem+json, nothing stored', async (t) => {
  for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: { ...adminHeaders, 'content-type': contentType },
      payload: contentType === 'text/plain' ? JSON.stringify(organizationPayload('纯文本')) : 'name=x',
    });
    expectProblem(t, res, 415, '/problems/unsupported-media-type');
    t.equal(res.statusCode, 415, `${contentType} → 415`);
  }
  t.strictSame(await database.db.select().from(organizations).where(eq(organizations.name, '纯文本')), [], 'nothing stored');
});

t.test('x-request-id is echoed in the header and in the problem', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/organizations/org_missing', headers: { ...adminHeaders, 'x-request-id': 'abc-123' } });
  const problem = expectProblem(t, res, 404);
  t.equal(res.headers['x-request-id'], 'abc-123');
  t.equal(problem.requestId, 'abc-123');

  const ok = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
  t.equal(ok.headers['x-request-id'], 'abc-123', 'on success too');

  const generated = await app.inject({ method: 'GET', url: '/health' });
  t.match(String(generated.headers['x-request-id']), /^req_[0-9a-z]{16}$/, 'generated when absent');

  for (const bad of ['has spaces in it', 'x'.repeat(65), '<script>']) {
    const res2 = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': bad } });
    const p2 = expectProblem(t, res2, 404);
    t.match(p2.requestId, /^req_[0-9a-z]{16}$/, `an unusable id (${bad.slice(0, 20)}) is replaced`);
  }
});

t.test('security headers on every response', async (t) => {
  for (const [label, res] of [
    ['JSON', await app.inject({ method: 'GET', url: '/v1/species/renshen' })],
    ['problem', await app.inject({ method: 'GET', url: '/v1/nothing' })],
    ['health', await app.inject({ method: 'GET', url: '/health' })],
  ] as const) {
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${label}: nosniff`);
    t.equal(res.headers['x-frame-options'], 'SAMEORIGIN', `${label}: x-frame-options`);
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${label}: referrer-policy`);
    t.match(String(res.headers['strict-transport-security']), /max-age=\d+/, `${label}: HSTS`);
    t.match(String(res.headers['content-security-policy']), /default-src 'self'/, `${label}: CSP`);
    t.equal(res.headers['x-powered-by'], undefined, `${label}: no x-powered-by`);
  }
});

t.test('public rate limit: the 4th call is 429; /health and authenticated routes are not limited', async (t) => {
  const limited = await setupApp(t, { publicRateLimitPerMinute: 3 }, { database }); // another app, the same database
  const api = limited.app;
  for (let i = 1; i <= 3; i++) {
    const res = await api.inject({ method: 'GET', url: '/v1/species' });
    t.equal(res.statusCode, 200, `call ${i} passes`);
    t.equal(res.headers['x-ratelimit-limit'], '3');
    t.equal(res.headers['x-ratelimit-remaining'], String(3 - i));
  }
  const fourth = await api.inject({ method: 'GET', url: '/v1/species' });
  const problem = expectProblem(t, fourth, 429, '/problems/rate-limited');
  t.equal(problem.instance, '/v1/species');
  t.ok(Number(fourth.headers['retry-after']) > 0, `retry-after: ${fourth.headers['retry-after']}`);

  for (let i = 0; i < 6; i++) {
    const health = await api.inject({ method: 'GET', url: '/health' });
    t.equal(health.statusCode, 200, `/health call ${i + 1} is never limited`);
    t.equal(health.headers['x-ratelimit-limit'], undefined);
  }
  const ready = await api.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200, '/ready is not limited');

  for (let i = 0; i < 6; i++) {
    const res = await api.inject({ method: 'GET', url: '/v1/organizations', headers: adminHeaders });
    t.equal(res.statusCode, 200, `authenticated call ${i + 1} is not limited`);
  }
  const org = await limited.createOrganization();
  for (let i = 0; i < 5; i++) {
    const res = await api.inject({ method: 'GET', url: '/v1/sites', headers: org.headers });
    t.equal(res.statusCode, 200, `organisation key call ${i + 1} is not limited`);
  }

  const stillLimited = await api.inject({ method: 'GET', url: '/v1/species' });
  expectProblem(t, stillLimited, 429, '/problems/rate-limited');
});
