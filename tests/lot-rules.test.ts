import t from 'tap';
import type { InjectOptions } from 'fastify';
import { count, eq } from 'drizzle-orm';
import { lotEdges, lots } from '../src/db/schema.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { chainSnapshot, refusalChecker } from './support/chain-state.js';
import { expectProblem } from './support/http.js';

// Every chain rule refuses a bad request with a problem naming the rule, and a refused request writes nothing.
const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);
type Headers = Record<string, string>;



const refused = refusalChecker(app, database);
const snapshot = () => chainSnapshot(database);

const post = (headers: Headers, url: string, payload: unknown): InjectOptions => ({ method: 'POST', url, headers, payload: payload as object });
const transformation = (headers: Headers, body: Record<string, unknown>) =>
  post(headers, '/v1/transformations', { occurredAt: '2024-10-01T08:00:00+08:00', ...body });
const remainingOf = async (headers: Headers, id: string) => (await c.get(headers, `/v1/lots/${id}`)).remaining;

// ---------------------------------------------------------------------------------------------------------------
// The fixture chain: a cooperative with seed → cultivation → harvest → processed → product, a processor and an
// organisation that never touches anything.
const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
const processor = await createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
const stranger = await createOrganization({ name: '无关公司', kinds: ['trader'] });
const coopSite = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地' });
const processorSite = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江工厂' });

const seed = await c.lot(coop.headers, {
  stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: coopSite.id, quantity: kg(1000), producedAt: '2024-03-01T08:00:00+08:00',
});
const sowing = await c.transform(coop.headers, {
  occurredAt: '2024-04-01T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(100) }],
  outputs: [{ stage: 'cultivation', lotNumber: 'CU-1', quantity: { value: 5000, unit: 'plant' } }],
});
const bed = sowing.outputs[0];
const harvesting = await c.transform(coop.headers, {
  occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 2000, unit: 'plant' } }],
  outputs: [
    { stage: 'harvest', lotNumber: 'HV-1', quantity: kg(500) },
    { stage: 'harvest', lotNumber: 'HV-2', quantity: kg(500) },
  ],
});
const [harvest, harvest2] = harvesting.outputs;
const drying = await c.transform(coop.headers, {
  occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: harvest.id, quantity: kg(100) }],
  outputs: [{ stage: 'processed', lotNumber: 'PR-1', quantity: kg(80) }],
});
const processed = drying.outputs[0];
const boxing = await c.transform(coop.headers, {
  occurredAt: '2024-09-20T08:00:00+08:00', inputs: [{ lotId: processed.id, quantity: kg(10) }],
  outputs: [{ stage: 'product', lotNumber: 'PD-1', quantity: { value: 100, unit: 'box' } }],
});
const product = boxing.outputs[0];

t.test('the snapshot sees a successful change (so "nothing stored" can fail)', async (t) => {
  const before = await snapshot();
  const done = await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: harvest2.id, quantity: kg(1) }],
    outputs: [{ stage: 'harvest', lotNumber: 'SNAP-1', quantity: kg(1) }],
  });
  const after = await snapshot();
  t.not(JSON.stringify(after), JSON.stringify(before));
  t.equal(after.counts.lots, before.counts.lots! + 1);
  t.equal(after.counts.events, before.counts.events! + 1);
  t.equal(after.counts.lotEdges, before.counts.lotEdges! + 1);
  t.equal(after.counts.eventLots, before.counts.eventLots! + 2);
  t.equal(after.lotRows.find((l) => l.id === harvest2.id)!.remaining, '499.000');
  t.equal(done.outputs[0].remaining.value, 1);
});

