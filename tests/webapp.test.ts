// The field app in a real browser (Debian's Chromium, 360×740): a cooperative recorder records the worked
// chain's planting and harvest; offline writes wait in the outbox across a reload and land exactly once; a
// refused write stays visible with the rule's explanation and stores nothing; a lab analyst enters the worked
// report. What the page shows and what the database holds afterwards are both asserted.
import t from 'tap';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { events, lots } from '../src/db/schema.js';
import { rules } from '../src/web/lib/vocabulary.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { accessibilityProblems, goOffline, goOnline, launchBrowser, noBrowser } from './support/browser.js';
import { chainClient, kg } from './support/chain.js';
import { GOOD_PASSWORD, peopleClient } from './support/people.js';

async function world(t: Parameters<typeof setupApp>[0]) {
  const setup = await setupApp(t);
  const { app, createOrganization } = setup;
  const c = chainClient(app);
  const people = peopleClient(app);
  const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const lab = await createOrganization({ name: '通化长白山中药材质量检测有限公司', kinds: ['lab'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80, location: { lat: 42.33, lon: 127.27 } });
  const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'JL-JY-RS-SD-2018', siteId: base.id, quantity: kg(40), producedAt: '2019-03-20T09:00:00+08:00' });
  // The owner is set up through the API (TOTP); the recorder and the analyst set themselves up in the app.
  const owner = await people.firstOwner(coop.organization.id, 'songling.owner', '王社长');
  const recorder = await people.createMember(owner.session.headers, coop.organization.id, { name: '李记录', login: 'songling.li', role: 'recorder' });
  const analyst = await people.createMember(adminHeaders, lab.organization.id, { name: '赵化验', login: 'lab.zhao', role: 'owner' });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const eventCount = async () => (await setup.database.db.select({ id: events.id }).from(events)).length;
  return { ...setup, c, coop, lab, base, seed, owner, recorder, analyst, address, eventCount };
}

/** First-time setup in the app: login, setup code, password twice; lands on the home screen. */
async function setUpInApp(page: Page, address: string, login: string, setupCode: string) {
  await page.goto(`${address}/app/#/setup`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('设置码').fill(setupCode);
  await page.getByLabel('设置密码（至少 8 位）').fill(GOOD_PASSWORD);
  await page.getByLabel('再次输入密码').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: '完成设置' }).click();
  await page.getByTestId('my-lots').or(page.getByText('暂无批次')).first().waitFor();
}

/** The service worker controls the page (needed before the network is cut). */
async function workerInControl(page: Page) {
  await page.waitForFunction('navigator.serviceWorker.controller !== null', undefined, { timeout: 15_000 });
}

async function openLot(page: Page, lotNumber: string) {
  await page.goto(page.url().split('#')[0] + '#/');
  await page.getByTestId('lot-row').filter({ hasText: lotNumber }).click();
  await page.getByTestId('lot-page').waitFor();
}

const eventsOf = async (w: Awaited<ReturnType<typeof world>>, type: string) =>
  w.database.db.select({ id: events.id, data: events.data }).from(events).where(and(eq(events.type, type), eq(events.organizationId, w.coop.organization.id)));

