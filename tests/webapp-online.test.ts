// The field app in a real browser (Debian's Chromium, 360×740), online: a cooperative recorder records the
// worked chain's planting and harvest; a base by GPS, a seed lot, a split, a merge, shipments received and
// refused. What the page shows and what the database holds afterwards are both asserted.
import t from 'tap';
import { eq } from 'drizzle-orm';
import { lots } from '../src/db/schema.js';
import { makeCreditCode } from './support/app.js';
import { accessibilityProblems, launchBrowser, noBrowser } from './support/browser.js';
import { peopleClient } from './support/people.js';
import { world, setUpInApp, openLot, expectSaved } from './support/webapp.js';
import type { Browser } from './support/webapp.js';

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

t.test('a base registered by GPS, a seed lot, a split, a merge; shipments shipped, received and refused', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const processor = await w.createOrganization({ name: '集安市鸭江参业产地加工有限公司', kinds: ['processor'], regionCode: '220582', creditCode: makeCreditCode('220582') });
  const people = peopleClient(w.app);
  const owner = await people.firstOwner(processor.organization.id, 'yajiang.owner', '张厂长');
  const shiftLead = await people.createMember(owner.session.headers, processor.organization.id, { name: '刘班长', login: 'yajiang.liu', role: 'recorder' });
  const context = await launchBrowser(t);
  await context.grantPermissions(['geolocation'], { origin: w.address });
  await context.setGeolocation({ latitude: 42.331234, longitude: 127.271234 });
  const page = await context.newPage();
  await setUpInApp(page, w.address, 'songling.li', w.recorder.setupCode);

  await page.goto(`${w.address}/app/#/new/site`);
  await page.getByLabel('名称').fill('松岭二号地块');
  await page.getByLabel('行政区划代码（6 位）').fill('220621');
  await page.getByRole('button', { name: '使用手机定位' }).click();
  await page.waitForFunction(() => (globalThis as unknown as Browser).document.querySelector('input[name=lat]')?.value !== '');
  await page.getByLabel('面积（亩）').fill('12.5');
  await page.getByTestId('save').click();
  await expectSaved(page);
  const sites = await w.c.call('GET', '/v1/sites?limit=50', w.coop.headers);
  const plot = sites.items.find((s: any) => s.name === '松岭二号地块');
  t.match(plot, { kind: 'cultivation_base', regionCode: '220621', areaMu: 12.5, location: { lat: 42.331234, lon: 127.271234 } }, 'the base with the phone’s position');

  await page.goto(`${w.address}/app/#/new/seed`);
  await page.getByLabel('批号').fill('SD-2025-002');
  await page.getByLabel('基地/场所').selectOption({ label: '松岭二号地块' });
  await page.getByLabel('数量').fill('12.5');
  await page.getByLabel(/发芽率/).fill('92');
  await page.getByTestId('save').click();
  await page.getByTestId('lot-page').waitFor();
  const [seed2] = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SD-2025-002'));
  t.match(seed2, { stage: 'seed', speciesCode: 'renshen', siteId: plot.id, attributes: { germinationRatePct: 92 } }, 'the seed lot as entered');

  // Split the new seed lot in two, then merge the halves back into one.
  await page.getByTestId('action-split').click();
  await page.getByTestId('input-lot').waitFor();
  await page.locator('#on0').fill('SD-2025-002A');
  await page.locator('#oq0').fill('5');
  await page.locator('#on1').fill('SD-2025-002B');
  await page.locator('#oq1').fill('7.5');
  await page.getByTestId('save').click();
  await page.locator('header h1', { hasText: 'SD-2025-002A' }).waitFor();
  const halves = await w.database.db.select().from(lots).where(eq(lots.speciesCode, 'renshen'));
  t.same(halves.filter((l) => l.lotNumber.startsWith('SD-2025-002')).map((l) => [l.lotNumber, l.stage]).sort(), [['SD-2025-002', 'seed'], ['SD-2025-002A', 'seed'], ['SD-2025-002B', 'seed']], 'two seed lots split off');
  await page.goto(`${w.address}/app/#/merge`);
  await page.locator('#inl0').selectOption({ label: 'SD-2025-002A · 5 千克' });
  await page.locator('#inq0').fill('5');
  await page.locator('#inl1').selectOption({ label: 'SD-2025-002B · 7.5 千克' });
  await page.locator('#inq1').fill('7.5');
  await page.getByLabel(/^批号/).fill('SD-2025-003');
  await page.getByLabel('产出数量').fill('12.5');
  await page.getByTestId('save').click();
  await page.locator('header h1', { hasText: 'SD-2025-003' }).waitFor();
  const [merged] = await w.database.db.select().from(lots).where(eq(lots.lotNumber, 'SD-2025-003'));
  t.equal(merged!.parentLotIds.length, 2, 'one lot made of the two');

  // Ship two lots to the processor: one is received there, the other refused.
  for (const lotNumber of ['SD-2025-003', 'JL-JY-RS-SD-2018']) {
    await openLot(page, lotNumber);
    await page.getByTestId('action-ship').click();
    // The lot's card (its data loaded) first: it appears above the fields and moves the save button down.
    await page.locator('main p.card', { hasText: lotNumber }).waitFor();
    await page.getByLabel(/收货单位编号/).fill(processor.organization.id);
    await page.getByTestId('save').click();
    await expectSaved(page);
  }
  const lead = await context.newPage();
  await context.clearCookies();
  await setUpInApp(lead, w.address, 'yajiang.liu', shiftLead.setupCode);
  await lead.goto(`${w.address}/app/#/shipments`);
  await lead.getByTestId('shipment').nth(1).waitFor();
  t.same(await accessibilityProblems(lead), [], 'shipments: accessible');
  const cards = lead.getByTestId('shipment');
  const first = cards.filter({ hasText: merged!.id });
  await first.getByRole('button', { name: '接收' }).click();
  await expectSaved(lead);
  await cards.filter({ hasText: merged!.id }).waitFor({ state: 'detached' });
  const second = cards.filter({ hasText: w.seed.id });
  await second.getByLabel('拒收原因').fill('数量与单据不符');
  await second.getByRole('button', { name: '拒收' }).click();
  await lead.getByText('没有待接收的发货').waitFor();
  const shipments = await w.c.call('GET', '/v1/shipments?direction=outgoing&limit=50', w.coop.headers);
  t.same(shipments.items.map((s: any) => [s.lines[0].lotId, s.status]).sort(), [[merged!.id, 'received'], [w.seed.id, 'refused']].sort(), 'one received, one refused');
  t.equal((await w.database.db.select().from(lots).where(eq(lots.id, merged!.id)))[0]!.holderId, processor.organization.id, 'the processor holds the received lot');
  t.equal((await w.database.db.select().from(lots).where(eq(lots.id, w.seed.id)))[0]!.holderId, w.coop.organization.id, 'the refused lot stays with the cooperative');
});
