// Every screen of the field app passes axe-core in both languages; processing steps, holds and codes are
// recorded as entered.
import t from 'tap';
import { and, eq } from 'drizzle-orm';
import { events, lots } from '../src/db/schema.js';
import { accessibilityProblems, launchBrowser, noBrowser } from './support/browser.js';
import { kg } from './support/chain.js';
import { world, setUpInApp, expectSaved, holdRequests } from './support/webapp.js';

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
  await expectSaved(page);
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
  await expectSaved(page);
  t.equal((await w.database.db.select().from(lots).where(eq(lots.id, dried!.id)))[0]!.status, 'active', 'released');

  // On a slow network the lot's data comes seconds after its form opens: the form's lot line stands in for it,
  // and the fields and the save button do not move when it arrives. The page's reads of a lot are held until the
  // save button has been measured.
  for (const [lotId, form, lotNumber] of [[dried!.id, 'ship', 'YJ-SSS-01'], [bed.id, 'input', 'SL-B06']] as const) {
    const lotReads = await holdRequests(page, { path: '^/v1/lots/[^/]+$' });
    await page.goto(`${w.address}/app/#/lot/${lotId}/${form}`);
    await page.locator('main p.card[aria-busy=true]').waitFor();
    const before = await page.getByTestId('save').boundingBox();
    await lotReads.release();
    await page.locator('main p.card', { hasText: lotNumber }).waitFor();
    const after = await page.getByTestId('save').boundingBox();
    t.ok(before && after && before.y === after.y, `${form}: the save button stays put when the lot's data arrives (${before?.y} → ${after?.y})`);
  }

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
