// Quantities round-trip exactly through every answer: beyond 15 significant digits a JSON number would not.
import t from 'tap';
import { setupApp } from './support/app.js';
import { chainClient } from './support/chain.js';

const { app, createOrganization } = await setupApp(t);
const c = chainClient(app);

t.test('12345678901234.567 kg comes back exactly from lots, transformations and provenance', async (t) => {
  const coop = await createOrganization({ name: '大数合作社' });
  const site = await c.site(coop.headers);
  const big = '12345678901234.567';
  const seed = await c.lot(coop.headers, {
    stage: 'seed',
    speciesCode: 'renshen',
    lotNumber: 'BIG-SD-1',
    siteId: site.id,
    quantity: { value: big, unit: 'kg' },
    producedAt: '2024-04-01T08:00:00+08:00',
  });
  t.strictSame(seed.quantity, { value: big, unit: 'kg' }, 'the commissioned lot answers the exact decimal');
  t.strictSame(seed.remaining, { value: big, unit: 'kg' });
  t.strictSame((await c.get(coop.headers, `/v1/lots/${seed.id}`)).quantity, { value: big, unit: 'kg' }, 'read back');

  const made = await c.transform(coop.headers, {
    occurredAt: '2024-05-01T08:00:00+08:00',
    siteId: site.id,
    inputs: [{ lotId: seed.id, quantity: { value: '0.001', unit: 'kg' } }],
    outputs: [{ stage: 'cultivation', lotNumber: 'BIG-CU-1', quantity: { value: 10, unit: 'plant' } }],
  });
  t.strictSame(made.inputs[0].remaining, { value: '12345678901234.566', unit: 'kg' }, 'drawn down exactly');
  t.strictSame(made.inputs[0].consumed, { value: 0.001, unit: 'kg' }, 'small values stay numbers');
  t.strictSame(made.outputs[0].quantity, { value: 10, unit: 'plant' });

  const provenance = await c.get(coop.headers, `/v1/lots/${made.outputs[0].id}/provenance`);
  const seedNode = provenance.nodes.find((l: { id: string }) => l.id === seed.id);
  t.strictSame(seedNode.quantity, { value: big, unit: 'kg' }, 'provenance lot quantity exact');
  t.strictSame(seedNode.remaining, { value: '12345678901234.566', unit: 'kg' }, 'provenance remaining exact');
  const edge = provenance.edges.find((e: { parentLotId: string }) => e.parentLotId === seed.id);
  t.strictSame(edge.quantity, { value: 0.001, unit: 'kg' }, 'the edge quantity');
  const list = await c.get(coop.headers, '/v1/lots?lotNumber=BIG-SD-1');
  t.strictSame(list.items[0].remaining, { value: '12345678901234.566', unit: 'kg' }, 'the list too');
});
