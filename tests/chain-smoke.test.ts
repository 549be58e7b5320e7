import t from 'tap';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';

t.test('smoke', async (t) => {
  const { app, createOrganization } = await setupApp(t);
  const c = chainClient(app);
  const farm = await createOrganization({ kinds: ['seed_producer'] });
  const coop = await createOrganization({ kinds: ['cooperative'] });
  const s1 = await c.site(farm.headers, { kind: 'seed_nursery' });
  const seed = await c.lot(farm.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: s1.id, quantity: kg(40), producedAt: '2018-09-01T08:00:00+08:00' });
  t.equal(seed.producedAt, '2018-09-01T08:00:00.000+08:00');
  const tr = await c.transform(farm.headers, { occurredAt: '2019-04-01T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(40) }], outputs: [{ stage: 'seed', lotNumber: 'SL-1', quantity: { value: 150000, unit: 'plant' } }] });
  t.equal(tr.outputs[0].quantity.value, 150000);
  const shp = await c.ship(farm.headers, { toOrganizationId: coop.organization.id, lines: [{ lotId: tr.outputs[0].id, quantity: { value: 100000, unit: 'plant' } }], shippedAt: '2021-04-01T08:00:00+08:00' });
  t.equal(shp.status, 'in_transit');
  const rec = await c.receive(coop.headers, shp.id);
  t.equal(rec.status, 'received');
  const timeline = await c.get(coop.headers, `/v1/lots/${shp.lines[0].lotId}/timeline`);
  t.equal(timeline.items.length, 3);
  const bad = await app.inject({ method: 'POST', url: `/v1/lots/${seed.id}/events`, headers: farm.headers, payload: { type: 'sensor', occurredAt: '2019-04-01T08:00:00+08:00', data: { temperatureC: 'x' } } });
  console.log(bad.body);
  const bad2 = await app.inject({ method: 'POST', url: `/v1/lots/${seed.id}/events`, headers: farm.headers, payload: { type: 'nope', occurredAt: '2019-04-01T08:00:00', data: {} } });
  console.log(bad2.body);
});
