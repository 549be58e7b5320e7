import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { chromium } from 'playwright-core';
import { codedChain } from './support/codes.js';

const CHROMIUM = '/usr/bin/chromium';

t.test('the consumer page in headless Chromium shows the origin and the verdict', async (t) => {
  if (!existsSync(CHROMIUM)) {
    // Debian's chromium package is installed by .ci/run when the machine can; without it this check cannot run.
    t.pass(`skipped: chromium not installed at ${CHROMIUM} (apt-get install -y chromium), the browser check did not run`);
    return;
  }
  const w = await codedChain(t);
  const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes as { code: string; url: string }[];
  const address = await w.app.listen({ host: '127.0.0.1', port: 0 });

  const userDataDir = mkdtempSync(path.join(tmpdir(), 'herbtrace-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
  });
  t.teardown(async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });
  const page = await context.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(address)) external.push(r.url());
  });

  const response = await page.goto(`${address}${new URL(unit!.url).pathname}`);
  t.equal(response?.status(), 200);
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  t.equal(await page.textContent('.verdict h1'), '正品', 'the verdict, in Chinese');
  const text = (await page.textContent('body')) ?? '';
  t.match(text, /松岭GAP园参基地/, 'the origin base');
  t.match(text, /抚松县/, 'the origin region');
  t.match(text, /参龄 6 年/, 'the root age');

  await page.click('footer a');
  t.equal(await page.getAttribute('html', 'lang'), 'en', 'the language switch leads to English');
  t.equal(await page.textContent('.verdict h1'), 'Genuine');
  t.same(external, [], 'no request leaves the service');

  const unknown = await page.goto(`${address}/q/NoSuchCode2345678`);
  t.equal(unknown?.status(), 404);
  t.equal(await page.textContent('.verdict h1'), '未知');
  t.match((await page.textContent('.warn')) ?? '', /12315/);
  await page.screenshot({ path: path.join(userDataDir, 'page.png') });
});
