import path from 'node:path';
import t from 'tap';
import { eq } from 'drizzle-orm';
import { codeScans } from '../src/db/schema.js';
import { accessibilityProblems, launchBrowser, noBrowser } from './support/browser.js';
import { codedChain } from './support/codes.js';
import { sequenceEverything } from './log-helpers.js';

t.test('the consumer page in headless Chromium shows the origin and the verdict', { skip: noBrowser }, async (t) => {
  const w = await codedChain(t);
  const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes as { code: string; url: string }[];
  const address = await w.app.listen({ host: '127.0.0.1', port: 0 });

  const context = await launchBrowser(t, { width: 390, height: 844 });
  const userDataDir = context.userDataDir;
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(address)) external.push(r.url());
  });

  const response = await page.goto(`${address}${new URL(unit!.url).pathname}`);
  t.equal(response?.status(), 200);
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  t.equal(await page.textContent('.verdict h1'), '正品', 'the verdict, in Chinese');
  t.same(await accessibilityProblems(page), [], 'no serious or critical accessibility problem (axe-core)');
  const text = (await page.textContent('body')) ?? '';
  t.match(text, /松岭GAP园参基地/, 'the origin base');
  t.match(text, /抚松县/, 'the origin region');
  t.match(text, /参龄 6 年/, 'the root age');
  const processing = (await page.textContent('section:has(h2:text-is("加工过程"))')) ?? '';
  t.match(processing, /刷洗 → 烘干 45 °C · 72 小时/, 'the processing steps in Chinese words');
  t.notMatch(text, /hours|temperatureC|method/, 'no raw parameter keys');
  t.match(text, /药材人参/, 'the herb, by its Chinese name');
  t.match((await page.textContent('.log')) ?? '', /本产品的 \d+ 条记录正在写入公开可验证日志/, 'not yet in the log: said so, no checkpoint claimed');
  t.match((await page.textContent('.first-verified')) ?? '', /^首次查验：\d{4}-\d\d-\d\d（即本次查验）$/, 'first verified: this scan');
  t.match((await page.textContent('.networks')) ?? '', /近 30 天内有 1 个不同网络查验过此码（共 1 次）/);
  const cookies = await context.cookies(address);
  t.match(cookies.find((c) => c.name === 'ht_device'), { httpOnly: true, sameSite: 'Lax', value: /^[A-Za-z0-9_-]{22}$/ }, 'the device cookie');

  await page.click('footer a');
  t.equal(await page.getAttribute('html', 'lang'), 'en', 'the language switch leads to English');
  t.equal(await page.textContent('.verdict h1'), 'Genuine');
  const english = (await page.textContent('body')) ?? '';
  t.match(english, /HerbGinseng \(Panax ginseng\)/, 'the herb named in English');
  t.match(english, /Brush-washed → Oven-dried 45 °C · 72 h/, 'the steps in English');
  t.match(english, /Origin processing/, 'the stage from the vocabulary');
  t.match((await page.textContent('.first-verified')) ?? '', /^First verified: \d{4}-\d\d-\d\d$/, 'the first scan, not this one');
  t.match((await page.textContent('.networks')) ?? '', 'Verified from 1 different network in the last 30 days (2 scans)');
  const scans = await w.database.db.select().from(codeScans).where(eq(codeScans.code, unit!.code));
  t.equal(scans.length, 2);
  t.ok(scans[0]!.device && scans[0]!.device === scans[1]!.device, 'both scans carry the device the browser kept');
  t.same(external, [], 'no request leaves the service');

  // Into the log (the timer is off in tests), then a product lot whose page is first read now.
  const [second] = (await w.issue(w.coop.headers, w.plain.id, { count: 1, level: 'lot' })).json().codes as { code: string }[];
  const { size } = await sequenceEverything(w.app, w.database.db);
  await page.goto(`${address}/q/${second!.code}`);
  t.match((await page.textContent('.log')) ?? '', new RegExp(`本产品的 \\d+ 条记录已全部写入公开可验证日志（最后一条为日志第 \\d+ 条），包含它们的检查点共 ${size} 条，签发于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d（北京时间）`), 'in the log: the checkpoint that includes the records');
  t.equal(await page.getAttribute('.log', 'data-in-log'), 'true');
  await page.goto(`${address}/q/${second!.code}?lang=en`);
  t.match((await page.textContent('.log')) ?? '', new RegExp(`All \\d+ records of this product are in the public verifiable log \\(the last is entry \\d+\\), under the checkpoint of ${size} entries signed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(China time\\)`));
  t.match((await page.textContent('body')) ?? '', /ProductGinseng \(Panax ginseng\)/, 'a product without its own name: named by its herb, in English');

  const unknown = await page.goto(`${address}/q/NoSuchCode2345678`);
  t.equal(unknown?.status(), 404);
  t.equal(await page.textContent('.verdict h1'), '未知');
  t.match((await page.textContent('.warn')) ?? '', /12315/);
  await page.screenshot({ path: path.join(userDataDir, 'page.png') });
});