t.test('stages only move forward', async (t) => {
  const p = await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'cultivation', lotNumber: 'BACK-1', quantity: kg(1) }] }),
    422,
    { rule: 'stage-order', path: 'body/outputs/0/stage' },
  );
  t.match(p.detail, /harvest.*cultivation/);
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: product.id, quantity: { value: 1, unit: 'box' } }], outputs: [{ stage: 'processed', lotNumber: 'BACK-2', quantity: kg(1) }] }),
    422,
    { rule: 'stage-order', path: 'body/outputs/0/stage' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: seed.id, quantity: kg(1) }], outputs: [{ stage: 'harvest', lotNumber: 'SKIP-1', quantity: kg(1) }] }),
    422,
    { rule: 'stage-order' },
  );
  // One bad output among good ones refuses the whole request.
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(2) }],
      outputs: [
        { stage: 'processed', lotNumber: 'FWD-OK', quantity: kg(1) },
        { stage: 'seed', lotNumber: 'BACK-3', quantity: kg(1) },
      ],
    }),
    422,
    { rule: 'stage-order', path: 'body/outputs/1/stage' },
  );
  t.same(await remainingOf(coop.headers, harvest.id), { value: 400, unit: 'kg' });
});

t.test('a transformation may not consume more than remains', async (t) => {
  const p = await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg('400.001') }], outputs: [{ stage: 'processed', lotNumber: 'TOO-MUCH', quantity: kg(1) }] }),
    422,
    { rule: 'insufficient-quantity', path: 'body/inputs/0/quantity' },
  );
  t.match(p.detail, /400 kg remaining/);
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: { value: '0.401', unit: 't' } }], outputs: [{ stage: 'processed', lotNumber: 'TOO-MUCH-T', quantity: kg(1) }] }),
    422,
    { rule: 'insufficient-quantity' },
  );
  // Both inputs checked: the second one is short.
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(1) }, { lotId: bed.id, quantity: { value: 3001, unit: 'plant' } }],
      outputs: [{ stage: 'harvest', lotNumber: 'TOO-MUCH-2', quantity: kg(1) }],
    }),
    422,
    { rule: 'insufficient-quantity', path: 'body/inputs/1/quantity' },
  );
});

t.test('output mass may not exceed consumed input mass (kg, and mixed kg/g/t)', async (t) => {
  const p = await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(10) }], outputs: [{ stage: 'processed', lotNumber: 'MB-1', quantity: kg('10.001') }] }),
    422,
    { rule: 'mass-balance', path: 'body/outputs' },
  );
  t.match(p.detail, /10001 g .* 10000 g/, 'the detail states both masses in grams');
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(10) }],
      outputs: [
        { stage: 'processed', lotNumber: 'MB-2', quantity: kg(6) },
        { stage: 'processed', lotNumber: 'MB-3', quantity: kg('4.001') },
      ],
    }),
    422,
    { rule: 'mass-balance' },
  );
  // 0.5 kg + 500 g of input = 1 kg; 0.001 t + 1 g of output = 1.001 kg.
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg('0.5') }, { lotId: harvest2.id, quantity: { value: 500, unit: 'g' } }],
      outputs: [
        { stage: 'processed', lotNumber: 'MB-4', quantity: { value: '0.001', unit: 't' } },
        { stage: 'processed', lotNumber: 'MB-5', quantity: { value: 1, unit: 'g' } },
      ],
    }),
    422,
    { rule: 'mass-balance' },
  );
  // Input drawn in t from a kg lot: 0.002 t = 2 kg, output 2001 g.
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: { value: '0.002', unit: 't' } }],
      outputs: [{ stage: 'processed', lotNumber: 'MB-6', quantity: { value: 2001, unit: 'g' } }],
    }),
    422,
    { rule: 'mass-balance' },
  );
  // Exactly equal is allowed.
  const ok = await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00',
    inputs: [{ lotId: harvest.id, quantity: kg('0.5') }, { lotId: harvest2.id, quantity: { value: 500, unit: 'g' } }],
    outputs: [{ stage: 'processed', lotNumber: 'MB-OK', quantity: { value: '0.001', unit: 't' } }],
  });
  t.same(ok.inputs, [
    { lotId: harvest.id, consumed: { value: 0.5, unit: 'kg' }, remaining: { value: 399.5, unit: 'kg' } },
    { lotId: harvest2.id, consumed: { value: 0.5, unit: 'kg' }, remaining: { value: 498.5, unit: 'kg' } },
  ]);
  t.same(ok.outputs[0].quantity, { value: 0.001, unit: 't' });
  t.same(await remainingOf(coop.headers, harvest2.id), { value: 498.5, unit: 'kg' });
});

