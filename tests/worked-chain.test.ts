import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { fileDatabase, makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { chainExport } from './support/epcis.js';
import { answerSchemas } from './support/openapi.js';

// The worked ginseng chain of domain.md, recorded end to end through the API. Both chains share the file's
// database (the ginseng test, which checks every lot, runs first).
t.test('the worked ginseng chain from seed farm to pharmacy', async (t) => {
  const { app, createOrganization } = await setupApp(t, {}, { database: await fileDatabase() });
  const c = chainClient(app);

  const seedFarm = await createOrganization({ name: '靖宇县长白良种参苗繁育场', kinds: ['seed_producer'], regionCode: '220622', creditCode: makeCreditCode('220622') });
  const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative', 'gap_base'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const processor = await createOrganization({ name: '集安市鸭江参业产地加工有限公司', kinds: ['processor'], regionCode: '220582', creditCode: makeCreditCode('220582') });
  const pieces = await createOrganization({ name: '通化本草源中药饮片有限公司', kinds: ['decoction_piece_maker'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const maker = await createOrganization({ name: '通化松鹤健康产品有限公司', kinds: ['manufacturer'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const pharmacy = await createOrganization({ name: '长春春和大药房连锁有限公司', kinds: ['retailer'], regionCode: '220102', creditCode: makeCreditCode('220102') });

  const nursery = await c.site(seedFarm.headers, { kind: 'seed_nursery', name: '靖宇良种参苗圃', regionCode: '220622' });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80, location: { lat: 42.33, lon: 127.27 } });
  const plant = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江产地加工厂', regionCode: '220582' });
  const piecesPlant = await c.site(pieces.headers, { kind: 'processing_plant', name: '本草源饮片车间', regionCode: '220502' });
  const factory = await c.site(maker.headers, { kind: 'processing_plant', name: '松鹤胶囊车间', regionCode: '220502' });
  const store = await c.site(pharmacy.headers, { kind: 'market', name: '春和大药房重庆路店', regionCode: '220102' });

  // 1. Seed lot and two-year seedlings.
  const seed = await c.lot(seedFarm.headers, {
    stage: 'seed', speciesCode: 'renshen', lotNumber: 'JL-JY-RS-SD-2018-001', siteId: nursery.id, quantity: kg(40),
    producedAt: '2018-09-20T09:00:00+08:00', attributes: { variety: '边条参', seedCertificate: '吉种证2018-015', germinationRatePct: 92.5 },
  });
  t.match(seed, { stage: 'seed', origin: { type: 'chain' }, quantity: { value: 40, unit: 'kg' }, remaining: { value: 40, unit: 'kg' }, status: 'active' });
  const sowing = await c.transform(seedFarm.headers, {
    occurredAt: '2019-04-25T08:00:00+08:00',
    inputs: [{ lotId: seed.id, quantity: kg(40) }],
    outputs: [{ stage: 'seed', lotNumber: 'JL-JY-RS-SL-2021', quantity: { value: 150000, unit: 'plant' }, attributes: { ageYears: 2 } }],
  });
  const seedlings = sowing.outputs[0];
  t.same(sowing.inputs, [{ lotId: seed.id, consumed: { value: 40, unit: 'kg' }, remaining: { value: 0, unit: 'kg' } }]);
  t.equal(seedlings.site.id, nursery.id, 'the output stays at the input site of the same organisation');

  // 2. Seedlings to the cooperative, transplanted into beds B-03..B-06.
  const toCoop = await c.ship(seedFarm.headers, { toOrganizationId: coop.organization.id, lines: [{ lotId: seedlings.id }], shippedAt: '2021-04-10T07:00:00+08:00' });
  t.same(toCoop.lines, [{ lotId: seedlings.id, sourceLotId: seedlings.id, quantity: { value: 150000, unit: 'plant' } }], 'the whole lot travels');
  await c.receive(coop.headers, toCoop.id, { receivedAt: '2021-04-11T15:00:00+08:00', siteId: base.id });
  const planting = await c.transform(coop.headers, {
    occurredAt: '2021-04-15T08:00:00+08:00',
    inputs: [{ lotId: seedlings.id, quantity: { value: 150000, unit: 'plant' } }],
    outputs: [{ stage: 'cultivation', lotNumber: 'SL-2021-B03-06', quantity: { value: 150000, unit: 'plant' }, attributes: { plot: '松岭', beds: ['B-03', 'B-04', 'B-05', 'B-06'], mode: '生态种植', households: 24 } }],
  });
  const bed = planting.outputs[0];
  t.equal(bed.site.name, '松岭GAP园参基地');
  t.equal(bed.site.regionName, '吉林省 白山市 抚松县');
  await c.call('POST', `/v1/lots/${bed.id}/events`, coop.headers, {
    type: 'agro_input', occurredAt: '2022-06-02T07:30:00+08:00',
    data: { category: 'fungicide', product: '多菌灵可湿性粉剂', registrationNumber: 'PD20070001', dose: { value: '0.1', unit: 'kg/亩' }, preHarvestIntervalDays: 30, area: 'B-03..B-06' },
  });

  // 3. Harvest: 6-year roots, 4,000 kg fresh.
  const harvestTr = await c.transform(coop.headers, {
    occurredAt: '2024-09-18T08:00:00+08:00',
    inputs: [{ lotId: bed.id, quantity: { value: 150000, unit: 'plant' } }],
    outputs: [{ stage: 'harvest', lotNumber: 'SL-2024-H01', quantity: kg(4000), attributes: { rootAgeYears: 6 } }],
  });
  const harvest = harvestTr.outputs[0];
  t.equal(harvest.producedAt, '2024-09-18T08:00:00.000+08:00', 'the client offset is kept');

  // 4. To the processor; split into 生晒参 850 kg and 红参 300 kg, drawing 3,950,125 g of the fresh roots.
  const toProcessor = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-09-19T06:00:00+08:00' });
  await c.receive(processor.headers, toProcessor.id, { siteId: plant.id, receivedAt: '2024-09-19T16:00:00+08:00' });
  const processing = await c.transform(processor.headers, {
    occurredAt: '2024-10-08T10:00:00+08:00',
    inputs: [{ lotId: harvest.id, quantity: { value: '3950125', unit: 'g' } }],
    outputs: [
      { stage: 'processed', lotNumber: 'YJ-2024-SSS-01', quantity: kg(850), attributes: { form: '生晒参' } },
      { stage: 'processed', lotNumber: 'YJ-2024-HS-01', quantity: kg(300), attributes: { form: '红参' } },
    ],
    process: { steps: [{ op: '洗' }, { op: '蒸', params: { hours: 3 } }, { op: '干燥', params: { temperatureC: 50 } }] },
  });
  t.same(processing.inputs[0].remaining, { value: 49.875, unit: 'kg' }, '4000 kg − 3,950,125 g = 49.875 kg exactly');
  const [shengShai, hongShen] = processing.outputs;
  t.equal(shengShai.attributes.form, '生晒参');
  t.equal(hongShen.quantity.value, 300);

  // 6. Part of the 生晒参 (800 of 850 kg) to the decoction-piece maker: a child lot travels.
  const toPieces = await c.ship(processor.headers, { toOrganizationId: pieces.organization.id, lines: [{ lotId: shengShai.id, quantity: kg('800') }], shippedAt: '2024-10-20T09:00:00+08:00' });
  const travelling = toPieces.lines[0];
  t.not(travelling.lotId, shengShai.id, 'a partial quantity splits off a child lot');
  t.equal(travelling.sourceLotId, shengShai.id);
  const parentAfterSplit = await c.get(processor.headers, `/v1/lots/${shengShai.id}`);
  t.same(parentAfterSplit.remaining, { value: 50, unit: 'kg' });
  const child = await c.get(processor.headers, `/v1/lots/${travelling.lotId}`);
  t.match(child, { lotNumber: 'YJ-2024-SSS-01-1', stage: 'processed', quantity: { value: 800 }, attributes: { form: '生晒参' }, inTransit: { shipmentId: toPieces.id, toOrganizationId: pieces.organization.id } });
  await c.receive(pieces.headers, toPieces.id, { siteId: piecesPlant.id, receivedAt: '2024-10-21T09:00:00+08:00' });
  const slicing = await c.transform(pieces.headers, {
    occurredAt: '2024-11-05T09:00:00+08:00',
    inputs: [{ lotId: travelling.lotId, quantity: kg(760) }],
    outputs: [{ stage: 'decoction_piece', lotNumber: 'BCY-RSP-2411', quantity: kg(700), attributes: { spec: '人参片 1–2 mm', executingStandard: '中国药典2020年版' } }],
    process: { steps: [{ op: '润' }, { op: '切', params: { thicknessMm: '1-2' } }, { op: '干燥' }] },
  });
  const slices = slicing.outputs[0];
  t.same(slicing.inputs[0].remaining, { value: 40, unit: 'kg' });

  // 7. 500 kg of slices to the manufacturer: 40,000 boxes of capsules with a GTIN.
  const toMaker = await c.ship(pieces.headers, { toOrganizationId: maker.organization.id, lines: [{ lotId: slices.id, quantity: { value: 500000, unit: 'g' } }], shippedAt: '2024-11-20T09:00:00+08:00' });
  await c.receive(maker.headers, toMaker.id, { siteId: factory.id, receivedAt: '2024-11-21T09:00:00+08:00' });
  const manufacture = await c.transform(maker.headers, {
    occurredAt: '2024-12-01T09:00:00+08:00',
    inputs: [{ lotId: toMaker.lines[0].lotId, quantity: kg(500) }],
    outputs: [{ stage: 'product', lotNumber: 'SH-2412-01', quantity: { value: 40000, unit: 'box' }, gtin: '6901234567892', attributes: { name: '人参胶囊', category: '保健食品', approvalNumber: '国食健注G20240001', expiryDate: '2027-11-30' } }],
  });
  const capsules = manufacture.outputs[0];
  t.equal(capsules.gtin, '06901234567892', 'GTIN-13 stored as GTIN-14');

  // 8. 30,000 boxes to the pharmacy chain.
  const toPharmacy = await c.ship(maker.headers, { toOrganizationId: pharmacy.organization.id, lines: [{ lotId: capsules.id, quantity: { value: 30000, unit: 'box' } }], shippedAt: '2024-12-10T09:00:00+08:00' });
  await c.receive(pharmacy.headers, toPharmacy.id, { siteId: store.id, receivedAt: '2024-12-11T09:00:00+08:00' });
  const shelf = await c.get(pharmacy.headers, `/v1/lots/${toPharmacy.lines[0].lotId}`);
  t.match(shelf, { holder: { id: pharmacy.organization.id }, producer: { id: maker.organization.id }, quantity: { value: 30000, unit: 'box' }, inTransit: null, gtin: '06901234567892' });

  // Every remaining quantity, to the gram.
  const remaining = async (h: Record<string, string>, id: string) => (await c.get(h, `/v1/lots/${id}`)).remaining;
  t.same(await remaining(seedFarm.headers, seed.id), { value: 0, unit: 'kg' });
  t.same(await remaining(coop.headers, seedlings.id), { value: 0, unit: 'plant' });
  t.same(await remaining(coop.headers, bed.id), { value: 0, unit: 'plant' });
  t.same(await remaining(processor.headers, harvest.id), { value: 49.875, unit: 'kg' });
  t.same(await remaining(processor.headers, shengShai.id), { value: 50, unit: 'kg' });
  t.same(await remaining(processor.headers, hongShen.id), { value: 300, unit: 'kg' });
  t.same(await remaining(pieces.headers, travelling.lotId), { value: 40, unit: 'kg' });
  t.same(await remaining(pieces.headers, slices.id), { value: 200, unit: 'kg' });
  t.same(await remaining(maker.headers, toMaker.lines[0].lotId), { value: 0, unit: 'kg' });
  t.same(await remaining(maker.headers, capsules.id), { value: 10000, unit: 'box' });

  // Custody moved: the harvest lot is now held by the processor, and the cooperative (a past custodian) still reads it.
  t.equal((await c.get(coop.headers, `/v1/lots/${harvest.id}`)).holder.id, processor.organization.id);

  // The timeline of the harvest lot tells its story in order.
  const timeline = await c.get(processor.headers, `/v1/lots/${harvest.id}/timeline?scope=lot`);
  t.same(
    timeline.items.map((e: { type: string; role: string }) => `${e.type}:${e.role}`),
    ['transformation:output', 'shipment_dispatched:shipped', 'shipment_received:received', 'transformation:input'],
  );
  t.equal(timeline.items[0].organization.name, '抚松县松岭人参种植专业合作社');
  t.match(timeline.items[3].data, { process: { steps: [{ op: '洗' }, { op: '蒸' }, { op: '干燥' }] } });

  // The graph answers are written as JSON text by hand (provenance.service.ts): each is held to its OpenAPI schema.
  const answers = await answerSchemas(app);
  answers.matches(t, 'GET /v1/lots/{id}/timeline', 200, timeline, 'the harvest lot\'s own timeline');
  const lineage = answers.check(t, 'GET /v1/lots/{id}/timeline', await app.inject({ method: 'GET', url: `/v1/lots/${shelf.id}/timeline?limit=5`, headers: pharmacy.headers }));
  answers.refuses(t, 'GET /v1/lots/{id}/timeline', 200, { items: lineage.items }, 'a page without nextCursor');
  const provenance = answers.check(t, 'GET /v1/lots/{id}/provenance', await app.inject({ method: 'GET', url: `/v1/lots/${shelf.id}/provenance`, headers: pharmacy.headers }));
  t.equal(provenance.lot.id, shelf.id);
  answers.refuses(t, 'GET /v1/lots/{id}/provenance', 200, { ...provenance, complete: 'yes' }, 'complete as text');
  answers.refuses(t, 'GET /v1/lots/{id}/provenance', 200, { ...provenance, nodes: [{ ...provenance.nodes[0], id: 42 }, ...provenance.nodes.slice(1)] }, 'a node id as a number');
  const descendants = answers.check(t, 'GET /v1/lots/{id}/descendants', await app.inject({ method: 'GET', url: `/v1/lots/${harvest.id}/descendants`, headers: coop.headers }));
  t.equal(descendants.lot.id, harvest.id);
  const { holders: _holders, ...withoutHolders } = descendants;
  answers.refuses(t, 'GET /v1/lots/{id}/descendants', 200, withoutHolders, 'an answer without its holders');

  // Lists: the pharmacy sees its product lot; filters narrow.
  const productLots = await c.get(pharmacy.headers, '/v1/lots?stage=product');
  t.same(productLots.items.map((l: { id: string }) => l.id), [shelf.id]);
  const processedAtProcessor = await c.get(processor.headers, `/v1/lots?stage=processed&holder=${processor.organization.id}`);
  t.same(processedAtProcessor.items.map((l: { lotNumber: string }) => l.lotNumber).sort(), ['YJ-2024-HS-01', 'YJ-2024-SSS-01']);

  // Each lot's copy of its edges (lots.parent_*, what provenance walks) is exactly its lot_edges rows, made by
  // the event that made the lot; for every lot of the chain (transformations, merges and the shipment split).
  const copies = await queryRows<{ id: string; copy: string; edges: string }>(
    app.database.db,
    sql`select l.id,
          coalesce((select string_agg(p.id || ' ' || p.q || ' ' || p.u || ' ' || l.created_by_event_id, ';' order by p.id)
            from unnest(l.parent_lot_ids, l.parent_quantities, l.parent_units) as p(id, q, u)), '') as copy,
          coalesce((select string_agg(e.parent_lot_id || ' ' || e.parent_quantity || ' ' || e.parent_unit || ' ' || e.event_id, ';' order by e.parent_lot_id)
            from lot_edges e where e.child_lot_id = l.id), '') as edges
        from lots l`,
  );
  t.ok(copies.length >= 10);
  t.ok(copies.filter((r) => r.edges !== '').length >= 8, 'most lots have parents');
  for (const r of copies) t.equal(r.copy, r.edges, `parents of ${r.id}`);

  // The pharmacy's capsules as GS1 EPCIS 2.0: the whole chain from the seed lot, valid against the GS1 schema.
  const exported = await chainExport(app, shelf.id, pharmacy.headers);
  t.strictSame(exported.errors, [], 'the export of the worked ginseng chain validates against the GS1 EPCIS 2.0 JSON Schema');
  t.strictSame(exported.kinds, { commissioned: 1, transformation: 6, split: 3, shipment_dispatched: 5, shipment_received: 5, agro_input: 1 }, 'every event of the chain, once');
  t.strictSame(exported.types, { ObjectEvent: 12, TransformationEvent: 9 });
});

t.test('the antler chain: cut, dried and sliced, boxed', async (t) => {
  const { app, createOrganization } = await setupApp(t, {}, { database: await fileDatabase() });
  const c = chainClient(app);
  const deerCoop = await createOrganization({ name: '东丰县鹿鸣梅花鹿养殖专业合作社', kinds: ['cooperative', 'farm'], regionCode: '220421', creditCode: makeCreditCode('220421', '93') });
  const antlerCo = await createOrganization({ name: '长春市双阳区茸乡鹿业有限公司', kinds: ['processor', 'manufacturer'], regionCode: '220112', creditCode: makeCreditCode('220112') });
  const farm = await c.site(deerCoop.headers, { kind: 'animal_farm', name: '鹿鸣鹿场', regionCode: '220421' });
  const works = await c.site(antlerCo.headers, { kind: 'processing_plant', name: '茸乡加工车间', regionCode: '220112' });

  const herd = await c.lot(deerCoop.headers, { stage: 'seed', speciesCode: 'lurong', lotNumber: 'LM-HERD-2019', siteId: farm.id, quantity: { value: 120, unit: 'head' }, producedAt: '2019-05-01T08:00:00+08:00', attributes: { variety: '双阳梅花鹿' } });
  const raising = await c.transform(deerCoop.headers, { occurredAt: '2019-05-02T08:00:00+08:00', inputs: [{ lotId: herd.id, quantity: { value: 120, unit: 'head' } }], outputs: [{ stage: 'cultivation', lotNumber: 'LM-2019-PEN1', quantity: { value: 120, unit: 'head' }, attributes: { mode: '人工养殖' } }] });
  const cut = await c.transform(deerCoop.headers, { occurredAt: '2024-06-12T05:00:00+08:00', inputs: [{ lotId: raising.outputs[0].id, quantity: { value: 9, unit: 'head' } }], outputs: [{ stage: 'harvest', lotNumber: 'LM-2024-EG', quantity: kg(18), attributes: { antlerGrade: '二杠', deerId: 'DF-031' } }] });
  t.same(cut.inputs[0].remaining, { value: 111, unit: 'head' }, 'the herd lot keeps its other deer');
  const shipped = await c.ship(deerCoop.headers, { toOrganizationId: antlerCo.organization.id, lines: [{ lotId: cut.outputs[0].id }], shippedAt: '2024-06-12T10:00:00+08:00' });
  await c.receive(antlerCo.headers, shipped.id, { siteId: works.id, receivedAt: '2024-06-12T18:00:00+08:00' });
  const dried = await c.transform(antlerCo.headers, { occurredAt: '2024-07-01T09:00:00+08:00', inputs: [{ lotId: cut.outputs[0].id, quantity: kg(18) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'RX-LR-2407', quantity: kg('6.3'), attributes: { spec: '鹿茸片' } }], process: { steps: [{ op: '烫' }, { op: '干燥' }, { op: '切' }] } });
  const boxes = await c.transform(antlerCo.headers, { occurredAt: '2024-07-10T09:00:00+08:00', inputs: [{ lotId: dried.outputs[0].id, quantity: kg('6.3') }], outputs: [{ stage: 'product', lotNumber: 'RX-GB-2407', quantity: { value: 210, unit: 'box' }, attributes: { name: '吉林梅花鹿鹿茸片礼盒', category: '食品' } }] });
  t.match(boxes.outputs[0], { stage: 'product', speciesCode: 'lurong', quantity: { value: 210, unit: 'box' }, producer: { name: '长春市双阳区茸乡鹿业有限公司' } });

  const exported = await chainExport(app, boxes.outputs[0].id, antlerCo.headers);
  t.strictSame(exported.errors, [], 'the export of the antler chain validates against the GS1 EPCIS 2.0 JSON Schema');
  t.strictSame(exported.kinds, { commissioned: 1, transformation: 4, shipment_dispatched: 1, shipment_received: 1 }, 'every event of the chain, once');
  t.strictSame(exported.types, { ObjectEvent: 3, TransformationEvent: 4 });
});
