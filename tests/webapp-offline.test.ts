// The field app offline (the page's and the service worker's network cut): writes wait in the outbox across a
// reload and land exactly once; a refused write stays visible with the rule's explanation, holds back the
// writes that depend on it, stores nothing, and is corrected in its own form.
import t from 'tap';
import { eq } from 'drizzle-orm';
import { lots } from '../src/db/schema.js';
import { rules } from '../src/web/lib/vocabulary.js';
import { accessibilityProblems, goOffline, goOnline, launchBrowser, noBrowser } from './support/browser.js';
import { kg } from './support/chain.js';
import { world, setUpInApp, workerInControl, openLot, eventsOf, expectSaved, holdRequests } from './support/webapp.js';
import type { Browser } from './support/webapp.js';
import type { Page } from 'playwright-core';

/** The seed lot planted into one bed of 150,000 plants, through the API: what the offline records are made on. */
const plantedBed = async (w: Awaited<ReturnType<typeof world>>, lotNumber: string) =>
  (await w.c.transform(w.coop.headers, { occurredAt: '2021-04-15T08:00:00+08:00', inputs: [{ lotId: w.seed.id, quantity: kg(40) }], outputs: [{ stage: 'cultivation', lotNumber, quantity: { value: 150000, unit: 'plant' } }] })).outputs[0];

/** An agro-input recorded in the app while offline: it waits in the outbox, and the app goes to the lot's page. */
async function queueAgroInput(page: Page, address: string, bedId: string, product: string) {
  await page.goto(`${address}/app/#/lot/${bedId}/input`);
  await page.getByLabel('产品名称').fill(product);
  await page.getByLabel('用量', { exact: true }).fill('2.5');
  await page.getByLabel('安全间隔期（天）').fill('30');
  await page.getByTestId('save').click();
  await page.getByTestId('queued').waitFor();
  await page.getByTestId('lot-page').waitFor();
}

/** The network is back: the browser's `online` event, which the app syncs on. */
const announceOnline = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as Browser;
    w.dispatchEvent(new w.Event('online'));
  });

t.test('offline: a harvest and two agro-inputs wait across a reload and land exactly once', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const bed = await plantedBed(w, 'SL-B04');
  const context = await launchBrowser(t);
  const page = await context.newPage();
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  await workerInControl(page);
  // Visit the forms once online so their data (my lots, sites, vocabulary) is in the worker's copy.
  await openLot(page, 'SL-B04');

  await goOffline(context);
  for (const product of ['多菌灵可湿性粉剂', '腐熟农家肥']) await queueAgroInput(page, w.address, bed.id, product);
  await page.goto(`${w.address}/app/#/lot/${bed.id}/harvest`);
  await page.getByTestId('input-lot').waitFor();
  await page.getByLabel('批号 (采收)').fill('SL-H02');
  await page.getByLabel('产出数量').fill('4000');
  await page.getByTestId('save').click();
  await page.getByTestId('queued').waitFor();
  t.equal(await page.getByTestId('outbox-count').textContent(), '3', 'three writes wait');

  await page.reload();
  await page.getByTestId('outbox-count').filter({ hasText: /^\d+$/ }).waitFor();
  t.equal(await page.getByTestId('outbox-count').textContent(), '3', 'still three after a reload offline');
  await page.goto(`${w.address}/app/#/outbox`);
  await page.getByTestId('outbox-list').waitFor();
  t.equal(await page.getByTestId('outbox-entry').count(), 3, 'each listed');
  t.same(await accessibilityProblems(page), [], 'outbox: accessible');
  t.equal((await eventsOf(w, 'agro_input')).length, 0, 'nothing reached the server while offline');

  await goOnline(context);
  await announceOnline(page);
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
  await expectSaved(page, 20_000);
  await page.goto(`${w.address}/app/#/outbox`);
  await page.getByText('没有待上传的记录').waitFor({ timeout: 20_000 });
  const planting = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-OVER'));
  const harvest = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-H-OVER'));
  t.equal(planting.length, 1, 'the corrected planting stored once');
  t.equal(harvest.length, 1, 'the harvest sent after it, once');
  t.same(harvest[0]!.parentLotIds, [planting[0]!.id], 'the harvest is made of the planting');
});

t.test('online: a record saved while an earlier sync round is still sending is sent by its own save, not left for the timer', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const bed = await plantedBed(w, 'SL-B05');
  const context = await launchBrowser(t);
  const page = await context.newPage();
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);
  await workerInControl(page);
  await openLot(page, 'SL-B05');
  await goOffline(context);
  await queueAgroInput(page, w.address, bed.id, '腐熟农家肥');
  // The queued write's request is held in the page, so the round that sends it is still under way when the next
  // record is saved: that save must get a round of its own after it.
  const queuedWrite = await holdRequests(page, { path: '/events$', method: 'POST', onlyFirst: true });
  await goOnline(context);
  await announceOnline(page);
  await queuedWrite.waitUntilHeld();
  await page.goto(`${w.address}/app/#/lot/${bed.id}/harvest`);
  await page.getByTestId('input-lot').waitFor();
  await page.getByLabel('批号 (采收)').fill('SL-H05');
  await page.getByLabel('产出数量').fill('4000');
  await page.getByTestId('save').click();
  // Let the save reach its sync call while the first round still waits, then let the first round finish.
  await page.waitForTimeout(1500);
  await queuedWrite.release();
  await expectSaved(page, 20_000);
  t.pass('the harvest saved at once, not queued behind the round in flight');
  t.equal((await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SL-H05'))).length, 1, 'the harvest stored');
  t.equal((await eventsOf(w, 'agro_input')).length, 1, 'the held write stored once');
});
