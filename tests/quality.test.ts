import t, { type Test } from 'tap';
import { count, eq } from 'drizzle-orm';
import { certificates, events, giClaims, labReports, labResultItems, lots } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { refusalChecker } from './support/chain-state.js';
import { codedChain } from './support/codes.js';
import { expectProblem, isRecentTimestamp } from './support/http.js';

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

  await t.test('nobody reports on a lot in transit, and no lab is authorised for one', async (t) => {
    // The processor ships what is left of its 生晒参 (the lab holds a grant on it) to the piece maker.
    const shipped = await c.ship(w.processor.headers, { toOrganizationId: w.pieces.organization.id, lines: [{ lotId: w.shengShai.id }], shippedAt: '2024-11-01T09:00:00+08:00' });
    t.equal(shipped.lines[0].lotId, w.shengShai.id, 'the whole lot travels');
    const refused = refusalChecker(app, database);
    const before = await reportCount(database);
    const failing = { ...WORKED_REPORT, reportNumber: 'IN-TRANSIT-1', sampledAt: '2024-10-09T09:00:00+08:00', results: [{ analyte: 'pb', value: '9', unit: 'mg/kg' }] };
    // A failing report now would hold the lot in the receiver's hands.
    await refused(t, { method: 'POST', url: `/v1/lots/${w.shengShai.id}/lab-results`, headers: w.lab.headers, payload: failing }, 422, { rule: 'in-transit', path: 'params/id' });
    await refused(t, { method: 'POST', url: `/v1/lots/${w.shengShai.id}/lab-results`, headers: w.processor.headers, payload: failing }, 422, { rule: 'in-transit' });
    await refused(t, { method: 'POST', url: `/v1/lots/${w.shengShai.id}/lab-grants`, headers: w.processor.headers, payload: { labOrganizationId: w.otherLab.organization.id } }, 422, { rule: 'in-transit' });
    t.same(await reportCount(database), before, 'no report, item or event stored');
    t.equal((await c.get(w.processor.headers, `/v1/lots/${w.shengShai.id}`)).status, 'active', 'the lot is not on hold');
    // Once received, the old grant does not count (the new holder chooses its labs); the new holder reports.
    await c.receive(w.pieces.headers, shipped.id, { receivedAt: '2024-11-02T09:00:00+08:00' });
    expectProblem(t, await post(w.lab.headers, w.shengShai.id, { ...WORKED_REPORT, reportNumber: 'AFTER-1' }), 403);
    await c.call('POST', `/v1/lots/${w.shengShai.id}/lab-results`, w.pieces.headers, { ...WORKED_REPORT, reportNumber: 'AFTER-2' });
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
  const authorisation = await c.call('POST', '/v1/certificates', w.pieces.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-2024-0001', validFrom: '2024-01-01', validUntil: '2026-12-31' });
  t.match(authorisation, { assertion: 'self_declared', confirmedBy: null, confirmedAt: null });
  // Anyone can record a certificate for itself: a self-declared authorisation does not let the claim through.
  const selfDeclared = await refused(t, claim, 422, { rule: 'gi-authorisation', path: 'body/giCode' });
  t.match(selfDeclared.detail, new RegExp(`self-declared.*confirm.*/v1/certificates/${authorisation.id}/confirm`));
  // The GI authority (a certifier) confirms it: then it counts.
  const authority = await w.createOrganization({ name: '国家知识产权局', kinds: ['certifier'], regionCode: '110000', creditCode: makeCreditCode('110000', '11') });
  await c.call('POST', `/v1/certificates/${authorisation.id}/confirm`, authority.headers, { note: '核对地理标志专用标志使用核准公告' }, 200);
  // An authorisation that starts after the claim time does not count.
  await refused(t, { ...claim, payload: { giCode: 'changbaishan-renshen', claimedAt: '2023-12-31T09:00:00+08:00' } }, 422, { rule: 'chronology' });
  const accepted = await c.call('POST', claim.url, w.pieces.headers, claim.payload);
  t.match(accepted, { lotId: w.slices.id, gi: { code: 'changbaishan-renshen' }, certificateId: authorisation.id, claimedAt: '2024-11-06T09:00:00.000+08:00' });
  t.same((await c.get(w.pieces.headers, claim.url)).items, [accepted]);

  // A lot from a base outside the protected regions (延吉市 222401) is refused, even with an authorisation.
  const yanji = await w.createOrganization({ name: '延吉参业合作社', kinds: ['cooperative', 'processor'], regionCode: '222401', creditCode: makeCreditCode('222401', '93') });
  const yBase = await c.site(yanji.headers, { kind: 'cultivation_base', name: '延吉基地', regionCode: '222401' });
  const ySeed = await c.lot(yanji.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'YJ-SD', siteId: yBase.id, quantity: kg(10), producedAt: '2019-09-01T08:00:00+08:00' });
  const yBed = (await c.transform(yanji.headers, { occurredAt: '2020-04-01T08:00:00+08:00', inputs: [{ lotId: ySeed.id, quantity: kg(10) }], outputs: [{ stage: 'cultivation', lotNumber: 'YJ-CU', quantity: { value: 1000, unit: 'plant' } }] })).outputs[0];
  const yHarvest = (await c.transform(yanji.headers, { occurredAt: '2024-09-10T08:00:00+08:00', inputs: [{ lotId: yBed.id, quantity: { value: 1000, unit: 'plant' } }], outputs: [{ stage: 'harvest', lotNumber: 'YJ-HV', quantity: kg(100) }] })).outputs[0];
  const yDried = (await c.transform(yanji.headers, { occurredAt: '2024-09-20T08:00:00+08:00', inputs: [{ lotId: yHarvest.id, quantity: kg(100) }], outputs: [{ stage: 'processed', lotNumber: 'YJ-PR', quantity: kg(30) }] })).outputs[0];
  const yAuthorisation = await c.call('POST', '/v1/certificates', yanji.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-2024-0002', validFrom: '2024-01-01', validUntil: '2026-12-31' });
  await c.call('POST', `/v1/certificates/${yAuthorisation.id}/confirm`, authority.headers, {}, 200);
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
  const gap = await c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'gap', siteId: w.base.id, authority: '吉林省药品监督管理局', number: 'JL-GAP-2021-008', validFrom: '2021-01-01', validUntil: '2027-12-31' });
  await c.call('POST', `/v1/lots/${w.shengShai.id}/lab-results`, w.processor.headers, WORKED_REPORT);
  await c.call('POST', `/v1/lots/${w.slices.id}/lab-results`, w.pieces.headers, { ...WORKED_REPORT, reportNumber: 'BCY-QC-2411', sampledAt: '2024-11-06T09:00:00+08:00', testedAt: '2024-11-08T09:00:00+08:00' });
  // The cooperative's own word for its GAP base is not enough.
  const selfDeclared = await verify(w.pieces.headers, w.slices.id);
  t.equal(selfDeclared.verdict, 'fail');
  t.same(failing(selfDeclared), ['gap-certified']);
  const gapCheck = selfDeclared.checks.find((k: any) => k.name === 'gap-certified');
  t.same(gapCheck.lots, [w.harvest.id]);
  t.match(gapCheck.detail, /confirmed GAP certificate.*self-declared only/);
  // The provincial drug administration (a regulator) confirms it, with no body at all.
  const regulator = await w.createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });
  const confirmed = await app.inject({ method: 'POST', url: `/v1/certificates/${gap.id}/confirm`, headers: regulator.headers });
  t.equal(confirmed.statusCode, 200, confirmed.body);
  t.match(confirmed.json(), { assertion: 'confirmed', confirmedBy: { id: regulator.organization.id, name: '吉林省药品监督管理局' } });
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

