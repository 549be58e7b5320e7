import t from 'tap';
import { makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { answerSchemas } from './support/openapi.js';

// A hand-built graph with a merge of two bases, a split, a diamond and an external root.
t.test('provenance, descendants and lineage timeline on a hand-built graph', async (t) => {
  const { app, createOrganization, database } = await setupApp(t);
  const c = chainClient(app);
  // The answers are written as JSON text by hand (provenance.service.ts): each one read here is held to its schema.
  const answers = await answerSchemas(app);
  const coopA = await createOrganization({ name: '合作社甲', kinds: ['cooperative'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const coopB = await createOrganization({ name: '合作社乙', kinds: ['cooperative'], regionCode: '220622', creditCode: makeCreditCode('220622', '93') });
  const proc = await createOrganization({ name: '加工厂丙', kinds: ['processor'], regionCode: '220582', creditCode: makeCreditCode('220582') });
  const maker = await createOrganization({ name: '制药丁', kinds: ['manufacturer'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const stranger = await createOrganization({ name: '无关戊', kinds: ['trader'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const regulator = await createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });

  const nurseryA = await c.site(coopA.headers, { kind: 'seed_nursery', name: '甲苗圃', regionCode: '220621' });
  const baseA = await c.site(coopA.headers, { kind: 'cultivation_base', name: '甲基地', regionCode: '220621', location: { lat: 42.3, lon: 127.3 } });
  const nurseryB = await c.site(coopB.headers, { kind: 'seed_nursery', name: '乙苗圃', regionCode: '220622' });
  const baseB = await c.site(coopB.headers, { kind: 'cultivation_base', name: '乙基地', regionCode: '220622' });
  const plant = await c.site(proc.headers, { kind: 'processing_plant', name: '丙工厂', regionCode: '220582' });
  const factory = await c.site(maker.headers, { kind: 'processing_plant', name: '丁车间', regionCode: '220502' });

  const grow = async (org: typeof coopA, nursery: string, base: string, tag: string) => {
    const seed = await c.lot(org.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: `${tag}-SD`, siteId: nursery, quantity: kg(10), producedAt: '2019-09-01T08:00:00+08:00' });
    const bed = (await c.transform(org.headers, { occurredAt: '2020-04-01T08:00:00+08:00', siteId: base, inputs: [{ lotId: seed.id, quantity: kg(10) }], outputs: [{ stage: 'cultivation', lotNumber: `${tag}-CU`, quantity: { value: 1000, unit: 'plant' } }] })).outputs[0];
    const harvest = (await c.transform(org.headers, { occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 1000, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: `${tag}-HV`, quantity: kg(100) }] })).outputs[0];
    const shipment = await c.ship(org.headers, { toOrganizationId: proc.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-09-11T08:00:00+08:00' });
    await c.receive(proc.headers, shipment.id, { siteId: plant.id, receivedAt: '2024-09-12T08:00:00+08:00' });
    return { seed, bed, harvest };
  };
  const a = await grow(coopA, nurseryA.id, baseA.id, 'A');
  const b = await grow(coopB, nurseryB.id, baseB.id, 'B');

  const x = (await c.transform(proc.headers, { occurredAt: '2024-09-20T08:00:00+08:00', inputs: [{ lotId: a.harvest.id, quantity: kg(30) }, { lotId: b.harvest.id, quantity: kg(70) }], outputs: [{ stage: 'processed', lotNumber: 'X', quantity: kg(80) }] })).outputs[0];
  const split = await c.transform(proc.headers, { occurredAt: '2024-09-21T08:00:00+08:00', inputs: [{ lotId: x.id, quantity: kg(70) }], outputs: [{ stage: 'processed', lotNumber: 'X1', quantity: kg(40) }, { stage: 'processed', lotNumber: 'X2', quantity: kg(30) }] });
  const [x1, x2] = split.outputs;
  const y = (await c.transform(proc.headers, { occurredAt: '2024-09-22T08:00:00+08:00', inputs: [{ lotId: x1.id, quantity: kg(20) }, { lotId: x2.id, quantity: { value: 30000, unit: 'g' } }], outputs: [{ stage: 'processed', lotNumber: 'Y', quantity: kg(50) }] })).outputs[0];
  const e = await c.lot(proc.headers, { stage: 'processed', speciesCode: 'renshen', lotNumber: 'E-EXT', siteId: plant.id, quantity: kg(50), producedAt: '2024-09-15T08:00:00+08:00', origin: { type: 'external', supplierName: '外购供应商', reference: 'INV-001' } });
  const z = (await c.transform(proc.headers, { occurredAt: '2024-09-25T08:00:00+08:00', inputs: [{ lotId: y.id, quantity: kg(50) }, { lotId: e.id, quantity: kg(50) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'Z', quantity: kg(100) }], process: { steps: [{ op: '切', params: { thicknessMm: 2 } }] } })).outputs[0];

  await t.test('Y: a merge of two bases through a split and a diamond keeps 0.3 / 0.7', async (t) => {
    const p = await c.get(proc.headers, `/v1/lots/${y.id}/provenance`);
    answers.matches(t, 'GET /v1/lots/{id}/provenance', 200, p);
    t.equal(p.complete, true);
    t.same(p.untracedInputs, []);
    t.equal(p.nodeCount, 10, 'Y, X1, X2, X, two harvests, two beds, two seeds');
    t.equal(p.edgeCount, 10);
    t.equal(p.depth, 5, 'Y → X1 → X → harvest → bed → seed');
    t.same(p.originShares.basis, 'quantity');
    t.same(
      p.originShares.sites.map((s: any) => [s.site.name, s.lotId, s.share, s.fraction, s.traced]),
      [
        ['乙基地', b.harvest.id, '0.700000', '7/10', true],
        ['甲基地', a.harvest.id, '0.300000', '3/10', true],
      ],
    );
    t.same(
      p.originShares.regions.map((r: any) => [r.regionCode, r.regionName, r.share]),
      [
        ['220622', '吉林省 白山市 靖宇县', '0.700000'],
        ['220621', '吉林省 白山市 抚松县', '0.300000'],
      ],
    );
    const xNode = p.nodes.find((n: any) => n.id === x.id);
    t.equal(xNode.distance, 2, 'X is reached on two paths and listed once');
    t.equal(p.nodes.filter((n: any) => n.id === x.id).length, 1);
    const edge = p.edges.find((ed: any) => ed.parentLotId === x2.id && ed.childLotId === y.id);
    t.same(edge.quantity, { value: 30, unit: 'kg' }, 'the edge carries what was consumed, in the parent unit');
    t.same(p.roots.map((r: any) => r.lotId).sort(), [a.seed.id, b.seed.id].sort());
  });

  await t.test('Z: an external root makes the chain incomplete and takes its share', async (t) => {
    const p = await c.get(proc.headers, `/v1/lots/${z.id}/provenance`);
    answers.matches(t, 'GET /v1/lots/{id}/provenance', 200, p, 'an incomplete provenance (untraced input)');
    t.equal(p.complete, false);
    t.same(p.untracedInputs.map((u: any) => [u.lotId, u.origin.type, u.origin.supplierName]), [[e.id, 'external', '外购供应商']]);
    t.equal(p.nodeCount, 12);
    t.same(
      p.originShares.sites.map((s: any) => [s.lotId, s.share, s.fraction, s.traced]),
      [
        [e.id, '0.500000', '1/2', false],
        [b.harvest.id, '0.350000', '7/20', true],
        [a.harvest.id, '0.150000', '3/20', true],
      ],
    );
    t.same(p.originShares.regions.map((r: any) => [r.regionCode, r.share]), [[null, '0.500000'], ['220622', '0.350000'], ['220621', '0.150000']]);
    const zNode = p.nodes[0];
    t.match(zNode, { id: z.id, distance: 0, process: { steps: [{ op: '切' }] } });
    t.equal(p.nodes.find((n: any) => n.id === y.id).process, null, 'a lot made without recorded steps');
    const seedNode = p.nodes.find((n: any) => n.id === a.seed.id);
    t.match(seedNode, { stage: 'seed', producerId: coopA.organization.id, holderId: coopA.organization.id, siteId: nurseryA.id, process: null });
    t.match(seedNode.createdByEventId, /^evt_/);
    t.same(p.organizations.find((o: any) => o.id === coopA.organization.id), { id: coopA.organization.id, name: '合作社甲', regionCode: '220621', regionName: '吉林省 白山市 抚松县' });
    t.match(p.sites.find((st: any) => st.id === nurseryA.id), { name: '甲苗圃', kind: 'seed_nursery', regionCode: '220621', organizationId: coopA.organization.id });
    t.same(p.sites.find((st: any) => st.id === baseA.id).location, { lat: 42.3, lon: 127.3 });
    t.equal(p.organizations.length, 3, 'each organisation once: the two cooperatives and the processor');
    t.equal(p.sites.length, 5, 'both nurseries, both bases, the plant');
    // Every member of a lot as the answer shows it, exactly.
    const eNode = p.nodes.find((n: any) => n.id === e.id);
    t.same(eNode, {
      id: e.id,
      lotNumber: 'E-EXT',
      stage: 'processed',
      speciesCode: 'renshen',
      status: 'active',
      producerId: proc.organization.id,
      holderId: proc.organization.id,
      inTransit: false,
      siteId: plant.id,
      quantity: { value: 50, unit: 'kg' },
      remaining: { value: 0, unit: 'kg' },
      producedAt: '2024-09-15T08:00:00.000+08:00',
      origin: { type: 'external', supplierName: '外购供应商', reference: 'INV-001' },
      attributes: {},
      gtin: null,
      distance: 1,
      createdByEventId: eNode.createdByEventId,
      process: null,
    });
    t.match(eNode.createdByEventId, /^evt_/);
    t.match(p.nodes.find((n: any) => n.id === x2.id), { quantity: { value: 30, unit: 'kg' }, remaining: { value: 0, unit: 'kg' } });
    t.match(p.nodes.find((n: any) => n.id === x.id), { quantity: { value: 80, unit: 'kg' }, remaining: { value: 10, unit: 'kg' } });
  });

  await t.test('thirds are exact and the shown decimals still sum to 1', async (t) => {
    const thirdsSite = await c.site(proc.headers, { kind: 'warehouse', name: '丙仓库', regionCode: '220582' });
    const parts = [];
    for (const [n, region] of [['T1', '220621'], ['T2', '220622'], ['T3', '220582']] as const) {
      const site = await c.site(proc.headers, { kind: 'cultivation_base', name: `基地${n}`, regionCode: region });
      const seed = await c.lot(proc.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: `${n}-SD`, siteId: site.id, quantity: kg(1), producedAt: '2020-01-01T08:00:00+08:00' });
      const bed = (await c.transform(proc.headers, { occurredAt: '2020-04-01T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(1) }], outputs: [{ stage: 'cultivation', lotNumber: `${n}-CU`, quantity: { value: 10, unit: 'plant' } }] })).outputs[0];
      parts.push((await c.transform(proc.headers, { occurredAt: '2024-09-01T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 10, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: `${n}-HV`, quantity: kg(3) }] })).outputs[0]);
    }
    const merged = (await c.transform(proc.headers, { occurredAt: '2024-09-30T08:00:00+08:00', siteId: thirdsSite.id, inputs: parts.map((p) => ({ lotId: p.id, quantity: kg(1) })), outputs: [{ stage: 'processed', lotNumber: 'THIRDS', quantity: kg(1) }] })).outputs[0];
    const p = await c.get(proc.headers, `/v1/lots/${merged.id}/provenance`);
    answers.matches(t, 'GET /v1/lots/{id}/provenance', 200, p);
    t.same(p.originShares.sites.map((s: any) => s.fraction), ['1/3', '1/3', '1/3']);
    const shares = p.originShares.sites.map((s: any) => s.share);
    t.same([...shares].sort(), ['0.333333', '0.333333', '0.333334']);
    t.equal(shares.reduce((sum: number, s: string) => sum + Math.round(Number(s) * 1e6), 0), 1_000_000);
  });

  // The manufacturer takes 10 kg of Z and makes a product.
  const toMaker = await c.ship(proc.headers, { toOrganizationId: maker.organization.id, lines: [{ lotId: z.id, quantity: kg(10) }], shippedAt: '2024-10-01T08:00:00+08:00' });
  const zChild = toMaker.lines[0].lotId;

  await t.test('who may read provenance', async (t) => {
    t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${a.harvest.id}/provenance`, headers: maker.headers })).statusCode, 200, 'the receiver of a shipment holding a descendant (in transit) reads upstream');
    await c.receive(maker.headers, toMaker.id, { siteId: factory.id, receivedAt: '2024-10-02T08:00:00+08:00' });
    await c.transform(maker.headers, { occurredAt: '2024-10-05T08:00:00+08:00', inputs: [{ lotId: zChild, quantity: kg(10) }], outputs: [{ stage: 'product', lotNumber: 'CAPS-1', quantity: { value: 100, unit: 'box' } }] });
    for (const [who, headers, lot, status] of [
      ['manufacturer holding a descendant of Z', maker.headers, z.id, 200],
      ['manufacturer holding a descendant of harvest A', maker.headers, a.harvest.id, 200],
      ['producer of harvest A', coopA.headers, a.harvest.id, 200],
      ['regulator', regulator.headers, z.id, 200],
      ['coop A for Z (neither producer, holder nor downstream)', coopA.headers, z.id, 404],
      ['a stranger', stranger.headers, a.seed.id, 404],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: `/v1/lots/${lot}/provenance`, headers });
      t.equal(res.statusCode, status, who);
      if (status === 404) t.equal(res.json().detail, `No lot ${lot}.`, 'the answer does not reveal that the lot exists');
    }
    const unknown = await app.inject({ method: 'GET', url: '/v1/lots/lot_doesnotexist0000/provenance', headers: regulator.headers });
    t.equal(unknown.statusCode, 404);
  });

  await t.test('descendants answer the recall question, grouped by holder', async (t) => {
    const caps = (await c.get(maker.headers, '/v1/lots?lotNumber=CAPS-1')).items[0];
    const toStranger = await c.ship(maker.headers, { toOrganizationId: stranger.organization.id, lines: [{ lotId: caps.id, quantity: { value: 40, unit: 'box' } }], shippedAt: '2024-10-06T08:00:00+08:00' });
    await c.receive(stranger.headers, toStranger.id, { receivedAt: '2024-10-07T08:00:00+08:00' });
    const d = await c.get(coopA.headers, `/v1/lots/${a.harvest.id}/descendants`);
    answers.matches(t, 'GET /v1/lots/{id}/descendants', 200, d);
    t.equal(d.count, 8, 'X, X1, X2, Y, Z, the 10 kg split-off, the product and its 40-box split-off');
    const byHolder = Object.fromEntries(d.holders.map((h: any) => [h.organization.name, h.lots.map((l: any) => l.lotNumber).sort()]));
    t.same(byHolder, { 加工厂丙: ['X', 'X1', 'X2', 'Y', 'Z'], 制药丁: ['CAPS-1', 'Z-1'], 无关戊: ['CAPS-1-1'] });
    t.same(d.productTotals, [{ unit: 'box', quantity: 100, remaining: 100, lots: 2 }], 'the split-off boxes are not counted as made twice');
    t.ok(d.edges.some((ed: any) => ed.parentLotId === z.id && ed.childLotId === zChild));
    t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${a.harvest.id}/descendants`, headers: regulator.headers })).statusCode, 200);
    t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${a.harvest.id}/descendants`, headers: maker.headers })).statusCode, 404, 'downstream holders do not map the whole recall');
    t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${a.harvest.id}/descendants`, headers: stranger.headers })).statusCode, 404);
  });

  await t.test('the lineage timeline pages through the lot and its ancestors in time order', async (t) => {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await c.get(proc.headers, `/v1/lots/${z.id}/timeline?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      answers.matches(t, 'GET /v1/lots/{id}/timeline', 200, page, `timeline page ${pages + 1}`);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    // 3 commissions, 8 transformations, 2 dispatches, 2 receipts touch Z's lineage; the later shipment of Z too.
    t.equal(items.length, 16);
    t.equal(new Set(items.map((i) => i.id)).size, items.length, 'each event once');
    const times = items.map((i) => Date.parse(i.occurredAt));
    t.same(times, [...times].sort((p, q) => p - q), 'in the order things happened');
    t.equal(items[0].type, 'commissioned');
    t.equal(items[0].role, null, 'an ancestor-only event has no role for Z');
    const zMade = items.find((i) => i.type === 'transformation' && i.role === 'output');
    t.same(zMade.data.process, { steps: [{ op: '切', params: { thicknessMm: 2 } }] });
    const own = await c.get(proc.headers, `/v1/lots/${z.id}/timeline?scope=lot`);
    answers.matches(t, 'GET /v1/lots/{id}/timeline', 200, own);
    t.same(own.items.map((i: any) => `${i.type}:${i.role}`), ['transformation:output', 'split:input', 'shipment_dispatched:null'].slice(0, own.items.length));
    t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${z.id}/timeline?cursor=garbage`, headers: proc.headers })).statusCode, 400);
  });

  await t.test("another organisation's lot and an unknown id: the same answer after the same queries", async (t) => {
    // Every statement the app sends goes through drizzle's session: record their SQL text (not the parameters).
    const session = (database.db as any).session;
    const prepareQuery = session.prepareQuery;
    let statements: string[] | null = null;
    session.prepareQuery = function (query: { sql: string }, ...rest: unknown[]) {
      statements?.push(query.sql);
      return prepareQuery.call(this, query, ...rest);
    };
    t.teardown(() => {
      session.prepareQuery = prepareQuery;
    });
    const unknownId = 'lot_0000000000000000';
    for (const path of ['provenance', 'descendants', 'timeline', 'timeline?scope=lot']) {
      const answers = [];
      for (const lotId of [z.id, unknownId]) {
        statements = [];
        // coop A produced an ancestor of Z but neither holds, held nor received Z or anything made from it.
        const res = await app.inject({ method: 'GET', url: `/v1/lots/${lotId}/${path}`, headers: coopA.headers });
        const { requestId: _requestId, ...body } = res.json();
        answers.push({ status: res.statusCode, contentType: res.headers['content-type'], body: JSON.parse(JSON.stringify(body).replaceAll(lotId, '<id>')), statements });
        statements = null;
      }
      t.equal(answers[0]!.status, 404, `${path}: 404`);
      t.ok(answers[0]!.statements.length > 0, `${path}: the statements were recorded`);
      t.strictSame(answers[0], answers[1], `${path}: same status, body (apart from the id) and statements`);
    }
  });
});

t.test('graph limits refuse a pathological query with a clear error', async (t) => {
  const { app, createOrganization } = await setupApp(t, { graphMaxNodes: 5 });
  const c = chainClient(app);
  const org = await createOrganization();
  const site = await c.site(org.headers);
  let lot = await c.lot(org.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'L0', siteId: site.id, quantity: kg(100), producedAt: '2020-01-01T08:00:00+08:00' });
  for (let i = 1; i <= 6; i++) {
    lot = (await c.transform(org.headers, { occurredAt: '2020-01-02T08:00:00+08:00', inputs: [{ lotId: lot.id, quantity: kg(1) }], outputs: [{ stage: 'seed', lotNumber: `L${i}`, quantity: kg(1) }] })).outputs[0];
  }
  const res = await app.inject({ method: 'GET', url: `/v1/lots/${lot.id}/provenance`, headers: org.headers });
  t.equal(res.statusCode, 422);
  t.match(res.json(), { rule: 'graph-too-large', detail: /more than 5 lots/ });
});
