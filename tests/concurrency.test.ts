import t from 'tap';
import { and, count, eq, like } from 'drizzle-orm';
import { events, lotEdges, lots, shipmentLines, shipments } from '../src/db/schema.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { TEST_DATABASE_URL } from './support/databases.js';
import { expectProblem } from './support/http.js';

// Concurrent requests on one lot take turns on a row lock: the lot is never overdrawn, and exactly as many draws
// succeed as the quantity allows. Every test here races requests against each other's transactions, which
// proves something only on PostgreSQL: PGlite has one connection, so there the requests queue and run one
// after another, and would pass without any lock. On PGlite the tests are skipped (and nothing is set up).
const locking = TEST_DATABASE_URL ? false : 'locking needs PostgreSQL: PGlite has one connection, so concurrent requests never overlap';

type Setup = Awaited<ReturnType<typeof setupApp>>;
type Client = ReturnType<typeof chainClient>;
type Org = Awaited<ReturnType<Setup['createOrganization']>>;
let app!: Setup['app'];
let database!: Setup['database'];
let c!: Client;
let coop!: Org;
let processor!: Org;
let coopSite!: { id: string };
let processorSite!: { id: string };
if (!locking) {
  const setup = await setupApp(t);
  ({ app, database } = setup);
  c = chainClient(app);
  coop = await setup.createOrganization({ name: '松岭合作社', kinds: ['cooperative'] });
  processor = await setup.createOrganization({ name: '鸭江加工厂', kinds: ['processor'] });
  coopSite = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地' });
  processorSite = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江工厂' });
}

let counter = 0;
/** A root lot of 100 kg (a seed lot: every stage may become itself). */
const hundredKg = async () =>
  c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: `BIG-${++counter}`, siteId: coopSite.id, quantity: kg(100), producedAt: '2024-03-01T08:00:00+08:00' });

const count201 = (responses: { statusCode: number }[]) => responses.filter((r) => r.statusCode === 201).length;

t.test('20 concurrent 10 kg draws on a 100 kg lot: exactly 10 succeed', { skip: locking }, async (t) => {
  const lot = await hundredKg();
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: '/v1/transformations',
        headers: coop.headers,
        payload: {
          occurredAt: '2024-09-01T08:00:00+08:00',
          inputs: [{ lotId: lot.id, quantity: kg(10) }],
          outputs: [{ stage: 'seed', lotNumber: `DRAW-${String(i).padStart(2, '0')}`, quantity: kg(10) }],
        },
      }),
    ),
  );
  const statuses = responses.map((r) => r.statusCode).sort();
  t.equal(count201(responses), 10, `10 × 201 (got ${statuses.join(',')})`);
  const failures = responses.filter((r) => r.statusCode !== 201);
  t.equal(failures.length, 10);
  for (const res of failures) {
    const problem = expectProblem(t, res, 422);
    t.equal(problem.rule, 'insufficient-quantity');
  }
  // Each success saw a different remaining quantity: 90, 80, … 0.
  const remainders = responses.filter((r) => r.statusCode === 201).map((r) => r.json().inputs[0].remaining.value as number).sort((a, b) => a - b);
  t.same(remainders, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90], 'the draws took turns');

  t.same((await c.get(coop.headers, `/v1/lots/${lot.id}`)).remaining, { value: 0, unit: 'kg' });
  const [row] = await database.db.select({ remaining: lots.remaining }).from(lots).where(eq(lots.id, lot.id));
  t.equal(row!.remaining, '0.000');
  const [outputs] = await database.db.select({ n: count() }).from(lots).where(and(eq(lots.producerId, coop.organization.id), like(lots.lotNumber, 'DRAW-%')));
  t.equal(outputs!.n, 10, 'exactly 10 output lots exist');
  const [edges] = await database.db.select({ n: count() }).from(lotEdges).where(eq(lotEdges.parentLotId, lot.id));
  t.equal(edges!.n, 10, 'and 10 edges');
  const [evts] = await database.db.select({ n: count() }).from(events).where(eq(events.type, 'transformation'));
  t.equal(evts!.n, 10, 'and 10 transformation events');
  const okNumbers = responses.filter((r) => r.statusCode === 201).map((r) => r.json().outputs[0].lotNumber as string);
  const stored = await database.db.select({ lotNumber: lots.lotNumber }).from(lots).where(like(lots.lotNumber, 'DRAW-%'));
  t.same(stored.map((s) => s.lotNumber).sort(), okNumbers.sort(), 'the stored outputs are those of the successful requests');
});