t.test('a recorder records the worked planting and harvest online and sees them on the lot page', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const context = await launchBrowser(t);
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(w.address)) external.push(r.url());
  });
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  t.same(await accessibilityProblems(page), [], 'home: no serious or critical accessibility problem');

  await openLot(page, 'JL-JY-RS-SD-2018');
  t.match(await page.getByTestId('lot-remaining').textContent(), /40 千克/);
  t.same(await accessibilityProblems(page), [], 'lot page: accessible');
  await page.getByTestId('action-plant').click();
  t.match(await page.getByTestId('input-lot').textContent(), /可用 40 千克/, 'the input and what remains of it');
  await page.getByLabel('批号 (种植养殖)').fill('SL-B03');
  await page.getByLabel('产出数量').fill('150000');
  await page.getByLabel('单位').selectOption('plant');
  await page.getByLabel(/参与农户/).fill('24');
  await page.getByLabel('基地/场所').selectOption({ label: '松岭GAP园参基地' });
  t.same(await accessibilityProblems(page), [], 'planting form: accessible');
  await page.getByTestId('save').click();
  await page.getByTestId('lot-page').waitFor();
  t.match(await page.locator('header h1').textContent(), 'SL-B03', 'after saving: the new cultivation lot');
  t.match(await page.getByTestId('lot-quantity').textContent(), /150000/);

  await page.getByTestId('action-harvest').click();
  await page.getByLabel('批号 (采收)').fill('SL-H01');
  await page.getByLabel('产出数量').fill('4000');
  await page.getByLabel(/参龄/).fill('6');
  await page.getByTestId('save').click();
  await page.getByText('SL-H01').first().waitFor();
  t.match(await page.getByTestId('lot-quantity').textContent(), /4000 千克/);
  const timeline = await page.getByTestId('timeline').textContent();
  t.match(timeline, /记录人：李记录/, 'the timeline names who recorded it');
  t.match(await page.getByTestId('provenance').textContent(), /松岭GAP园参基地[\s\S]*100\.0%/, 'the origin with its share');

  const stored = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-H01'));
  t.equal(stored.length, 1, 'the harvest lot is stored once');
  t.match(stored[0], { stage: 'harvest', attributes: { rootAgeYears: 6 } });
  t.same(external, [], 'no request leaves the service');
});