t.test("another organisation's lot: custody when it can see it, 404 when it never touched it", async (t) => {
  const given = await c.transform(coop.headers, {
    occurredAt: '2024-10-02T08:00:00+08:00', inputs: [{ lotId: harvest.id, quantity: kg(20) }],
    outputs: [{ stage: 'harvest', lotNumber: 'GIVEN-1', quantity: kg(20) }],
  });
  const lot = given.outputs[0];
  const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-03T08:00:00+08:00' });
  await c.receive(processor.headers, shipment.id, { siteId: processorSite.id, receivedAt: '2024-10-03T18:00:00+08:00' });
  t.equal((await c.get(coop.headers, `/v1/lots/${lot.id}`)).holder.id, processor.organization.id, 'the cooperative still sees the lot');

  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'NOT-MINE', quantity: kg(1) }] }),
    422,
    { rule: 'custody', path: 'body/inputs/0/lotId' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: stranger.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-05T08:00:00+08:00' }),
    422,
    { rule: 'custody', path: 'body/lines/0/lotId' },
  );

  const strangerSite = await c.site(stranger.headers, { kind: 'warehouse', name: '无关仓库' });
  await refused(
    t,
    transformation(stranger.headers, {
      siteId: strangerSite.id, inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'STOLEN', quantity: kg(1) }],
    }),
    404,
  );
  await refused(
    t,
    post(stranger.headers, '/v1/shipments', { toOrganizationId: coop.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-10-05T08:00:00+08:00' }),
    404,
  );
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${harvest.id}`, headers: stranger.headers }), 404);
});

t.test('a lot in transit can be used by nobody: not the sender, not the receiver before receiving', async (t) => {
  const made = await c.transform(coop.headers, {
    occurredAt: '2024-10-02T08:00:00+08:00', inputs: [{ lotId: harvest.id, quantity: kg(20) }],
    outputs: [{ stage: 'harvest', lotNumber: 'TRANSIT-1', quantity: kg(20) }],
  });
  const lot = made.outputs[0];
  const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-03T08:00:00+08:00' });
  t.match(await c.get(processor.headers, `/v1/lots/${lot.id}`), { inTransit: { shipmentId: shipment.id, toOrganizationId: processor.organization.id } }, 'the receiver sees it in transit');

  // The sender.
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'TR-S-1', quantity: kg(1) }] }),
    422,
    { rule: 'in-transit', path: 'body/inputs/0/lotId' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: stranger.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    422,
    { rule: 'in-transit', path: 'body/lines/0/lotId' },
  );
  // The receiver, before receiving.
  await refused(
    t,
    transformation(processor.headers, {
      siteId: processorSite.id, inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'TR-R-1', quantity: kg(1) }],
    }),
    422,
    { rule: 'in-transit', path: 'body/inputs/0/lotId' },
  );
  await refused(
    t,
    post(processor.headers, '/v1/shipments', { toOrganizationId: stranger.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    422,
    { rule: 'in-transit', path: 'body/lines/0/lotId' },
  );
  // After receiving, the receiver uses it.
  await c.receive(processor.headers, shipment.id, { siteId: processorSite.id, receivedAt: '2024-10-04T08:00:00+08:00' });
  const used = await c.transform(processor.headers, {
    occurredAt: '2024-10-05T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'TR-R-1', quantity: kg(1) }],
  });
  t.same(used.inputs[0].remaining, { value: 19, unit: 'kg' });
});

t.test('held and recalled lots cannot be inputs or be shipped', async (t) => {
  for (const status of ['hold', 'recalled'] as const) {
    const made = await c.transform(coop.headers, {
      occurredAt: '2024-10-02T08:00:00+08:00', inputs: [{ lotId: harvest.id, quantity: kg(5) }],
      outputs: [{ stage: 'harvest', lotNumber: `BLOCK-${status}`, quantity: kg(5) }],
    });
    const lot = made.outputs[0];
    const changed = await c.call('POST', `/v1/lots/${lot.id}/status`, coop.headers, { status, reason: '检测超标' }, 200);
    t.equal(changed.lot.status, status);
    const p = await refused(
      t,
      transformation(coop.headers, { inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: `BL-T-${status}`, quantity: kg(1) }] }),
      422,
      { rule: 'blocked-lot', path: 'body/inputs/0/lotId' },
    );
    t.match(p.detail, status);
    await refused(
      t,
      post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-10-04T08:00:00+08:00' }),
      422,
      { rule: 'blocked-lot', path: 'body/lines/0/lotId' },
    );
    await refused(
      t,
      post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: kg(1) }], shippedAt: '2024-10-04T08:00:00+08:00' }),
      422,
      { rule: 'blocked-lot' },
    );
    // A blocked lot among good inputs blocks the whole transformation.
    await refused(
      t,
      transformation(coop.headers, {
        inputs: [{ lotId: harvest.id, quantity: kg(1) }, { lotId: lot.id, quantity: kg(1) }],
        outputs: [{ stage: 'processed', lotNumber: `BL-M-${status}`, quantity: kg(1) }],
      }),
      422,
      { rule: 'blocked-lot', path: 'body/inputs/1/lotId' },
    );
  }
});

t.test('lot numbers are unique per producer', async (t) => {
  const p = await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00' }),
    409,
  );
  t.match(p.detail, 'SD-1');
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'PR-1', quantity: kg(1) }] }),
    409,
  );
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(2) }],
      outputs: [
        { stage: 'processed', lotNumber: 'TWIN', quantity: kg(1) },
        { stage: 'processed', lotNumber: 'TWIN', quantity: kg(1) },
      ],
    }),
    400,
    { path: 'body/outputs/1/lotNumber' },
  );
  // Another producer may use the same number.
  const other = await c.lot(processor.headers, {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-1', siteId: processorSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00',
  });
  t.equal(other.lotNumber, 'SD-1');
});

t.test('quantities: negative, zero, 4 decimals, unknown unit, fractional counts → 400', async (t) => {
  const commission = (quantity: unknown) =>
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'Q-BAD', siteId: coopSite.id, quantity, producedAt: '2024-03-01T08:00:00+08:00' });
  for (const value of [-1, '-1', 0, '0', '0.000', 1.2345, '1.2345', '0.0001', 'abc', '1e3', '']) {
    await refused(t, commission({ value, unit: 'kg' }), 400, { path: 'body/quantity/value' });
    await refused(
      t,
      transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: { value, unit: 'kg' } }], outputs: [{ stage: 'processed', lotNumber: 'Q-BAD', quantity: kg(1) }] }),
      400,
      { path: 'body/inputs/0/quantity/value' },
    );
    await refused(
      t,
      transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'Q-BAD', quantity: { value, unit: 'kg' } }] }),
      400,
      { path: 'body/outputs/0/quantity/value' },
    );
    await refused(
      t,
      post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: { value, unit: 'kg' } }], shippedAt: '2024-10-04T08:00:00+08:00' }),
      400,
      { path: 'body/lines/0/quantity/value' },
    );
  }
  for (const unit of ['lb', 'KG', 'mg', '']) {
    await refused(t, commission({ value: 1, unit }), 400, { path: 'body/quantity/unit' });
  }
  await refused(t, commission({ value: 1 }), 400, { path: 'body/quantity/unit' });
  await refused(t, commission({ unit: 'kg' }), 400, { path: 'body/quantity/value' });
  for (const value of ['1.5', 1.5, '0.001']) {
    await refused(t, commission({ value, unit: 'plant' }), 400, { path: 'body/quantity/value' });
    await refused(
      t,
      transformation(coop.headers, { inputs: [{ lotId: bed.id, quantity: { value, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: 'Q-BAD', quantity: kg(1) }] }),
      400,
      { path: 'body/inputs/0/quantity/value' },
    );
  }
  // Three decimals, as a string or a number, are fine.
  const fine = await c.lot(coop.headers, {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'Q-OK', siteId: coopSite.id, quantity: { value: '12.345', unit: 'kg' }, producedAt: '2024-03-01T08:00:00+08:00',
  });
  t.same((await c.lot(coop.headers, {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'Q-OK-2', siteId: coopSite.id, quantity: { value: 0.001, unit: 'kg' }, producedAt: '2024-03-01T08:00:00+08:00',
  })).quantity, { value: 0.001, unit: 'kg' });
  t.same(fine.quantity, { value: 12.345, unit: 'kg' });
});

t.test('unit conversion: inexact g → kg is quantity-precision, kg from a plant count is unit-mismatch', async (t) => {
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: { value: '0.5', unit: 'g' } }], outputs: [{ stage: 'processed', lotNumber: 'PREC-1', quantity: { value: '0.5', unit: 'g' } }] }),
    422,
    { rule: 'quantity-precision', path: 'body/inputs/0/quantity' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: { value: '1.5', unit: 'g' } }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    422,
    { rule: 'quantity-precision', path: 'body/lines/0/quantity' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: bed.id, quantity: kg(1) }], outputs: [{ stage: 'harvest', lotNumber: 'UNIT-1', quantity: kg(1) }] }),
    422,
    { rule: 'unit-mismatch', path: 'body/inputs/0/quantity' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: { value: 1, unit: 'box' } }], outputs: [{ stage: 'processed', lotNumber: 'UNIT-2', quantity: kg(1) }] }),
    422,
    { rule: 'unit-mismatch' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: product.id, quantity: { value: 1, unit: 'piece' } }], outputs: [{ stage: 'product', lotNumber: 'UNIT-3', quantity: { value: 1, unit: 'box' } }] }),
    422,
    { rule: 'unit-mismatch' },
  );
  // An exact g draw from a kg lot is fine.
  const ok = await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: harvest2.id, quantity: { value: 1, unit: 'g' } }],
    outputs: [{ stage: 'processed', lotNumber: 'PREC-OK', quantity: { value: 1, unit: 'g' } }],
  });
  t.same(ok.inputs[0].consumed, { value: 0.001, unit: 'kg' });
});

t.test('unknown fields are refused, naming them', async (t) => {
  const good = { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'UNK-1', quantity: kg(1) }] };
  await refused(t, transformation(coop.headers, { ...good, colour: 'red' }), 400, { path: 'body/colour' });
  await refused(t, transformation(coop.headers, { ...good, inputs: [{ lotId: harvest.id, quantity: kg(1), grade: 'A' }] }), 400, { path: 'body/inputs/0/grade' });
  await refused(
    t,
    transformation(coop.headers, { ...good, outputs: [{ stage: 'processed', lotNumber: 'UNK-1', quantity: kg(1), holder: stranger.organization.id }] }),
    400,
    { path: 'body/outputs/0/holder' },
  );
  await refused(
    t,
    transformation(coop.headers, { ...good, inputs: [{ lotId: harvest.id, quantity: { value: 1, unit: 'kg', basis: 'dry' } }] }),
    400,
    { path: 'body/inputs/0/quantity/basis' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'UNK-2', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00', remaining: kg(1) }),
    400,
    { path: 'body/remaining' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, price: 3 }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    400,
    { path: 'body/lines/0/price' },
  );
});

t.test('an unknown lot is a 404', async (t) => {
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: 'lot_doesnotexist0000', quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'GHOST', quantity: kg(1) }] }),
    404,
  );
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(1) }, { lotId: 'lot_doesnotexist0000', quantity: kg(1) }],
      outputs: [{ stage: 'processed', lotNumber: 'GHOST', quantity: kg(1) }],
    }),
    404,
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: 'lot_doesnotexist0000' }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    404,
  );
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/lots/lot_doesnotexist0000', headers: coop.headers }), 404);
  await refused(t, post(coop.headers, '/v1/lots/lot_doesnotexist0000/status', { status: 'hold', reason: 'x' }), 404);
  await refused(t, post(coop.headers, '/v1/lots/lot_doesnotexist0000/events', { type: 'note', occurredAt: '2024-10-04T08:00:00+08:00', data: { text: 'x' } }), 404);
});

t.test('timestamps need an offset', async (t) => {
  const p = await refused(
    t,
    transformation(coop.headers, {
      occurredAt: '2024-09-18T08:00:00', inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'TZ-1', quantity: kg(1) }],
    }),
    400,
    { path: 'body/occurredAt' },
  );
  t.match(p.detail, 'body/occurredAt');
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'TZ-2', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-09-18T08:00:00' }),
    400,
    { path: 'body/producedAt' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-09-18 08:00' }),
    400,
    { path: 'body/shippedAt' },
  );
  await refused(t, post(coop.headers, `/v1/lots/${harvest.id}/events`, { type: 'note', occurredAt: '2024-09-18', data: { text: 'x' } }), 400, { path: 'body/occurredAt' });
  await refused(t, post(coop.headers, `/v1/lots/${harvest.id}/status`, { status: 'hold', reason: 'x', occurredAt: '2024-09-18T08:00:00' }), 400, { path: 'body/occurredAt' });
});

t.test('material cannot be used before it was produced', async (t) => {
  await refused(
    t,
    transformation(coop.headers, {
      occurredAt: '2024-08-31T23:59:59+08:00', inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'EARLY-1', quantity: kg(1) }],
    }),
    422,
    { rule: 'chronology', path: 'body/occurredAt' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-08-31T15:59:59Z' }),
    422,
    { rule: 'chronology', path: 'body/shippedAt' },
  );
  // The same instant in another offset is not earlier.
  const ok = await c.transform(coop.headers, {
    occurredAt: '2024-09-01T00:00:00Z', inputs: [{ lotId: harvest2.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'ON-TIME', quantity: kg(1) }],
  });
  t.equal(ok.occurredAt, '2024-09-01T00:00:00.000Z');
});

t.test('sites and species of outputs', async (t) => {
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'SITE-1', quantity: kg(1), siteId: processorSite.id }] }),
    422,
    { rule: 'site-ownership', path: 'body/outputs/0/siteId' },
  );
  await refused(
    t,
    transformation(coop.headers, { siteId: processorSite.id, inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'SITE-2', quantity: kg(1) }] }),
    422,
    { rule: 'site-ownership', path: 'body/siteId' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SITE-3', siteId: processorSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00' }),
    422,
    { rule: 'site-ownership', path: 'body/siteId' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'SP-1', quantity: kg(1), speciesCode: 'lurong' }] }),
    422,
    { rule: 'species-mismatch', path: 'body/outputs/0/speciesCode' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'seed', speciesCode: 'no-such-herb', lotNumber: 'SP-2', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00' }),
    400,
    { path: 'body/speciesCode' },
  );
});

t.test('root lots: only seed without an external origin', async (t) => {
  for (const stage of ['cultivation', 'harvest', 'processed', 'decoction_piece', 'product']) {
    await refused(
      t,
      post(coop.headers, '/v1/lots', { stage, speciesCode: 'renshen', lotNumber: `ROOT-${stage}`.slice(0, 20), siteId: coopSite.id, quantity: kg(10), producedAt: '2024-09-01T08:00:00+08:00' }),
      422,
      { rule: 'no-material-from-nowhere', path: 'body/origin' },
    );
  }
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'harvest', speciesCode: 'renshen', lotNumber: 'ROOT-CHAIN', siteId: coopSite.id, quantity: kg(10), producedAt: '2024-09-01T08:00:00+08:00', origin: { type: 'chain' } }),
    422,
    { rule: 'no-material-from-nowhere' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', { stage: 'harvest', speciesCode: 'renshen', lotNumber: 'ROOT-BAD', siteId: coopSite.id, quantity: kg(10), producedAt: '2024-09-01T08:00:00+08:00', origin: { type: 'bought' } }),
    400,
  );

  const origin = { type: 'external', supplierName: '安国药材市场某商户', regionCode: '130683', reference: 'INV-2024-0901' };
  const bought = await c.lot(coop.headers, {
    stage: 'harvest', speciesCode: 'renshen', lotNumber: 'EXT-1', siteId: coopSite.id, quantity: kg(200), producedAt: '2024-09-01T08:00:00+08:00', origin,
  });
  t.match(bought, { stage: 'harvest', origin, remaining: { value: 200, unit: 'kg' }, status: 'active', producer: { id: coop.organization.id }, holder: { id: coop.organization.id } });
  t.same((await c.get(coop.headers, `/v1/lots/${bought.id}`)).origin, origin, 'origin shown as external, as sent');
  const [row] = await database.db.select().from(lots).where(eq(lots.id, bought.id));
  t.same(row!.origin, origin, 'stored');
  // It is usable like any other lot.
  const dried = await c.transform(coop.headers, {
    occurredAt: '2024-09-02T08:00:00+08:00', inputs: [{ lotId: bought.id, quantity: kg(100) }], outputs: [{ stage: 'processed', lotNumber: 'EXT-1-P', quantity: kg(40) }],
  });
  t.same(dried.outputs[0].origin, { type: 'chain' });
});

t.test('GTIN: product lots only, check digit validated', async (t) => {
  await refused(
    t,
    post(coop.headers, '/v1/lots', {
      stage: 'seed', speciesCode: 'renshen', lotNumber: 'GTIN-1', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00', gtin: '6901234567892',
    }),
    422,
    { rule: 'gtin-product-only', path: 'body/gtin' },
  );
  await refused(
    t,
    transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'GTIN-2', quantity: kg(1), gtin: '6901234567892' }] }),
    422,
    { rule: 'gtin-product-only', path: 'body/outputs/0/gtin' },
  );
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: processed.id, quantity: kg(1) }], outputs: [{ stage: 'product', lotNumber: 'GTIN-3', quantity: { value: 10, unit: 'box' }, gtin: '6901234567891' }],
    }),
    400,
    { path: 'body/outputs/0/gtin' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', {
      stage: 'product', speciesCode: 'renshen', lotNumber: 'GTIN-4', siteId: coopSite.id, quantity: { value: 10, unit: 'box' }, producedAt: '2024-03-01T08:00:00+08:00',
      origin: { type: 'external' }, gtin: '6901234567891',
    }),
    400,
    { path: 'body/gtin' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/lots', {
      stage: 'product', speciesCode: 'renshen', lotNumber: 'GTIN-5', siteId: coopSite.id, quantity: { value: 10, unit: 'box' }, producedAt: '2024-03-01T08:00:00+08:00',
      origin: { type: 'external' }, gtin: '69012345678',
    }),
    400,
    { path: 'body/gtin' },
  );
  const ok = await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: processed.id, quantity: kg(1) }],
    outputs: [{ stage: 'product', lotNumber: 'GTIN-OK', quantity: { value: 10, unit: 'box' }, gtin: '6901234567892' }],
  });
  t.equal(ok.outputs[0].gtin, '06901234567892');
});

t.test('the same input listed twice is refused', async (t) => {
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: harvest.id, quantity: kg(1) }, { lotId: harvest.id, quantity: kg(1) }], outputs: [{ stage: 'processed', lotNumber: 'DUP-IN', quantity: kg(1) }],
    }),
    400,
    { path: 'body/inputs/1/lotId' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', {
      toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id, quantity: kg(1) }, { lotId: harvest.id, quantity: kg(1) }], shippedAt: '2024-10-04T08:00:00+08:00',
    }),
    400,
    { path: 'body/lines/1/lotId' },
  );
  await refused(t, transformation(coop.headers, { inputs: [], outputs: [{ stage: 'processed', lotNumber: 'NO-IN', quantity: kg(1) }] }), 400, { path: 'body/inputs' });
  await refused(t, transformation(coop.headers, { inputs: [{ lotId: harvest.id, quantity: kg(1) }], outputs: [] }), 400, { path: 'body/outputs' });
});

t.test('exact decimal arithmetic: 0.1 kg + 0.2 kg is exactly 0.3 kg', async (t) => {
  const split = await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: harvest2.id, quantity: kg(1) }],
    outputs: [
      { stage: 'processed', lotNumber: 'TENTH', quantity: kg(0.1) },
      { stage: 'processed', lotNumber: 'FIFTH', quantity: kg(0.2) },
    ],
  });
  const [a, b] = split.outputs;
  t.equal(0.1 + 0.2 === 0.3, false, 'floating point would get this wrong');
  await refused(
    t,
    transformation(coop.headers, {
      inputs: [{ lotId: a.id, quantity: kg(0.1) }, { lotId: b.id, quantity: kg(0.2) }], outputs: [{ stage: 'processed', lotNumber: 'MERGED', quantity: kg(0.301) }],
    }),
    422,
    { rule: 'mass-balance' },
  );
  const merged = await c.transform(coop.headers, {
    occurredAt: '2024-10-02T08:00:00+08:00',
    inputs: [{ lotId: a.id, quantity: kg(0.1) }, { lotId: b.id, quantity: kg(0.2) }],
    outputs: [{ stage: 'processed', lotNumber: 'MERGED', quantity: kg(0.3) }],
  });
  t.same(merged.outputs[0].quantity, { value: 0.3, unit: 'kg' });
  t.same(merged.inputs.map((i: { remaining: unknown }) => i.remaining), [{ value: 0, unit: 'kg' }, { value: 0, unit: 'kg' }]);
  const stored = await database.db.select({ id: lots.id, remaining: lots.remaining, quantity: lots.quantity }).from(lots).where(eq(lots.lotNumber, 'MERGED'));
  t.same(stored.map((r) => [r.quantity, r.remaining]), [['0.300', '0.300']]);
  t.equal((await database.db.select({ n: count() }).from(lotEdges).where(eq(lotEdges.childLotId, merged.outputs[0].id)))[0]!.n, 2, 'an edge from each input');
});

t.test('ten draws of 0.1 kg from 1 kg leave exactly 0', async (t) => {
  const one = (await c.transform(coop.headers, {
    occurredAt: '2024-10-01T08:00:00+08:00', inputs: [{ lotId: harvest2.id, quantity: kg(1) }], outputs: [{ stage: 'harvest', lotNumber: 'ONE-KG', quantity: kg(1) }],
  })).outputs[0];
  for (let i = 1; i <= 10; i++) {
    const draw = await c.transform(coop.headers, {
      occurredAt: '2024-10-02T08:00:00+08:00', inputs: [{ lotId: one.id, quantity: kg(0.1) }], outputs: [{ stage: 'processed', lotNumber: `DRAW-${i}`, quantity: kg(0.1) }],
    });
    t.same(draw.inputs[0].remaining, { value: Number(((10 - i) / 10).toFixed(1)), unit: 'kg' }, `after draw ${i}`);
  }
  t.same(await remainingOf(coop.headers, one.id), { value: 0, unit: 'kg' });
  const [row] = await database.db.select({ remaining: lots.remaining }).from(lots).where(eq(lots.id, one.id));
  t.equal(row!.remaining, '0.000');
  await refused(
    t,
    transformation(coop.headers, { occurredAt: '2024-10-03T08:00:00+08:00', inputs: [{ lotId: one.id, quantity: { value: 1, unit: 'g' } }], outputs: [{ stage: 'processed', lotNumber: 'DRAW-11', quantity: { value: 1, unit: 'g' } }] }),
    422,
    { rule: 'insufficient-quantity' },
  );
  await refused(
    t,
    post(coop.headers, '/v1/shipments', { toOrganizationId: processor.organization.id, lines: [{ lotId: one.id }], shippedAt: '2024-10-04T08:00:00+08:00' }),
    422,
    { rule: 'insufficient-quantity' },
  );
});

t.test('a transformation with more than 10,000 input–output pairs is refused before anything is read', async (t) => {
  const inputs = Array.from({ length: 101 }, () => ({ lotId: harvest.id, quantity: kg('0.001') }));
  const outputs = Array.from({ length: 100 }, (_, i) => ({ stage: 'processed', lotNumber: `WIDE-${i}`, quantity: kg('0.001') }));
  await refused(t, transformation(coop.headers, { occurredAt: '2024-10-01T08:00:00+08:00', inputs, outputs }), 422, { rule: 'transformation-too-large' });
});