t.test('20 concurrent partial shipments of 10 kg from a 100 kg lot: exactly 10 succeed', { skip: locking }, async (t) => {
  const lot = await hundredKg();
  const responses = await Promise.all(
    Array.from({ length: 20 }, () =>
      app.inject({
        method: 'POST',
        url: '/v1/shipments',
        headers: coop.headers,
        payload: { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: kg(10) }], shippedAt: '2024-09-02T08:00:00+08:00' },
      }),
    ),
  );
  t.equal(count201(responses), 10, `10 × 201 (got ${responses.map((r) => r.statusCode).sort().join(',')})`);
  for (const res of responses.filter((r) => r.statusCode !== 201)) {
    const problem = expectProblem(t, res, 422);
    // The tenth draw takes all that is left, so the lot itself travels: the ones after it find it in transit.
    t.ok(['in-transit', 'insufficient-quantity'].includes(problem.rule!), `rule ${problem.rule}`);
  }
  const travelling = responses.filter((r) => r.statusCode === 201).map((r) => r.json().lines[0].lotId as string);
  t.equal(new Set(travelling).size, 10, 'ten distinct lots travel');
  t.ok(travelling.includes(lot.id), 'the last 10 kg is the lot itself');

  const [row] = await database.db.select().from(lots).where(eq(lots.id, lot.id));
  t.equal(row!.remaining, '10.000', 'the parent keeps its last 10 kg, travelling whole');
  t.ok(row!.shipmentId);
  const children = await database.db.select({ lotNumber: lots.lotNumber, quantity: lots.quantity }).from(lots).where(like(lots.lotNumber, `${lot.lotNumber}-%`));
  t.same(children.map((ch) => ch.lotNumber).sort(), Array.from({ length: 9 }, (_, i) => `${lot.lotNumber}-${i + 1}`).sort(), 'nine children with distinct numbers');
  t.ok(children.every((ch) => ch.quantity === '10.000'));
  const [split] = await database.db.select({ n: count() }).from(lotEdges).where(eq(lotEdges.parentLotId, lot.id));
  t.equal(split!.n, 9);
  const [lineCount] = await database.db.select({ n: count() }).from(shipmentLines).where(eq(shipmentLines.sourceLotId, lot.id));
  t.equal(lineCount!.n, 10, 'ten shipment lines');
  const total = (await database.db.select({ quantity: shipmentLines.quantity }).from(shipmentLines).where(eq(shipmentLines.sourceLotId, lot.id)))
    .reduce((sum, l) => sum + Number(l.quantity), 0);
  t.equal(total, 100, 'all 100 kg shipped, not a gram more');
});

t.test('20 concurrent partial shipments of 10 kg from a 95 kg lot: 9 succeed, 11 find too little', { skip: locking }, async (t) => {
  const lot = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'ODD-95', siteId: coopSite.id, quantity: kg(95), producedAt: '2024-03-01T08:00:00+08:00' });
  const responses = await Promise.all(
    Array.from({ length: 20 }, () =>
      app.inject({
        method: 'POST', url: '/v1/shipments', headers: coop.headers,
        payload: { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: kg(10) }], shippedAt: '2024-09-02T08:00:00+08:00' },
      }),
    ),
  );
  t.equal(count201(responses), 9);
  for (const res of responses.filter((r) => r.statusCode !== 201)) t.equal(expectProblem(t, res, 422).rule, 'insufficient-quantity');
  t.same((await c.get(coop.headers, `/v1/lots/${lot.id}`)).remaining, { value: 5, unit: 'kg' });
});

t.test('concurrent transformations and shipments on one lot share it exactly', { skip: locking }, async (t) => {
  const lot = await hundredKg();
  const responses = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? app.inject({
            method: 'POST', url: '/v1/transformations', headers: coop.headers,
            payload: { occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(5) }], outputs: [{ stage: 'seed', lotNumber: `MIX-${i}`, quantity: kg(5) }] },
          })
        : app.inject({
            method: 'POST', url: '/v1/shipments', headers: coop.headers,
            payload: { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id, quantity: { value: 5000, unit: 'g' } }], shippedAt: '2024-09-02T08:00:00+08:00' },
          }),
    ),
  );
  const ok = count201(responses);
  t.equal(ok, 20, `5 kg × 20 = 100 kg (statuses ${responses.map((r) => r.statusCode).join(',')})`);
  for (const res of responses.filter((r) => r.statusCode !== 201)) t.match(expectProblem(t, res, 422).rule, /^(insufficient-quantity|in-transit)$/);
  const [row] = await database.db.select().from(lots).where(eq(lots.id, lot.id));
  const consumed = (await database.db.select({ q: lotEdges.parentQuantity }).from(lotEdges).where(eq(lotEdges.parentLotId, lot.id))).reduce((s, e) => s + Number(e.q), 0);
  // Whatever order they ran in: what was drawn off (edges) plus what is left (or travels whole) is exactly 100 kg.
  t.equal(consumed + Number(row!.remaining), 100, `drawn ${consumed} + remaining ${row!.remaining} = 100`);
});

t.test('concurrent commissions with one lot number: one 201, the rest 409', { skip: locking }, async (t) => {
  const responses = await Promise.all(
    Array.from({ length: 8 }, () =>
      app.inject({
        method: 'POST', url: '/v1/lots', headers: coop.headers,
        payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SAME-NO', siteId: coopSite.id, quantity: kg(1), producedAt: '2024-03-01T08:00:00+08:00' },
      }),
    ),
  );
  t.equal(count201(responses), 1);
  for (const res of responses.filter((r) => r.statusCode !== 201)) expectProblem(t, res, 409);
  const [n] = await database.db.select({ n: count() }).from(lots).where(eq(lots.lotNumber, 'SAME-NO'));
  t.equal(n!.n, 1);
  const [e] = await database.db.select({ n: count() }).from(events).where(eq(events.type, 'commissioned'));
  const [l] = await database.db.select({ n: count() }).from(lots).where(eq(lots.producerId, coop.organization.id));
  t.ok(e!.n <= l!.n, 'no commissioning event without its lot');
});

