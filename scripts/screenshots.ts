/**
 * `npm run screenshots`: the README's pictures of the field app and the consumer page, taken at a phone's
 * 360×740 in Debian's Chromium and written to scripts/screenshots/*.png.
 *
 * It starts the service on a temporary data directory (embedded database, default settings: the caller's
 * DATABASE_URL and HERBTRACE_* are not passed on), runs `npm run demo` against it, then signs in as the demo's
 * recorders and records what the screens show, as a person would: an agro-input online, an over-draw that the
 * server refuses and an input queued offline, a lab report. Everything is removed afterwards.
 *
 * Needs /usr/bin/chromium and a Chinese font (apt-get install -y chromium fonts-noto-cjk).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { CHROMIUM, goOffline, goOnline, hasChromium, launchChromium, type Chromium } from '../tests/support/chromium.js';
import { DEMO_PASSWORD, WORKED_LAB_RESULTS } from './demo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'scripts', 'screenshots');

function fail(message: string): never {
  console.error(`screenshots: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------
// The service and the demo data

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The caller's environment without what would point the service or the demo elsewhere. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(HERBTRACE_|DATABASE_)/.test(name) || ['PORT', 'HOST', 'PUBLIC_BASE_URL', 'TOTP_REQUIRED_FOR'].includes(name)) delete env[name];
  }
  return { ...env, ...extra };
}

/** A child running TypeScript through tsx, its output kept to be shown if something goes wrong. */
function runTs(script: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function startService(dataDir: string, port: number, base: string) {
  const service = runTs('src/server.ts', cleanEnv({ HERBTRACE_DATA_DIR: dataDir, PORT: String(port), PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn' }));
  let exited: number | null = null;
  service.child.once('exit', (code) => (exited = code ?? -1));
  // Generous: on a busy machine the first start (migrations of a new database) takes a while.
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (exited !== null) fail(`the service exited (${exited}) before it was ready:\n${service.output()}`);
    if (Date.now() > deadline) fail(`the service was not ready within 300 s:\n${service.output()}`);
    const ready = await fetch(`${base}/ready`).then((r) => r.status === 200, () => false);
    if (ready) return service.child;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function runDemo(dataDir: string, base: string) {
  const demo = runTs('scripts/demo.ts', cleanEnv({ HERBTRACE_DATA_DIR: dataDir, HERBTRACE_URL: base }));
  const code = await new Promise<number>((resolve) => demo.child.once('exit', (c) => resolve(c ?? -1)));
  if (code !== 0) fail(`npm run demo failed (${code}):\n${demo.output()}`);
  console.log(demo.output().split('\n').find((l) => l.startsWith('Requests:')) ?? 'demo done');
}

// ---------------------------------------------------------------------------------------------------------
// The browser

const written: string[] = [];
/** For every wait of the browser: the screens are quick, the machine may not be. */
const TIMEOUT_MS = 90_000;

/**
 * Polls an expression until it is true. Not page.waitForFunction: that evaluates its predicate with eval in the
 * page, which the app's CSP (rightly) refuses; page.evaluate goes through the DevTools protocol.
 */
async function until(page: Page, expression: string, what: string, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(100);
  }
}

/** What the phone shows now (the viewport, not the whole page): fonts loaded, pictures decoded. */
async function shot(page: Page, name: string, scrollTo?: Locator) {
  // Scrolled to the element, below the app's sticky header rather than under it.
  if (scrollTo) {
    await scrollTo.evaluate((el) => {
      el.scrollIntoView({ block: 'start' });
      const header = el.ownerDocument.querySelector('header.bar');
      el.ownerDocument.defaultView!.scrollBy(0, -((header ? header.getBoundingClientRect().height : 0) + 8));
    });
  }
  await page.evaluate('document.fonts.ready');
  await page.evaluate('Promise.all([...document.images].map((i) => i.decode().catch(() => undefined)))');
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, type: 'png' });
  written.push(file);
  console.log(`  ${path.relative(ROOT, file)}`);
}

async function signIn(page: Page, base: string, login: string, { screenshot = false } = {}) {
  await page.goto(`${base}/app/#/signin`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  if (screenshot) await shot(page, '01-sign-in');
  await page.getByRole('button', { name: '登录' }).click();
  // A lab holds no lots of its own.
  await page.getByTestId('my-lots').or(page.getByText('暂无批次')).first().waitFor();
}

async function openLot(page: Page, lotNumber: string) {
  await page.goto(`${page.url().split('#')[0]}#/`);
  await page.getByTestId('lot-row').filter({ hasText: lotNumber }).click();
  await page.getByTestId('lot-page').waitFor();
}

/** One person's phone: a fresh profile, signed in; closed when `use` is done. */
async function asPerson(base: string, login: string, use: (page: Page, context: Chromium) => Promise<void>, options: { screenshot?: boolean } = {}) {
  const context = await launchChromium();
  context.setDefaultTimeout(TIMEOUT_MS);
  try {
    const page = await context.newPage();
    await signIn(page, base, login, options);
    await use(page, context);
  } finally {
    await context.dispose();
  }
}

async function agroInput(page: Page, product: string, dose: string) {
  await page.getByTestId('action-input').click();
  await page.getByLabel('产品名称').fill(product);
  await page.getByLabel('用量', { exact: true }).fill(dose);
  await page.getByLabel('安全间隔期（天）').fill('30');
  await page.getByTestId('save').click();
}

async function cooperative(base: string) {
  await asPerson(
    base,
    'songling.li',
    async (page, context) => {
      await shot(page, '02-home');

      // Online: an input recorded by the recorder, so the timeline names who recorded what.
      await openLot(page, 'SL-2023-B07-08');
      await agroInput(page, '多菌灵可湿性粉剂', '0.1');
      await page.getByTestId('lot-page').waitFor();
      await page.getByTestId('timeline').getByText('多菌灵可湿性粉剂').waitFor();
      await shot(page, '03-lot');
      await shot(page, '04-lot-provenance-timeline', page.getByTestId('provenance'));

      await page.getByTestId('action-harvest').click();
      await page.getByTestId('input-lot').waitFor();
      await page.getByTestId('saved').waitFor({ state: 'detached' }); // the input's 已保存 has done its job
      await page.getByLabel('批号 (采收)').fill('SL-2026-H01');
      await page.getByLabel('产出数量').fill('1600');
      await page.getByLabel(/参龄/).fill('5');
      await shot(page, '05-harvest-form');

      // Offline: an over-draw (70,000 of the 60,000 plants), refused once sent; then an input that waits.
      await until(page, 'navigator.serviceWorker.controller !== null', 'the service worker controls the page');
      const lotUrl = page.url().replace(/\/harvest$/, '');
      await goOffline(context);
      await page.getByLabel(/^使用数量/).fill('70000');
      await page.getByTestId('save').click();
      await page.getByTestId('queued').waitFor();
      await page.getByTestId('lot-page').waitFor(); // the app moves to the lot the queued harvest will make
      await goOnline(context);
      await page.goto(`${base}/app/#/outbox`);
      await page.getByTestId('sync-now').click();
      await page.getByTestId('refusal').waitFor();
      await goOffline(context);
      await page.goto(lotUrl);
      await page.getByTestId('lot-page').waitFor();
      await agroInput(page, '腐熟农家肥', '1500');
      await page.getByTestId('queued').waitFor();
      await page.getByTestId('lot-page').waitFor();
      await page.goto(`${base}/app/#/outbox`);
      await page.getByTestId('outbox-summary').waitFor();
      await page.getByTestId('outbox-entry').nth(1).waitFor();
      await shot(page, '06-outbox');
      await goOnline(context);
    },
    { screenshot: true },
  );
}

async function processor(base: string) {
  await asPerson(base, 'yajiang.zhang', async (page) => {
    await openLot(page, 'SL-2024-H01');
    await page.getByTestId('action-process').click();
    await page.getByTestId('input-lot').waitFor();
    await page.getByLabel(/^批号/).fill('YJ-2026-HS-02');
    await page.getByLabel('产出数量').fill('15');
    // 红参: wash, steam 3 h at 100 °C, dry at 55 °C — the worked chain's steps.
    const steps = page.getByTestId('step');
    await page.getByRole('button', { name: '添加工序' }).click();
    await steps.nth(1).locator('select').first().selectOption('蒸');
    await page.locator('#p1-hours').fill('3');
    await page.locator('#p1-temperatureC').fill('100');
    await page.getByRole('button', { name: '添加工序' }).click();
    await steps.nth(2).locator('select').first().selectOption('干燥');
    await page.locator('#p2-temperatureC').fill('55');
    await shot(page, '07-processing-form', page.getByTestId('input-lot'));
    await shot(page, '08-processing-steps', steps.nth(1));
  });
}

/** The label sheet of the capsules; answers one of their codes for the consumer page. */
async function manufacturer(base: string): Promise<string> {
  let code = '';
  await asPerson(base, 'songhe.liu', async (page) => {
    await openLot(page, 'SH-2412-01');
    await page.getByTestId('action-codes').click();
    const first = page.getByTestId('label-sheet').locator('img').first();
    await first.waitFor();
    code = (await first.getAttribute('alt')) ?? '';
    await shot(page, '09-label-sheet', page.getByTestId('label-sheet'));
  });
  if (!code) fail('the label sheet showed no code');
  return code;
}

async function lab(base: string) {
  await asPerson(base, 'thjc.zhao', async (page) => {
    await page.getByRole('link', { name: '委托我检验的批次' }).click();
    await page.getByTestId('lab-lots').getByText('YJ-2024-SSS-01').click();
    await page.getByLabel('报告编号').fill('THJC-2026-1202');
    for (const [i, { analyte, value, unit }] of WORKED_LAB_RESULTS.entries()) {
      if (i > 0) await page.getByRole('button', { name: '添加项目' }).click();
      const item = page.getByTestId('lab-item').nth(i);
      await item.locator('select').first().selectOption(analyte);
      await item.getByLabel('结果').fill(value);
      await item.getByLabel('单位').selectOption(unit);
    }
    await page.getByTestId('save').click();
    await page.getByTestId('report-verdict').waitFor();
    await shot(page, '13-lab-verdict');
  });
}

async function consumer(base: string, code: string) {
  const context = await launchChromium();
  context.setDefaultTimeout(TIMEOUT_MS);
  try {
    const page = await context.newPage();
    await page.goto(`${base}/q/${encodeURIComponent(code)}`);
    await shot(page, '10-scan-zh');
    await shot(page, '11-scan-zh-tests-certificates', page.locator('section').filter({ hasText: '检验结果' }));
    await page.goto(`${base}/q/${encodeURIComponent(code)}?lang=en`);
    await shot(page, '12-scan-en');
  } finally {
    await context.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  if (!hasChromium()) fail(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  // Without a CJK font every Chinese character is an empty box in the pictures.
  const cjk = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim();
  if (!cjk) fail('no Chinese font installed (apt-get install -y fonts-noto-cjk)');

  const dataDir = mkdtempSync(path.join(tmpdir(), 'herbtrace-screenshots-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let service: ChildProcess | undefined;
  try {
    console.log(`Service on ${base} with a temporary embedded database in ${dataDir}`);
    service = await startService(dataDir, port, base);
    await runDemo(dataDir, base);
    mkdirSync(OUT, { recursive: true });
    console.log(`Screenshots (360×740, ${CHROMIUM})`);
    await cooperative(base);
    await processor(base);
    const code = await manufacturer(base);
    // Before the lab's screen adds a report of today: the scan page shows each lot's latest, the worked one.
    await consumer(base, code);
    await lab(base);
  } finally {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bytes = written.reduce((n, f) => n + readFileSync(f).length, 0);
  console.log(`${written.length} screenshots, ${Math.round(bytes / 1024)} kB, in ${path.relative(ROOT, OUT)}/`);
}

main().catch((err: unknown) => {
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
