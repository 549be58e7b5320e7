import t from 'tap';
import { setupApp } from './support/app.js';

t.test('health and readiness', async (t) => {
  const { app } = await setupApp(t);
  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  t.ok(health.headers['x-request-id'], 'every response carries its request id');

  const ready = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { status: 'ready', database: /^(pglite|postgres)$/ });
});