t.test('offline: a harvest and two agro-inputs wait across a reload and land exactly once', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const bed = (await w.c.transform(w.coop.headers, { occurredAt: '2021-04-15T08:00:00+08:00', inputs: [{ lotId: w.seed.id, quantity: kg(40) }], outputs: [{ stage: 'cultivation', lotNumber: 'SL-B04', quantity: { value: 150000, unit: 'plant' } }] })).outputs[0];
  const context = await launchBrowser(t);
  const page = await context.newPage();
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  await workerInControl(page);
  // Visit the forms once online so their data (my lots, sites, vocabulary) is in the worker's copy.
  await openLot(page, 'SL-B04');

  await goOffline(context);
  for (const product of ['多菌灵可湿性粉剂', '腐熟农家肥']) {
    await page.goto(`${w.address}/app/#/lot/${bed.id}/input`);
    await page.getByLabel('产品名称').fill(product);
    await page.getByLabel('用量', { exact: true }).fill('2.5');
    await page.getByLabel('安全间隔期（天）').fill('30');
    await page.getByTestId('save').click();
    await page.getByTestId('queued').waitFor();
    await page.getByTestId('lot-page').waitFor();
  }
  await page.goto(`${w.address}/app/#/lot/${bed.id}/harvest`);
  await page.getByTestId('input-lot').waitFor();
  await page.getByLabel('批号 (采收)').fill('SL-H02');
  await page.getByLabel('产出数量').fill('4000');
  await page.getByTestId('save').click();
  await page.getByTestId('queued').waitFor();
  t.equal(await page.getByTestId('outbox-count').textContent(), '3', 'three writes wait');

  await page.reload();
  await page.getByTestId('outbox-count').waitFor();
  t.equal(await page.getByTestId('outbox-count').textContent(), '3', 'still three after a reload offline');
  await page.goto(`${w.address}/app/#/outbox`);
  t.equal(await page.getByTestId('outbox-entry').count(), 3);
  t.same(await accessibilityProblems(page), [], 'outbox: accessible');
  t.equal((await eventsOf(w, 'agro_input')).length, 0, 'nothing reached the server while offline');

  await goOnline(context);
  await page.evaluate('window.dispatchEvent(new Event("online"))');
  await page.getByText('没有待上传的记录').waitFor({ timeout: 20_000 });
  t.equal(await page.getByTestId('outbox-count').textContent(), '0', 'the outbox is empty');
  t.equal((await eventsOf(w, 'agro_input')).length, 2, 'exactly two agro-inputs stored');
  t.equal((await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-H02'))).length, 1, 'exactly one harvest stored');

  await openLot(page, 'SL-B04');
  const timeline = await page.getByTestId('timeline').textContent();
  t.match(timeline, /多菌灵可湿性粉剂/);
  t.match(timeline, /腐熟农家肥/);
});

t.test('offline: an over-draw and the harvest made of it; the refusal holds the harvest back until corrected', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const context = await launchBrowser(t);
  const page = await context.newPage();
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  await workerInControl(page);
  await openLot(page, 'JL-JY-RS-SD-2018');
  await goOffline(context);
  await page.goto(`${w.address}/app/#/lot/${w.seed.id}/plant`);
  await page.getByTestId('input-lot').waitFor();
  await page.getByLabel(/^使用数量/).fill('41');
  await page.getByLabel('批号 (种植养殖)').fill('SL-OVER');
  await page.getByLabel('产出数量').fill('1000');
  await page.getByLabel('单位').selectOption('plant');
  await page.getByTestId('save').click();
  await page.getByTestId('queued').waitFor();
  // The planting's page while it waits: a harvest can be recorded on it already.
  await page.getByTestId('lot-page').waitFor();
  t.match(await page.locator('header h1').textContent(), 'SL-OVER', 'the lot recorded offline has its page');
  await page.getByTestId('action-harvest').click();
  await page.getByTestId('input-lot').waitFor();
  t.match(await page.getByTestId('input-lot').textContent(), /SL-OVER.*可用 1000 株（待上传）/, 'its input: the planting that waits');
  await page.getByLabel('批号 (采收)').fill('SL-H-OVER');
  await page.getByLabel('产出数量').fill('300');
  await page.getByTestId('save').click();
  await page.getByTestId('queued').waitFor();
  const before = await w.eventCount();

  await goOnline(context);
  await page.goto(`${w.address}/app/#/outbox`);
  await page.getByTestId('sync-now').click();
  const refusal = page.getByTestId('refusal');
  await refusal.waitFor({ timeout: 20_000 });
  t.match(await refusal.textContent(), rules['insufficient-quantity']!['zh-CN'], 'the rule explained in Chinese');
  t.same(await page.getByTestId('outbox-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))), ['refused', 'pending'], 'the planting refused, the harvest kept');
  t.match(await page.getByTestId('outbox-entry').nth(1).textContent(), '等待前一条记录', 'the harvest is held back by the refusal');
  t.equal(await w.eventCount(), before, 'no event stored');
  t.equal((await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-OVER'))).length, 0, 'no lot stored');
  await page.reload();
  await page.getByTestId('refusal').waitFor();
  t.pass('still shown after a reload');

  // Corrected in its own form, which opens with what was entered.
  await page.getByTestId('correct').click();
  t.equal(await page.getByLabel('批号 (种植养殖)').inputValue(), 'SL-OVER', 'the form holds what was entered');
  await page.getByLabel(/^使用数量/).fill('40');
  await page.getByTestId('save').click();
  await page.getByTestId('saved').waitFor({ timeout: 20_000 });
  await page.goto(`${w.address}/app/#/outbox`);
  await page.getByText('没有待上传的记录').waitFor({ timeout: 20_000 });
  const planting = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-OVER'));
  const harvest = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-H-OVER'));
  t.equal(planting.length, 1, 'the corrected planting stored once');
  t.equal(harvest.length, 1, 'the harvest sent after it, once');
  t.same(harvest[0]!.parentLotIds, [planting[0]!.id], 'the harvest is made of the planting');
});

t.test('a lab analyst enters the worked report (合格), then a Pb of 6 mg/kg (不合格, lot on hold)', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const step = async (input: { id: string }, quantity: object, output: Record<string, unknown>, occurredAt: string) =>
    (await w.c.transform(w.coop.headers, { occurredAt, inputs: [{ lotId: input.id, quantity }], outputs: [output] })).outputs[0];
  const bed = await step(w.seed, kg(40), { stage: 'cultivation', lotNumber: 'SL-B05', quantity: { value: 150000, unit: 'plant' } }, '2021-04-15T08:00:00+08:00');
  const harvest = await step(bed, { value: 150000, unit: 'plant' }, { stage: 'harvest', lotNumber: 'SL-H05', quantity: kg(4000) }, '2024-09-18T08:00:00+08:00');
  const dried = await step(harvest, kg(4000), { stage: 'processed', lotNumber: 'YJ-SSS-2024', quantity: kg(850), attributes: { form: '生晒参' } }, '2024-10-08T10:00:00+08:00');
  await w.c.call('POST', `/v1/lots/${dried.id}/lab-grants`, w.coop.headers, { labOrganizationId: w.lab.organization.id });
  const context = await launchBrowser(t);
  const page = await context.newPage();
  // A lab's owner must enrol TOTP and may not keep the phone signed in: the app signs in for the visit and
  // asks for the enrolment.
  await page.goto(`${w.address}/app/#/setup`);
  await page.getByLabel('账号').fill('lab.zhao');
  await page.getByLabel('设置码').fill(w.analyst.setupCode);
  await page.getByLabel('设置密码（至少 8 位）').fill(GOOD_PASSWORD);
  await page.getByLabel('再次输入密码').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: '完成设置' }).click();
  const secret = await page.locator('code').first().textContent();
  const { totpNow } = await import('./support/people.js');
  await page.getByLabel('动态验证码（6 位）').fill(totpNow(secret!.trim()));
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  t.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10, 'ten recovery codes shown once');
  await page.getByRole('link', { name: '继续' }).click();

  await page.getByRole('link', { name: '委托我检验的批次' }).click();
  await page.getByTestId('lab-lots').getByText('YJ-SSS-2024').click();
  const fill = async (rows: [string, string, string][]) => {
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) await page.getByRole('button', { name: '添加项目' }).click();
      const item = page.getByTestId('lab-item').nth(i);
      await item.locator('select').first().selectOption(rows[i]![0]);
      await item.getByLabel('结果').fill(rows[i]![1]);
      await item.getByLabel('单位').selectOption(rows[i]![2]);
    }
  };
  await page.getByLabel('报告编号').fill('THJC-2024-1018');
  await fill([
    ['ginsenoside_rg1_re', '0.52', '%'],
    ['ginsenoside_rb1', '0.38', '%'],
    ['moisture', '10.1', '%'],
    ['pb', '0.8', 'mg/kg'],
  ]);
  t.same(await accessibilityProblems(page), [], 'lab report form: accessible');
  await page.getByTestId('save').click();
  t.equal(await page.getByTestId('report-verdict').textContent(), '合格');
  t.same(await accessibilityProblems(page), [], 'verdict screen: accessible');

  await page.getByRole('link', { name: '返回' }).last().click();
  await page.getByTestId('lab-lots').getByText('YJ-SSS-2024').click();
  await page.getByLabel('报告编号').fill('THJC-2024-1019');
  await fill([['pb', '6', 'mg/kg']]);
  await page.getByTestId('save').click();
  t.equal(await page.getByTestId('report-verdict').textContent(), '不合格');
  await page.getByTestId('lot-held').waitFor();
  const [held] = await w.database.db.select().from(lots).where(eq(lots.id, dried.id));
  t.equal(held!.status, 'hold', 'the lot is on hold in the database');
});