t.test('a shipment received and refused at the same moment closes once', { skip: locking }, async (t) => {
  const lot = await hundredKg();
  const shipment = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: lot.id }], shippedAt: '2024-09-02T08:00:00+08:00' });
  const responses = await Promise.all([
    ...Array.from({ length: 4 }, () => app.inject({ method: 'POST', url: `/v1/shipments/${shipment.id}/receive`, headers: processor.headers, payload: { siteId: processorSite.id } })),
    ...Array.from({ length: 4 }, () => app.inject({ method: 'POST', url: `/v1/shipments/${shipment.id}/refuse`, headers: processor.headers, payload: { reason: '拒收' } })),
  ]);
  const ok = responses.filter((r) => r.statusCode === 200);
  t.equal(ok.length, 1, `one closes it (statuses ${responses.map((r) => r.statusCode).join(',')})`);
  for (const res of responses.filter((r) => r.statusCode !== 200)) t.equal(expectProblem(t, res, 422).rule, 'shipment-closed');
  const [row] = await database.db.select().from(shipments).where(eq(shipments.id, shipment.id));
  t.equal(row!.status, ok[0]!.json().status);
  const [closing] = await database.db.select({ n: count() }).from(events).where(eq(events.id, row!.closeEventId!));
  t.equal(closing!.n, 1);
  const closeEvents = await database.db.select({ type: events.type }).from(events);
  t.equal(closeEvents.filter((e) => e.type === 'shipment_received' || e.type === 'shipment_refused').length, 1, 'one closing event');
  const [lotRow] = await database.db.select().from(lots).where(eq(lots.id, lot.id));
  t.equal(lotRow!.shipmentId, null);
  t.equal(lotRow!.holderId, row!.status === 'received' ? processor.organization.id : coop.organization.id);
});

t.test('a recall racing transformations: no unrecalled lot is made from a recalled one', { skip: locking }, async (t) => {
  const lot = await hundredKg();
  const responses = await Promise.all([
    ...Array.from({ length: 6 }, (_, i) =>
      app.inject({
        method: 'POST', url: '/v1/transformations', headers: coop.headers,
        payload: { occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'seed', lotNumber: `RACE-${i}`, quantity: kg(1) }] },
      }),
    ),
    app.inject({ method: 'POST', url: `/v1/lots/${lot.id}/status`, headers: coop.headers, payload: { status: 'recalled', reason: '召回' } }),
  ]);
  const recall = responses.at(-1)!;
  t.equal(recall.statusCode, 200, recall.body);
  for (const res of responses.slice(0, -1)) {
    if (res.statusCode !== 201) t.equal(expectProblem(t, res, 422).rule, 'blocked-lot');
  }
  const made = await database.db.select({ id: lots.id, status: lots.status }).from(lots).where(like(lots.lotNumber, 'RACE-%'));
  t.equal(made.length, count201(responses));
  t.ok(made.every((m) => m.status === 'recalled'), 'every lot made from it is recalled');
  t.same([...(recall.json().cascaded as string[])].sort(), made.map((m) => m.id).sort());
});

t.test('a recall racing transformations of a descendant: lots made from it while the recall waits are recalled too', { skip: locking }, async (t) => {
  const root = await hundredKg();
  const child = (await c.transform(coop.headers, { occurredAt: '2024-08-01T08:00:00+08:00', inputs: [{ lotId: root.id, quantity: kg(50) }], outputs: [{ stage: 'seed', lotNumber: `DESC-${root.lotNumber}`, quantity: kg(50) }] })).outputs[0];
  for (let round = 0; round < 3; round++) {
    const responses = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        app.inject({
          method: 'POST', url: '/v1/transformations', headers: coop.headers,
          payload: { occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: child.id, quantity: kg(1) }], outputs: [{ stage: 'seed', lotNumber: `DRACE-${round}-${i}`, quantity: kg(1) }] },
        }),
      ),
      ...(round === 1 ? [app.inject({ method: 'POST', url: `/v1/lots/${root.id}/status`, headers: coop.headers, payload: { status: 'recalled', reason: '召回' } })] : []),
    ]);
    for (const res of responses) {
      if (res.statusCode !== 201 && res.statusCode !== 200) t.equal(expectProblem(t, res, 422).rule, 'blocked-lot');
    }
  }
  const made = await database.db.select({ id: lots.id, status: lots.status }).from(lots).where(like(lots.lotNumber, 'DRACE-%'));
  t.ok(made.length >= 6, 'the first round made lots before the recall');
  t.same(made.filter((m) => m.status !== 'recalled'), [], 'every lot made from the recalled lot\'s descendant is recalled');
});
