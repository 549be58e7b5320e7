import t, { type Test } from 'tap';
import { count, eq } from 'drizzle-orm';
import { events, giClaims, labReports, labResultItems, lots } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { refusalChecker } from './support/chain-state.js';
import { expectProblem } from './support/http.js';

/** The worked ginseng chain of domain.md, up to the 人参片, with a testing lab. */
async function workedChain(t: Test) {
  const setup = await setupApp(t);
  const { app, createOrganization, database } = setup;
  const c = chainClient(app);
  const seedFarm = await createOrganization({ name: '靖宇县长白良种参苗繁育场', kinds: ['seed_producer'], regionCode: '220622', creditCode: makeCreditCode('220622') });
  const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative', 'gap_base'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const processor = await createOrganization({ name: '集安市鸭江参业产地加工有限公司', kinds: ['processor'], regionCode: '220582', creditCode: makeCreditCode('220582') });
  const pieces = await createOrganization({ name: '通化本草源中药饮片有限公司', kinds: ['decoction_piece_maker'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const lab = await createOrganization({ name: '通化长白山中药材质量检测有限公司', kinds: ['lab'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const otherLab = await createOrganization({ name: '未授权检测公司', kinds: ['lab'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const stranger = await createOrganization({ name: '无关贸易公司', kinds: ['trader'], regionCode: '220502', creditCode: makeCreditCode('220502') });

  const nursery = await c.site(seedFarm.headers, { kind: 'seed_nursery', name: '靖宇良种参苗圃', regionCode: '220622' });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80 });
  const plant = await c.site(processor.headers, { kind: 'processing_plant', name: '鸭江产地加工厂', regionCode: '220582' });
  const piecesPlant = await c.site(pieces.headers, { kind: 'processing_plant', name: '本草源饮片车间', regionCode: '220502' });

  const seed = await c.lot(seedFarm.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'JL-JY-RS-SD-2018-001', siteId: nursery.id, quantity: kg(40), producedAt: '2018-09-20T09:00:00+08:00' });
  const seedlings = (await c.transform(seedFarm.headers, { occurredAt: '2019-04-25T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: kg(40) }], outputs: [{ stage: 'seed', lotNumber: 'JL-JY-RS-SL-2021', quantity: { value: 150000, unit: 'plant' } }] })).outputs[0];
  const toCoop = await c.ship(seedFarm.headers, { toOrganizationId: coop.organization.id, lines: [{ lotId: seedlings.id }], shippedAt: '2021-04-10T07:00:00+08:00' });
  await c.receive(coop.headers, toCoop.id, { receivedAt: '2021-04-11T15:00:00+08:00', siteId: base.id });
  const bed = (await c.transform(coop.headers, { occurredAt: '2021-04-15T08:00:00+08:00', siteId: base.id, inputs: [{ lotId: seedlings.id, quantity: { value: 150000, unit: 'plant' } }], outputs: [{ stage: 'cultivation', lotNumber: 'SL-2021-B03-06', quantity: { value: 150000, unit: 'plant' } }] })).outputs[0];
  const harvest = (await c.transform(coop.headers, { occurredAt: '2024-09-18T08:00:00+08:00', inputs: [{ lotId: bed.id, quantity: { value: 150000, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: 'SL-2024-H01', quantity: kg(4000), attributes: { rootAgeYears: 6 } }] })).outputs[0];
  const toProcessor = await c.ship(coop.headers, { toOrganizationId: processor.organization.id, lines: [{ lotId: harvest.id }], shippedAt: '2024-09-19T06:00:00+08:00' });
  await c.receive(processor.headers, toProcessor.id, { siteId: plant.id, receivedAt: '2024-09-19T16:00:00+08:00' });
  const [shengShai, hongShen] = (
    await c.transform(processor.headers, {
      occurredAt: '2024-10-08T10:00:00+08:00',
      inputs: [{ lotId: harvest.id, quantity: { value: '3950125', unit: 'g' } }],
      outputs: [
        { stage: 'processed', lotNumber: 'YJ-2024-SSS-01', quantity: kg(850), attributes: { form: '生晒参' } },
        { stage: 'processed', lotNumber: 'YJ-2024-HS-01', quantity: kg(300), attributes: { form: '红参' } },
      ],
    })
  ).outputs;
  const toPieces = await c.ship(processor.headers, { toOrganizationId: pieces.organization.id, lines: [{ lotId: shengShai.id, quantity: kg(800) }], shippedAt: '2024-10-20T09:00:00+08:00' });
  const travelling = toPieces.lines[0].lotId;
  await c.receive(pieces.headers, toPieces.id, { siteId: piecesPlant.id, receivedAt: '2024-10-21T09:00:00+08:00' });
  const slices = (await c.transform(pieces.headers, { occurredAt: '2024-11-05T09:00:00+08:00', inputs: [{ lotId: travelling, quantity: kg(760) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'BCY-RSP-2411', quantity: kg(700) }] })).outputs[0];
  return { ...setup, app, database, c, seedFarm, coop, processor, pieces, lab, otherLab, stranger, base, plant, piecesPlant, seed, harvest, shengShai, hongShen, travelling, slices };
}

const WORKED_REPORT = {
  reportNumber: 'THJC-2024-1018',
  sampledAt: '2024-10-09T09:00:00+08:00',
  testedAt: '2024-10-15T16:00:00+08:00',
  results: [
    { analyte: 'ginsenoside_rg1_re', value: '0.52', unit: '%', method: 'HPLC 通则0512' },
    { analyte: 'ginsenoside_rb1', value: 0.38, unit: '%' },
    { analyte: 'moisture', value: '10.1', unit: '%' },
    { analyte: 'pb', value: '0.8', unit: 'mg/kg' },
  ],
};

async function reportCount(database: { db: any }) {
  const [r] = await database.db.select({ n: count() }).from(labReports);
  const [i] = await database.db.select({ n: count() }).from(labResultItems);
  const [e] = await database.db.select({ n: count() }).from(events);
  return { reports: Number(r.n), items: Number(i.n), events: Number(e.n) };
}

t.test('lab results against the pharmacopoeia: grants, verdicts, dried basis, holds', async (t) => {
  const w = await workedChain(t);
  const { app, c, database } = w;
  const post = (headers: Record<string, string>, lotId: string, payload: object) => app.inject({ method: 'POST', url: `/v1/lots/${lotId}/lab-results`, headers, payload });

  await t.test('a lab without a grant is 403, a stranger 404, and nothing is stored', async (t) => {
    // The processor authorises the lab for its 红参 lot; the lab reports once, then the lot changes hands.
    await c.call('POST', `/v1/lots/${w.hongShen.id}/lab-grants`, w.processor.headers, { labOrganizationId: w.lab.organization.id });
    await c.call('POST', `/v1/lots/${w.hongShen.id}/lab-results`, w.lab.headers, { ...WORKED_REPORT, reportNumber: 'HS-0', sampledAt: '2024-10-09T09:00:00+08:00' });
    const shipped = await c.ship(w.processor.headers, { toOrganizationId: w.pieces.organization.id, lines: [{ lotId: w.hongShen.id }], shippedAt: '2024-10-20T09:00:00+08:00' });
    await c.receive(w.pieces.headers, shipped.id, { receivedAt: '2024-10-21T09:00:00+08:00' });
    const before = await reportCount(database);
    // The new holder has not authorised the lab: it still sees the lot (it reported on it) but may not submit.
    expectProblem(t, await post(w.lab.headers, w.hongShen.id, { ...WORKED_REPORT, reportNumber: 'HS-00' }), 403);
    expectProblem(t, await post(w.otherLab.headers, w.hongShen.id, WORKED_REPORT), 404, '/problems/not-found');
    expectProblem(t, await post(w.stranger.headers, w.shengShai.id, WORKED_REPORT), 404);
    t.same(await reportCount(database), before, 'nothing stored');
    // A grant names an organisation of kind lab, and only the holder gives it.
    const notLab = await app.inject({ method: 'POST', url: `/v1/lots/${w.hongShen.id}/lab-grants`, headers: w.pieces.headers, payload: { labOrganizationId: w.stranger.organization.id } });
    t.equal(expectProblem(t, notLab, 422).rule, 'not-a-lab');
    const notHolder = await app.inject({ method: 'POST', url: `/v1/lots/${w.hongShen.id}/lab-grants`, headers: w.processor.headers, payload: { labOrganizationId: w.lab.organization.id } });
    expectProblem(t, notHolder, 403);
    t.same(await reportCount(database), before, 'refused grants store no event');
  });

  await t.test('the worked chain report passes (Rg1+Re 0.52 %, Rb1 0.38 %, moisture 10.1 %, Pb 0.8 mg/kg)', async (t) => {
    const grant = await c.call('POST', `/v1/lots/${w.shengShai.id}/lab-grants`, w.processor.headers, { labOrganizationId: w.lab.organization.id });
    t.match(grant, { lotId: w.shengShai.id, labOrganization: { id: w.lab.organization.id }, grantedBy: { id: w.processor.organization.id } });
    const report = await c.call('POST', `/v1/lots/${w.shengShai.id}/lab-results`, w.lab.headers, WORKED_REPORT);
    t.match(report, { verdict: 'pass', edition: '2020', monograph: { code: 'renshen', nameZh: '人参' }, missing: [], hold: null, submittedBy: { id: w.lab.organization.id } });
    t.equal(report.testedAt, '2024-10-15T16:00:00.000+08:00', 'the client offset is kept');
    t.same(
      report.items.map((i: any) => [i.analyte, i.value, i.verdict, i.compared]),
      [
        // 0.52 / (1 − 0.101) = 0.578420… and 0.38 / 0.899 = 0.422692…, against ≥ 0.30 and ≥ 0.20 on the dried basis.
        ['ginsenoside_rg1_re', '0.52', 'pass', { value: '0.5784', unit: '%', basis: 'dried' }],
        ['ginsenoside_rb1', '0.38', 'pass', { value: '0.4227', unit: '%', basis: 'dried' }],
        ['moisture', '10.1', 'pass', { value: '10.1', unit: '%', basis: 'as_is' }],
        ['pb', '0.8', 'pass', { value: '0.8', unit: 'mg/kg', basis: 'as_is' }],
      ],
    );
    t.match(report.items[3].limit, { comparator: 'lte', value: '5', unit: 'mg/kg', verified: false, source: /unverified/ });
    t.equal((await c.get(w.processor.headers, `/v1/lots/${w.shengShai.id}`)).status, 'active');
    const list = await c.get(w.processor.headers, `/v1/lots/${w.shengShai.id}/lab-results`);
    t.same(list.items, [report], 'GET returns the stored report as answered');
    // The same report number again is a conflict.
    expectProblem(t, await post(w.lab.headers, w.shengShai.id, WORKED_REPORT), 409);
  });

  await t.test('an unknown analyte or unit is 400 naming the field, and stores nothing', async (t) => {
    const before = await reportCount(database);
    const badAnalyte = expectProblem(
      t,
      await post(w.lab.headers, w.shengShai.id, { ...WORKED_REPORT, reportNumber: 'X-1', results: [WORKED_REPORT.results[0], { analyte: 'ginsenoside_xyz', value: '1', unit: '%' }] }),
      400,
    );
    t.same(badAnalyte.errors?.map((e) => e.path), ['body/results/1/analyte']);
    const badUnit = expectProblem(t, await post(w.lab.headers, w.shengShai.id, { ...WORKED_REPORT, reportNumber: 'X-2', results: [{ analyte: 'pb', value: '1', unit: '%' }] }), 400);
    t.same(badUnit.errors?.map((e) => e.path), ['body/results/0/unit']);
    t.same(await reportCount(database), before, 'nothing stored');
    t.equal((await c.get(w.processor.headers, `/v1/lots/${w.shengShai.id}/lab-results`)).items.length, 1);
  });

  await t.test('dried basis, checked by hand: 红参 Rg1+Re 0.23 % as-is at 8 % moisture is 0.25 % dried', async (t) => {
    // Without moisture the dried-basis assays cannot be judged: incomplete, moisture missing.
    const noMoisture = await c.call('POST', `/v1/lots/${w.hongShen.id}/lab-results`, w.pieces.headers, {
      reportNumber: 'HS-1', sampledAt: '2024-10-09T09:00:00+08:00', testedAt: '2024-10-12T09:00:00+08:00',
      results: [{ analyte: 'ginsenoside_rg1_re', value: '0.23', unit: '%' }, { analyte: 'ginsenoside_rb1', value: '0.22', unit: '%' }],
    });
    t.match(noMoisture, { verdict: 'incomplete', monograph: { code: 'hongshen' }, missing: ['moisture'], hold: null });
    t.same(noMoisture.items.map((i: any) => i.verdict), ['undetermined', 'undetermined']);
    // 0.23 / (1 − 0.08) = 0.23 / 0.92 = 0.25 exactly: meets ≥ 0.25 (as-is, 0.23 would fail);
    // 0.22 / 0.92 = 0.239130… ≥ 0.20; 2.3 mg/g = 0.23 % the same; a dried-basis result is compared as sent.
    const report = await c.call('POST', `/v1/lots/${w.hongShen.id}/lab-results`, w.pieces.headers, {
      reportNumber: 'HS-2', sampledAt: '2024-10-09T09:00:00+08:00', testedAt: '2024-10-13T09:00:00+08:00',
      results: [
        { analyte: 'ginsenoside_rg1_re', value: '2.3', unit: 'mg/g' },
        { analyte: 'ginsenoside_rb1', value: '0.22', unit: '%' },
        { analyte: 'moisture', value: 8, unit: '%' },
        { analyte: 'so2', value: '150', unit: 'mg/kg' },
      ],
    });
    t.equal(report.verdict, 'pass');
    t.same(report.items.map((i: any) => [i.analyte, i.compared?.value, i.verdict]), [
      ['ginsenoside_rg1_re', '0.25', 'pass'],
      ['ginsenoside_rb1', '0.2391', 'pass'],
      ['moisture', '8', 'pass'],
      ['so2', '150', 'pass'],
    ]);
    // 0.229 / 0.92 = 0.248913… < 0.25: fails, although a rounded display would be close.
    const fail = await c.call('POST', `/v1/lots/${w.hongShen.id}/lab-results`, w.pieces.headers, {
      reportNumber: 'HS-3', sampledAt: '2024-10-09T09:00:00+08:00', testedAt: '2024-10-14T09:00:00+08:00',
      results: [{ analyte: 'ginsenoside_rg1_re', value: '0.229', unit: '%' }, { analyte: 'ginsenoside_rb1', value: '0.2', unit: '%', basis: 'dried' }, { analyte: 'moisture', value: '8', unit: '%' }],
    });
    t.same(fail.items.map((i: any) => [i.compared?.value, i.verdict]), [['0.2489', 'fail'], ['0.2', 'pass'], ['8', 'pass']]);
    t.equal(fail.verdict, 'fail');
    t.ok(fail.hold, 'the failing report held the 红参 lot');
  });

  await t.test('Pb 6 mg/kg fails and holds the lot, which then cannot be used or shipped until released', async (t) => {
    const report = await c.call('POST', `/v1/lots/${w.slices.id}/lab-results`, w.pieces.headers, {
      reportNumber: 'BCY-QC-2411', sampledAt: '2024-11-06T09:00:00+08:00', testedAt: '2024-11-08T09:00:00+08:00',
      results: [{ analyte: 'ginsenoside_rg1_re', value: '0.5', unit: '%' }, { analyte: 'ginsenoside_rb1', value: '0.3', unit: '%' }, { analyte: 'moisture', value: '9', unit: '%' }, { analyte: 'pb', value: '6', unit: 'mg/kg' }],
    });
    t.match(report, { verdict: 'fail', monograph: { code: 'renshen_pian' } });
    t.same(report.items.map((i: any) => i.verdict), ['pass', 'pass', 'pass', 'fail']);
    t.ok(report.hold?.eventId, 'the answer names the hold event');
    const [stored] = await database.db.select({ status: lots.status }).from(lots).where(eq(lots.id, w.slices.id));
    t.equal(stored!.status, 'hold', 'the lot is on hold');
    const [held] = await database.db.select().from(events).where(eq(events.id, report.hold.eventId));
    t.match(held, { type: 'status_changed', data: { from: 'active', to: 'hold', reason: /BCY-QC-2411.*pb 6 mg\/kg/, labReportId: report.id } });

    const refused = refusalChecker(app, database);
    await refused(t, { method: 'POST', url: '/v1/transformations', headers: w.pieces.headers, payload: { occurredAt: '2024-11-10T09:00:00+08:00', inputs: [{ lotId: w.slices.id, quantity: kg(10) }], outputs: [{ stage: 'product', lotNumber: 'P-1', quantity: { value: 100, unit: 'box' } }] } }, 422, { rule: 'blocked-lot' });
    await refused(t, { method: 'POST', url: '/v1/shipments', headers: w.pieces.headers, payload: { toOrganizationId: w.stranger.organization.id, lines: [{ lotId: w.slices.id, quantity: kg(10) }], shippedAt: '2024-11-10T09:00:00+08:00' } }, 422, { rule: 'blocked-lot' });

    const released = await c.call('POST', `/v1/lots/${w.slices.id}/status`, w.pieces.headers, { status: 'active', reason: 'Retest BCY-QC-2411-R: Pb 0.9 mg/kg' }, 200);
    t.equal(released.lot.status, 'active', 'release is an explicit status change');
  });
});

t.test('GI claims: origins inside the protected regions and an authorised producer', async (t) => {
  const w = await workedChain(t);
  const { app, c, database } = w;
  const refused = refusalChecker(app, database);
  const gi = await c.get(w.pieces.headers, '/v1/gi-products/changbaishan-renshen');
  t.match(gi, { nameZh: '长白山人参', regionsVerified: false, regionsSource: /EXAMPLE/ });
  t.ok(gi.regions.some((r: any) => r.code === '220621'));
  t.equal((await c.get(w.pieces.headers, '/v1/gi-products')).items.length, 9, 'the nine GI products of the plan');

  const claim = { method: 'POST' as const, url: `/v1/lots/${w.slices.id}/gi-claims`, headers: w.pieces.headers, payload: { giCode: 'changbaishan-renshen', claimedAt: '2024-11-06T09:00:00+08:00' } };
  // Inside the regions but without an authorisation: refused.
  await refused(t, claim, 422, { rule: 'gi-authorisation' });
  await c.call('POST', '/v1/certificates', w.pieces.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-2024-0001', validFrom: '2024-01-01', validUntil: '2026-12-31' });
  // An authorisation that starts after the claim time does not count.
  await refused(t, { ...claim, payload: { giCode: 'changbaishan-renshen', claimedAt: '2023-12-31T09:00:00+08:00' } }, 422, { rule: 'chronology' });
  const accepted = await c.call('POST', claim.url, w.pieces.headers, claim.payload);
  t.match(accepted, { lotId: w.slices.id, gi: { code: 'changbaishan-renshen' }, claimedAt: '2024-11-06T09:00:00.000+08:00' });
  t.same((await c.get(w.pieces.headers, claim.url)).items, [accepted]);

  // A lot from a base outside the protected regions (延吉市 222401) is refused, even with an authorisation.
  const yanji = await w.createOrganization({ name: '延吉参业合作社', kinds: ['cooperative', 'processor'], regionCode: '222401', creditCode: makeCreditCode('222401', '93') });
  const yBase = await c.site(yanji.headers, { kind: 'cultivation_base', name: '延吉基地', regionCode: '222401' });
  const ySeed = await c.lot(yanji.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'YJ-SD', siteId: yBase.id, quantity: kg(10), producedAt: '2019-09-01T08:00:00+08:00' });
  const yBed = (await c.transform(yanji.headers, { occurredAt: '2020-04-01T08:00:00+08:00', inputs: [{ lotId: ySeed.id, quantity: kg(10) }], outputs: [{ stage: 'cultivation', lotNumber: 'YJ-CU', quantity: { value: 1000, unit: 'plant' } }] })).outputs[0];
  const yHarvest = (await c.transform(yanji.headers, { occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: yBed.id, quantity: { value: 1000, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: 'YJ-HV', quantity: kg(100) }] })).outputs[0];
  const yDried = (await c.transform(yanji.headers, { occurredAt: '2024-09-20T08:00:00+08:00', inputs: [{ lotId: yHarvest.id, quantity: kg(100) }], outputs: [{ stage: 'processed', lotNumber: 'YJ-PR', quantity: kg(30) }] })).outputs[0];
  await c.call('POST', '/v1/certificates', yanji.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-2024-0002', validFrom: '2024-01-01', validUntil: '2026-12-31' });
  const outside = await refused(t, { method: 'POST', url: `/v1/lots/${yDried.id}/gi-claims`, headers: yanji.headers, payload: { giCode: 'changbaishan-renshen', claimedAt: '2024-09-21T08:00:00+08:00' } }, 422, { rule: 'gi-region' });
  t.match(outside.detail, /YJ-HV \(延吉基地, 222401\)/);
  // The antler GI is for another species.
  await refused(t, { method: 'POST', url: `/v1/lots/${yDried.id}/gi-claims`, headers: yanji.headers, payload: { giCode: 'jilin-meihualu', claimedAt: '2024-09-21T08:00:00+08:00' } }, 422, { rule: 'gi-species' });
  const [claims] = await database.db.select({ n: count() }).from(giClaims);
  t.equal(Number(claims!.n), 1, 'only the accepted claim is stored');

  // The admin widens the (example) regions to 延吉市: the claim is then accepted.
  const put = await app.inject({ method: 'PUT', url: '/v1/gi-products/changbaishan-renshen/regions', headers: adminHeaders, payload: { regionCodes: ['220621', '222400'], verified: false, source: 'test' } });
  t.equal(put.statusCode, 200);
  t.same(put.json().regions.map((r: any) => r.code), ['220621', '222400']);
  expectProblem(t, await app.inject({ method: 'PUT', url: '/v1/gi-products/changbaishan-renshen/regions', headers: w.pieces.headers, payload: { regionCodes: [], verified: false, source: 'x' } }), 403);
  await c.call('POST', `/v1/lots/${yDried.id}/gi-claims`, yanji.headers, { giCode: 'changbaishan-renshen', claimedAt: '2024-09-21T08:00:00+08:00' });
});

t.test('verification of an input lot over its whole upstream', async (t) => {
  const w = await workedChain(t);
  const { app, c } = w;
  const verify = (headers: Record<string, string>, lotId: string) => c.get(headers, `/v1/lots/${lotId}/verification`);
  const failing = (v: any) => v.checks.filter((k: any) => k.verdict === 'fail').map((k: any) => k.name);

  // The complete worked chain: GAP-certified base, passing reports on the 生晒参 and the 人参片.
  await c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'gap', siteId: w.base.id, authority: '吉林省药品监督管理局', number: 'JL-GAP-2021-008', validFrom: '2021-01-01', validUntil: '2027-12-31' });
  await c.call('POST', `/v1/lots/${w.shengShai.id}/lab-results`, w.processor.headers, WORKED_REPORT);
  await c.call('POST', `/v1/lots/${w.slices.id}/lab-results`, w.pieces.headers, { ...WORKED_REPORT, reportNumber: 'BCY-QC-2411', sampledAt: '2024-11-06T09:00:00+08:00', testedAt: '2024-11-08T09:00:00+08:00' });
  const ok = await verify(w.pieces.headers, w.slices.id);
  t.equal(ok.verdict, 'pass', JSON.stringify(ok.checks));
  t.same(ok.checks.map((k: any) => [k.name, k.verdict]), [
    ['chain-complete', 'pass'],
    ['lab-tests', 'pass'],
    ['no-blocks', 'pass'],
    ['gap-certified', 'pass'],
    ['gi-claim', 'not_applicable'],
    ['custody', 'pass'],
  ]);
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${w.slices.id}/verification`, headers: w.stranger.headers }), 404);

  // A held ancestor.
  await c.call('POST', `/v1/lots/${w.shengShai.id}/status`, w.processor.headers, { status: 'hold', reason: '复检' }, 200);
  const held = await verify(w.pieces.headers, w.slices.id);
  t.equal(held.verdict, 'fail');
  t.same(failing(held), ['no-blocks']);
  t.same(held.checks.find((k: any) => k.name === 'no-blocks').lots, [w.shengShai.id]);
  await c.call('POST', `/v1/lots/${w.shengShai.id}/status`, w.processor.headers, { status: 'active', reason: '复检合格' }, 200);

  // An untested ancestor: 红参 slices with their own passing report, but the 红参 itself never tested.
  const hsPieces = (await c.transform(w.processor.headers, { occurredAt: '2024-10-20T09:00:00+08:00', inputs: [{ lotId: w.hongShen.id, quantity: kg(100) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'YJ-HSP-01', quantity: kg(90), attributes: { form: '红参' } }] })).outputs[0];
  await c.call('POST', `/v1/lots/${hsPieces.id}/lab-results`, w.processor.headers, { ...WORKED_REPORT, reportNumber: 'HSP-1', sampledAt: '2024-10-21T09:00:00+08:00', testedAt: '2024-10-22T09:00:00+08:00' });
  const untested = await verify(w.processor.headers, hsPieces.id);
  t.same(failing(untested), ['lab-tests']);
  t.same(untested.checks.find((k: any) => k.name === 'lab-tests').lots, [w.hongShen.id]);

  // An external root.
  const bought = await c.lot(w.pieces.headers, { stage: 'processed', speciesCode: 'renshen', lotNumber: 'EXT-01', siteId: w.piecesPlant.id, quantity: kg(50), producedAt: '2024-10-01T08:00:00+08:00', origin: { type: 'external', supplierName: '外购供应商' } });
  await c.call('POST', `/v1/lots/${bought.id}/lab-results`, w.pieces.headers, { ...WORKED_REPORT, reportNumber: 'EXT-QC' });
  const extPieces = (await c.transform(w.pieces.headers, { occurredAt: '2024-11-01T09:00:00+08:00', inputs: [{ lotId: bought.id, quantity: kg(50) }], outputs: [{ stage: 'decoction_piece', lotNumber: 'BCY-EXT-01', quantity: kg(45) }] })).outputs[0];
  await c.call('POST', `/v1/lots/${extPieces.id}/lab-results`, w.pieces.headers, { ...WORKED_REPORT, reportNumber: 'BCY-EXT-QC', sampledAt: '2024-11-02T09:00:00+08:00', testedAt: '2024-11-03T09:00:00+08:00' });
  const external = await verify(w.pieces.headers, extPieces.id);
  t.equal(external.verdict, 'fail');
  t.ok(failing(external).includes('chain-complete'), 'names the incomplete chain');
  t.same(external.checks.find((k: any) => k.name === 'chain-complete').lots, [bought.id]);
});