t.test('every screen is accessible; processing steps, codes and holds are recorded as entered', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const step = async (input: { id: string }, quantity: object, output: Record<string, unknown>, occurredAt: string) =>
    (await w.c.transform(w.coop.headers, { occurredAt, inputs: [{ lotId: input.id, quantity }], outputs: [output] })).outputs[0];
  const bed = await step(w.seed, kg(40), { stage: 'cultivation', lotNumber: 'SL-B06', quantity: { value: 150000, unit: 'plant' } }, '2021-04-15T08:00:00+08:00');
  const harvest = await step(bed, { value: 150000, unit: 'plant' }, { stage: 'harvest', lotNumber: 'SL-H06', quantity: kg(4000) }, '2024-09-18T08:00:00+08:00');
  const context = await launchBrowser(t);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  for (const screen of ['#/signin', '#/setup']) {
    await page.goto(`${w.address}/app/${screen}`);
    await page.getByRole('button').first().waitFor();
    t.same(await accessibilityProblems(page), [], `${screen}: accessible`);
  }
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  const screens = ['#/', '#/outbox', '#/shipments', '#/new/site', '#/new/seed', '#/merge', `#/lot/${bed.id}`, `#/lot/${bed.id}/harvest`, `#/lot/${bed.id}/input`, `#/lot/${harvest.id}/process`, `#/lot/${harvest.id}/split`, `#/lot/${harvest.id}/ship`, `#/lot/${harvest.id}/status`];
  for (const lang of ['zh-CN', 'en']) {
    for (const screen of screens) {
      await page.goto(`${w.address}/app/${screen}`);
      await page.locator('main').waitFor();
      await page.waitForLoadState('networkidle');
      t.same(await accessibilityProblems(page), [], `${lang} ${screen}: accessible`);
    }
    if (lang === 'zh-CN') await page.getByRole('button', { name: 'English' }).click();
  }
  await page.getByRole('button', { name: '中文' }).click();

  // Processing with steps chosen from the vocabulary: 洗 (刷洗), then 干燥 by 烘干 at 45 °C for 72 hours.
  await page.goto(`${w.address}/app/#/lot/${harvest.id}/process`);
  await page.getByTestId('input-lot').waitFor();
  await page.getByLabel(/^使用数量/).fill('4000');
  await page.getByLabel('批号 (产地加工)').fill('YJ-SSS-01');
  await page.getByLabel('产出数量').fill('850');
  await page.getByLabel(/加工品类/).fill('生晒参');
  const first = page.getByTestId('step').nth(0);
  await first.getByLabel('方法').selectOption('刷洗');
  await page.getByRole('button', { name: '添加工序' }).click();
  const second = page.getByTestId('step').nth(1);
  await second.getByLabel('工序名称 2').selectOption('干燥');
  await second.getByLabel('方法').selectOption('烘干');
  await second.getByLabel(/温度/).fill('45');
  await second.getByLabel(/时长 \(小时\)/).fill('72');
  t.same(await accessibilityProblems(page), [], 'processing form with steps: accessible');
  await page.getByTestId('save').click();
  await page.getByTestId('saved').waitFor();
  const [dried] = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'YJ-SSS-01'));
  t.match(dried, { stage: 'processed', attributes: { form: '生晒参' } });
  const transformations = await w.database.db.select({ data: events.data }).from(events).where(and(eq(events.type, 'transformation'), eq(events.organizationId, w.coop.organization.id)));
  t.same(
    transformations.map((e) => (e.data as any).process).filter(Boolean),
    [{ steps: [{ op: '洗', params: { method: '刷洗' } }, { op: '干燥', params: { method: '烘干', temperatureC: 45, hours: 72 } }] }],
    'the steps stored as chosen, numbers as numbers',
  );
  t.match(await page.getByTestId('timeline').textContent(), '烘干 45 °C · 72 小时', 'the timeline words the step from the vocabulary');

  // Hold and release.
  await page.getByTestId('action-status').click();
  await page.getByLabel('原因').fill('等待重金属复检');
  await page.getByRole('button', { name: '暂停（扣留）' }).click();
  await page.getByTestId('lot-status').waitFor();
  t.equal((await w.database.db.select().from(lots).where(eq(lots.id, dried!.id)))[0]!.status, 'hold', 'held');
  await page.getByTestId('action-status').click();
  await page.getByLabel('原因').fill('复检合格');
  await page.getByRole('button', { name: '解除暂停' }).click();
  await page.getByTestId('saved').waitFor();
  t.equal((await w.database.db.select().from(lots).where(eq(lots.id, dried!.id)))[0]!.status, 'active', 'released');

  // Codes and the label sheet of a product lot.
  const product = await step(dried!, kg(100), { stage: 'product', lotNumber: 'SH-2411-01', quantity: { value: 2000, unit: 'box' } }, new Date(Date.now() + 60_000).toISOString());
  await page.goto(`${w.address}/app/#/lot/${product.id}/codes`);
  await page.getByLabel('二维码数量').fill('6');
  await page.getByRole('button', { name: '生成二维码' }).click();
  await page.getByTestId('label-sheet').locator('img').nth(5).waitFor();
  t.equal(await page.getByTestId('label-sheet').locator('img').count(), 6, 'six labels on the sheet');
  t.same(await accessibilityProblems(page), [], 'label sheet: accessible');
  t.same(errors, [], 'no script error on any screen');
});