t.test('certificates: who asserts them, confirmation as an event, numbers unique per holder', async (t) => {
  const { app, database, createOrganization } = await setupApp(t);
  const c = chainClient(app);
  const coop = await createOrganization({ name: '松岭合作社', kinds: ['cooperative', 'gap_base'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const squatter = await createOrganization({ name: '冒用合作社', kinds: ['cooperative'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const certifier = await createOrganization({ name: '中国质量认证中心', kinds: ['certifier'], regionCode: '110000', creditCode: makeCreditCode('110000', '12') });
  const regulator = await createOrganization({ name: '吉林省药品监督管理局', kinds: ['regulator'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭基地', regionCode: '220621' });
  const eventCount = async () => Number((await database.db.select({ n: count() }).from(events))[0]!.n);
  const certificate = { kind: 'gap', siteId: base.id, authority: '中国质量认证中心', number: 'CQC-GAP-2024-17', validFrom: '2024-01-01', validUntil: '2026-12-31' };

  const own = await c.call('POST', '/v1/certificates', coop.headers, certificate);
  t.match(own, { assertion: 'self_declared', confirmedBy: null, confirmedAt: null, confirmEventId: null, numberAlsoClaimedBy: [], organization: { id: coop.organization.id } });
  const [recorded] = await database.db.select().from(events).where(eq(events.id, own.eventId));
  t.match(recorded, { type: 'certificate_recorded', data: { certificateId: own.id, number: 'CQC-GAP-2024-17', assertion: 'self_declared' } });

  await t.test('only regulators and certifiers confirm, never their own, and only once', async (t) => {
    const confirm = (headers: Record<string, string>, id: string, payload?: object) =>
      app.inject({ method: 'POST', url: `/v1/certificates/${id}/confirm`, headers, ...(payload ? { payload } : {}) });
    const before = await eventCount();
    expectProblem(t, await confirm(squatter.headers, own.id, {}), 403, '/problems/forbidden');
    expectProblem(t, await confirm(coop.headers, own.id), 403, '/problems/forbidden');
    expectProblem(t, await confirm(adminHeaders, own.id, {}), 403);
    expectProblem(t, await confirm(certifier.headers, 'crt_0000000000000000', {}), 404, '/problems/not-found');
    t.equal(expectProblem(t, await confirm(certifier.headers, own.id, { bonus: 1 }), 400).errors?.[0]?.path, 'body/bonus');
    // A certifier's own certificate needs someone else's confirmation.
    const selfHeld = await c.call('POST', '/v1/certificates', certifier.headers, { kind: 'other', authority: '国家认证认可监督管理委员会', number: 'CNCA-R-2002-001', validFrom: '2024-01-01', validUntil: '2026-12-31' });
    t.equal(selfHeld.assertion, 'self_declared');
    expectProblem(t, await confirm(certifier.headers, selfHeld.id, {}), 403);
    t.equal(await eventCount(), before + 1, 'only the certifier’s own recording was stored');

    const res = await confirm(certifier.headers, own.id, { note: '现场审核报告 CQC-2024-0917' });
    t.equal(res.statusCode, 200, res.body);
    const confirmed = res.json();
    t.match(confirmed, { id: own.id, assertion: 'confirmed', confirmedBy: { id: certifier.organization.id, name: '中国质量认证中心' }, eventId: own.eventId });
    t.ok(isRecentTimestamp(confirmed.confirmedAt), 'confirmedAt is now');
    const [event] = await database.db.select().from(events).where(eq(events.id, confirmed.confirmEventId));
    t.match(event, {
      type: 'certificate_confirmed',
      organizationId: certifier.organization.id,
      data: { certificateId: own.id, kind: 'gap', holderId: coop.organization.id, siteId: base.id, authority: '中国质量认证中心', number: 'CQC-GAP-2024-17', validFrom: '2024-01-01', validUntil: '2026-12-31', assertion: 'confirmed', note: '现场审核报告 CQC-2024-0917', recordedEventId: own.eventId },
    });
    t.same(await c.get(squatter.headers, `/v1/certificates/${own.id}`), confirmed, 'any key reads the confirmed certificate');
    const [row] = await database.db.select().from(certificates).where(eq(certificates.id, own.id));
    t.match(row, { assertion: 'confirmed', confirmedBy: certifier.organization.id, confirmEventId: confirmed.confirmEventId });

    const eventsNow = await eventCount();
    const twice = expectProblem(t, await confirm(regulator.headers, own.id), 422, '/problems/rule/certificate-already-confirmed');
    t.equal(twice.rule, 'certificate-already-confirmed');
    t.equal(await eventCount(), eventsNow, 'a second confirmation stores nothing');
  });

  await t.test('a regulator or certifier recording for another organisation confirms it; others may not record for others', async (t) => {
    const forCoop = await c.call('POST', '/v1/certificates', regulator.headers, { kind: 'organic', organizationId: coop.organization.id, siteId: base.id, authority: '吉林省药品监督管理局', number: 'JL-ORG-2024-3', validFrom: '2024-01-01', validUntil: '2026-12-31' });
    t.match(forCoop, { organization: { id: coop.organization.id }, assertion: 'confirmed', confirmedBy: { id: regulator.organization.id }, confirmEventId: forCoop.eventId });
    const [event] = await database.db.select().from(events).where(eq(events.id, forCoop.eventId));
    t.match(event, { type: 'certificate_recorded', organizationId: regulator.organization.id, data: { holderId: coop.organization.id, assertion: 'confirmed', confirmedBy: regulator.organization.id } });
    const before = await eventCount();
    const res = await app.inject({ method: 'POST', url: '/v1/certificates', headers: squatter.headers, payload: { kind: 'other', organizationId: coop.organization.id, authority: 'X', number: 'X-1', validFrom: '2024-01-01', validUntil: '2026-12-31' } });
    expectProblem(t, res, 403);
    t.equal(await eventCount(), before);
  });

  await t.test('two holders claiming one number are both stored and both shown; the same holder twice is a conflict', async (t) => {
    const squatterSite = await c.site(squatter.headers, { kind: 'cultivation_base', name: '冒用基地', regionCode: '220621' });
    const copy = await c.call('POST', '/v1/certificates', squatter.headers, { ...certificate, siteId: squatterSite.id });
    t.equal(copy.assertion, 'self_declared');
    t.same(copy.numberAlsoClaimedBy, [{ id: coop.organization.id, name: '松岭合作社' }], 'the answer says who else holds the number');
    const again = await app.inject({ method: 'POST', url: '/v1/certificates', headers: coop.headers, payload: { ...certificate, kind: 'organic' } });
    expectProblem(t, again, 409, '/problems/conflict');

    const query = `/v1/certificates?authority=${encodeURIComponent(certificate.authority)}&number=${certificate.number}`;
    const seen = await c.get(regulator.headers, query);
    t.same(seen.items.map((i: any) => [i.organization.id, i.assertion]), [[coop.organization.id, 'confirmed'], [squatter.organization.id, 'self_declared']]);
    t.same(seen.items[0].numberAlsoClaimedBy, [{ id: squatter.organization.id, name: '冒用合作社' }]);
    t.same(seen.items[1].numberAlsoClaimedBy, [{ id: coop.organization.id, name: '松岭合作社' }]);
    t.same((await c.get(regulator.headers, `${query}&assertion=confirmed`)).items.map((i: any) => i.id), [seen.items[0].id]);
    t.same((await c.get(regulator.headers, `/v1/certificates?number=${certificate.number}&organizationId=${squatter.organization.id}`)).items.map((i: any) => i.id), [copy.id]);
  });
});

t.test('the consumer page counts confirmed certificates and labels self-declared ones', async (t) => {
  const w = await codedChain(t);
  const { app, c } = w;
  const certifier = await w.createOrganization({ name: '中国质量认证中心', kinds: ['certifier'], regionCode: '110000', creditCode: makeCreditCode('110000', '12') });
  await c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'gap', siteId: w.base.id, authority: '吉林省药品监督管理局', number: 'JL-GAP-SELF', validFrom: '2018-01-01', validUntil: '2099-12-31' });
  const organic = await c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'organic', siteId: w.base.id, authority: '中国质量认证中心', number: 'CQC-ORG-OK', validFrom: '2018-01-01', validUntil: '2099-12-31' });
  await c.call('POST', `/v1/certificates/${organic.id}/confirm`, certifier.headers, {}, 200);
  const gi = await c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'gi_use', giCode: 'changbaishan-renshen', authority: '国家知识产权局', number: 'GI-OK', validFrom: '2018-01-01', validUntil: '2099-12-31' });
  await c.call('POST', `/v1/certificates/${gi.id}/confirm`, certifier.headers, {}, 200);
  await c.call('POST', `/v1/lots/${w.product.id}/gi-claims`, w.coop.headers, { giCode: 'changbaishan-renshen' });
  const [code] = (await c.call('POST', `/v1/lots/${w.product.id}/codes`, w.coop.headers, { count: 1, level: 'lot' })).codes;
  const json = await app.inject({ method: 'GET', url: `/q/${code.code}`, headers: { accept: 'application/json' } });
  t.equal(json.statusCode, 200, json.body);
  t.same(
    json.json().certificates.map((x: any) => [x.kind, x.number, x.assertion]),
    [['gi_use', 'GI-OK', 'confirmed'], ['organic', 'CQC-ORG-OK', 'confirmed'], ['gap', 'JL-GAP-SELF', 'self_declared']],
    'confirmed first, the self-declared one marked',
  );
  t.same(json.json().giClaims, [{ code: 'changbaishan-renshen', nameZh: '长白山人参' }], 'a claim made under a confirmed authorisation is shown');
  const page = await app.inject({ method: 'GET', url: `/q/${code.code}`, headers: { accept: 'text/html' } });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<li data-assertion="self_declared"><b>GAP 基地认证<\/b>[^<]*<span class="muted">\(企业自我声明，未经认证机构确认\)<\/span>/);
  t.notMatch(page.body, /<li data-assertion="self_declared"><b>有机认证/, 'the confirmed one carries no label');
  const en = await app.inject({ method: 'GET', url: `/q/${code.code}?lang=en`, headers: { accept: 'text/html' } });
  t.match(en.body, /self-declared by the company, not confirmed/);
});
