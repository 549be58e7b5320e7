import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page, type Request } from 'playwright-core';
import { creditCodeCheckCharacter, organizationCodeCheckCharacter } from '../src/lib/identifiers.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/support/chromium.js';
import { BENCH_ADMIN_TOKEN, scratchDatabase, startServer } from './setup.js';
import { median, percentile, printTable } from './stats.js';

// The launch settings of the browser tests (flags, the service worker's network events): one place for both.
const LOADS = Number(process.env.BENCH_LOADS ?? 7);
const HARVESTS = Number(process.env.BENCH_HARVESTS ?? 40);
const PASSWORD = 'bench field app phrase 2026';

/**
 * Chromium DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts, Fast3GConditions; renamed
 * "Slow 4G" in later DevTools with the same numbers): 1.6 Mbit/s down and 750 kbit/s up at 90 %, 562.5 ms of
 * latency. Bytes per second, as Network.emulateNetworkConditions takes them.
 */
export const FAST_3G = { offline: false, downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9, latency: 150 * 3.75 };
const CPU_SLOWDOWN = 4;
const BUDGET = { firstLoadBytes: 150 * 1000, interactiveMs: 3000, harvestP95Ms: 1000 };

function creditCode(): string {
  const body = '20261301';
  const first17 = `93220621${body}${organizationCodeCheckCharacter(body)}`;
  return `${first17}${creditCodeCheckCharacter(first17)}`;
}

interface Transfer {
  url: string;
  from: 'page' | 'worker';
  status: number;
  encoding: string;
  /** Headers and body as they came over the wire (the body compressed when it was). */
  bytes: number;
  /** The body once decoded. */
  decodedBytes: number;
  servedBy: 'network' | 'service worker' | 'cache';
}

/**
 * Every response a context receives, page's and service worker's, with its transfer size. Sizes are the
 * DevTools protocol's (Playwright's `sizes()` reads Network.loadingFinished's encodedDataLength and the raw
 * response headers); a response the page got from the service worker is not a network transfer (the worker's
 * own fetch, if any, is listed on its own).
 */
function recordTransfers(context: BrowserContext) {
  const transfers: Promise<Transfer | null>[] = [];
  const listener = (request: Request) => {
    transfers.push(
      (async () => {
        const response = await request.response();
        if (!response) return null;
        const sizes = await request.sizes();
        const fromWorker = response.fromServiceWorker();
        const body = fromWorker ? Buffer.alloc(0) : await response.body().catch(() => Buffer.alloc(0));
        const headers = await response.allHeaders();
        const onWire = sizes.responseHeadersSize + sizes.responseBodySize;
        return {
          url: new URL(request.url()).pathname,
          from: request.serviceWorker() ? 'worker' : 'page',
          status: response.status(),
          encoding: headers['content-encoding'] ?? '–',
          bytes: fromWorker ? 0 : onWire,
          decodedBytes: body.length,
          servedBy: fromWorker ? 'service worker' : onWire === 0 || sizes.responseHeadersSize <= 0 ? 'cache' : 'network',
        } satisfies Transfer;
      })().catch(() => null),
    );
  };
  context.on('requestfinished', listener);
  // Stops listening, then waits for what was seen (the context must still be open).
  return async () => {
    context.off('requestfinished', listener);
    return (await Promise.all(transfers)).filter((x): x is Transfer => x !== null);
  };
}

/** Bytes the service wrote to every socket: the network's own count, a check on the browser's. */
function socketBytes(server: { on(event: 'connection', listener: (socket: Socket) => void): unknown }) {
  const sockets = new Set<Socket>();
  let closed = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closed += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  return () => closed + [...sockets].reduce((n, s) => n + s.bytesWritten, 0);
}

async function throttle(cdp: CDPSession) {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

// Functions, not strings: Playwright evaluates a string predicate with eval, which the app's CSP refuses.
const workerInControl = (page: Page) => page.waitForFunction(() => (globalThis as any).navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });

/**
 * The page notes, on its own clock (ms since navigation start), when the sign-in form is in the document and
 * when the first keystroke typed into it is handled. Added through the DevTools protocol, which the app's CSP
 * (rightly) does not apply to.
 */
const INTERACTIVE_PROBE = `
  new MutationObserver(() => {
    if (!window.__formAt && document.querySelector('#root form input')) window.__formAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('input', () => { if (!window.__inputAt) window.__inputAt = performance.now(); }, true);
`;

export async function webappScenario(): Promise<void> {
  const onPostgres = process.env.BENCH_DB === 'postgres';
  // PostgreSQL only where the benchmark is told to go: the scratch database is made next to BENCH_DATABASE_URL.
  if (onPostgres && !process.env.BENCH_DATABASE_URL) throw new Error('BENCH_DB=postgres needs BENCH_DATABASE_URL (a cluster the benchmark may create databases in)');
  const database = onPostgres ? await scratchDatabase('webapp') : undefined;
  const dataDir = onPostgres ? undefined : mkdtempSync(path.join(os.tmpdir(), 'herbtrace-bench-webapp-'));
  const app = await startServer(database?.url, dataDir ?? 'memory://');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const admin = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const call = async (method: 'POST' | 'GET', url: string, payload?: unknown, headers: Record<string, string> = admin) => {
      const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    // A cooperative with a base, a seed lot planted into one bed of 150,000 plants, and a recorder who sets up
    // in the app; each harvest draws 100 plants of the bed.
    const org = await call('POST', '/v1/organizations', { name: '基准合作社', kinds: ['cooperative'], creditCode: creditCode(), regionCode: '220621' });
    const bearer = { authorization: `Bearer ${(await call('POST', `/v1/organizations/${org.id}/api-keys`, {})).key}` };
    await call('POST', `/v1/organizations/${org.id}/users`, { name: '业主', login: 'bench.owner', role: 'owner' });
    const recorder = await call('POST', `/v1/organizations/${org.id}/users`, { name: '记录员', login: 'bench.recorder', role: 'recorder' });
    const site = await call('POST', '/v1/sites', { kind: 'cultivation_base', name: '基准基地', regionCode: '220621', areaMu: 80 }, bearer);
    const seed = await call('POST', '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'BENCH-SD', siteId: site.id, quantity: { value: 40, unit: 'kg' }, producedAt: '2019-03-20T09:00:00+08:00' }, bearer);
    const bed = (
      await call('POST', '/v1/transformations', { occurredAt: '2021-04-15T08:00:00+08:00', inputs: [{ lotId: seed.id, quantity: { value: 40, unit: 'kg' } }], outputs: [{ stage: 'cultivation', lotNumber: 'BENCH-BED', quantity: { value: 150000, unit: 'plant' } }] }, bearer)
    ).outputs[0];
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const written = socketBytes(app.server);
    const appUrl = `${address}/app/`;

    // (a) First load, everything included: the shell, the session check, the worker and its precache.
    const first = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'allow' });
    const firstTransfers = recordTransfers(first);
    const page = await first.newPage();
    const before = written();
    await page.goto(appUrl);
    await page.getByLabel('账号').waitFor();
    await workerInControl(page);
    await page.waitForLoadState('networkidle');
    const serverBytes = written() - before;
    const loaded = await firstTransfers();

    // (b) Repeat load with the worker in control: which requests still reach the network.
    const repeatTransfers = recordTransfers(first);
    await page.reload();
    await page.getByLabel('账号').waitFor();
    await page.waitForLoadState('networkidle');
    const repeat = (await repeatTransfers()).filter((x) => x.servedBy === 'network');
    await first.close();

    // (c) Time to interactive, cold (new profile: no cache, no worker), Fast 3G and 4× CPU slowdown.
    const waterfall: [string, string, number, number][] = [];
    const loads: { formAt: number; inputAt: number; domContentLoaded: number; load: number }[] = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'allow' });
      const cold = await context.newPage();
      await throttle(await context.newCDPSession(cold));
      await cold.addInitScript(INTERACTIVE_PROBE);
      const requests: Request[] = [];
      if (i === 0) context.on('requestfinished', (r) => requests.push(r));
      await cold.goto(appUrl, { waitUntil: 'commit', timeout: 120_000 });
      // Typed the moment the form is there: the keystroke is handled once the page responds to input.
      await cold.getByLabel('账号').pressSequentially('b', { timeout: 120_000 });
      await cold.waitForFunction(() => (globalThis as any).__inputAt > 0);
      await cold.waitForLoadState('load');
      loads.push(
        (await cold.evaluate(`(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return { formAt: window.__formAt, inputAt: window.__inputAt, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
        })()`)) as (typeof loads)[number],
      );
      if (i === 0) {
        // The first cold load's waterfall: when each request started and ended, ms after the shell's.
        const start = requests.find((r) => r.url() === appUrl)?.timing().startTime ?? 0;
        for (const r of requests) {
          const timing = r.timing();
          waterfall.push([new URL(r.url()).pathname, r.serviceWorker() ? 'worker' : 'page', timing.startTime - start, timing.startTime - start + timing.responseEnd]);
        }
      }
      await context.close();
    }

    // (d) Recording a harvest online, unthrottled: tap on 保存 to the confirmation on the new lot's page.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'allow' });
    const phone = await context.newPage();
    await phone.goto(`${appUrl}#/setup`);
    await phone.getByLabel('账号').fill('bench.recorder');
    await phone.getByLabel('设置码').fill(recorder.setupCode);
    await phone.getByLabel('设置密码（至少 8 位）').fill(PASSWORD);
    await phone.getByLabel('再次输入密码').fill(PASSWORD);
    await phone.getByRole('button', { name: '完成设置' }).click();
    await phone.getByText('BENCH-BED').first().waitFor();
    await workerInControl(phone);
    const confirmations: number[] = [];
    const lotPages: number[] = [];
    for (let i = 0; i < HARVESTS; i++) {
      await phone.goto(`${appUrl}#/lot/${bed.id}/harvest`);
      await phone.getByTestId('input-lot').waitFor();
      await phone.getByLabel(/^使用数量/).fill('100');
      const lotNumber = `BENCH-H${String(i).padStart(3, '0')}`;
      await phone.getByLabel('批号 (采收)').fill(lotNumber);
      await phone.getByLabel('产出数量').fill('25');
      await phone.getByLabel(/参龄/).fill('6');
      // The page's clock: from the click event's time stamp to the confirmation (已保存 on the new lot's page,
      // which the form goes to once the server has answered), and to that page showing the lot's own data.
      await phone.evaluate(`void (window.__harvest = new Promise((resolve) => {
        let clicked, confirmed;
        document.querySelector('[data-testid=save]').addEventListener('click', (e) => { clicked = e.timeStamp; }, { capture: true, once: true });
        const check = () => {
          if (clicked === undefined) return;
          const onLot = /^#\\/lot\\/[^/]+$/.test(location.hash) && !location.hash.endsWith(${JSON.stringify(encodeURIComponent(bed.id))});
          if (confirmed === undefined && onLot && document.querySelector('[data-testid=saved]')) confirmed = performance.now() - clicked;
          const h1 = document.querySelector('header h1');
          if (confirmed !== undefined && h1 && h1.textContent.includes(${JSON.stringify(lotNumber)})) {
            observer.disconnect();
            resolve({ confirmed, lotPage: performance.now() - clicked });
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document, { childList: true, subtree: true, characterData: true });
        window.addEventListener('hashchange', check);
      }))`);
      await phone.getByTestId('save').click();
      const { confirmed, lotPage } = (await phone.evaluate('window.__harvest')) as { confirmed: number; lotPage: number };
      confirmations.push(confirmed);
      lotPages.push(lotPage);
    }
    const bedAfter = await call('GET', `/v1/lots/${bed.id}`, undefined, bearer);
    await context.close();

    // The report.
    const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
    console.log(`\nfirst load of /app/ (new profile, unthrottled), every response (page and service worker):\n`);
    printTable(
      ['url', 'from', 'status', 'encoding', 'transferred B', 'decoded B'],
      loaded
        .filter((x) => x.servedBy !== 'service worker')
        .sort((a, b) => b.bytes - a.bytes)
        .map((x) => [x.url, x.from, x.status, x.encoding, String(x.bytes), String(x.decodedBytes)]),
    );
    const firstBytes = loaded.reduce((n, x) => n + x.bytes, 0);
    console.log(`\ntotal ${kb(firstBytes)} in ${loaded.filter((x) => x.servedBy === 'network').length} network responses; the service wrote ${kb(serverBytes)} to its sockets`);
    console.log(`\nrepeat load (worker in control): ${repeat.length} network requests: ${repeat.map((x) => `${x.from} ${x.url} ${x.status} ${x.bytes} B`).join(', ') || 'none'}`);
    const shellRepeat = repeat.filter((x) => !x.url.startsWith('/v1/'));
    const tti = loads.map((l) => l.inputAt);
    console.log(`\ncold loads (Fast 3G ${FAST_3G.downloadThroughput} B/s down, ${FAST_3G.uploadThroughput} B/s up, ${FAST_3G.latency} ms; CPU ${CPU_SLOWDOWN}× slower), ms since navigation start:`);
    printTable(
      ['load', 'form rendered', 'keystroke handled', 'DOMContentLoaded', 'load event'],
      loads.map((l, i) => [String(i + 1), l.formAt, l.inputAt, l.domContentLoaded, l.load]),
    );
    if (process.env.BENCH_WATERFALL) {
      console.log('\nwaterfall of the first cold load (ms after the shell request started):\n');
      printTable(['url', 'from', 'started', 'ended'], waterfall.sort((a, b) => a[2] - b[2]));
    }
    const sortedConfirm = [...confirmations].sort((a, b) => a - b);
    const sortedLot = [...lotPages].sort((a, b) => a - b);
    console.log(`\nharvests recorded online: ${HARVESTS}; the bed's remaining quantity now ${JSON.stringify(bedAfter.remaining ?? bedAfter.lot?.remaining ?? '?')}`);
    console.log(`\nfield app budgets (${onPostgres ? 'PostgreSQL' : 'PGlite, temporary data directory'}):\n`);
    const yes = (ok: boolean) => (ok ? 'met' : '**not met**');
    printTable(
      ['measure', 'value', 'budget', ''],
      [
        ['first load of /app/, transferred', kb(firstBytes), '≤ 150 kB', yes(firstBytes <= BUDGET.firstLoadBytes)],
        ['repeat load: shell requests to the network', String(shellRepeat.length), '0', yes(shellRepeat.length === 0)],
        [`interactive, cold, Fast 3G + 4× CPU (median of ${LOADS})`, `${Math.round(median(tti))} ms`, '≤ 3000 ms', yes(median(tti) <= BUDGET.interactiveMs)],
        [`interactive, slowest of ${LOADS}`, `${Math.round(Math.max(...tti))} ms`, '', ''],
        [`sign-in form rendered, cold (median of ${LOADS})`, `${Math.round(median(loads.map((l) => l.formAt)))} ms`, '', ''],
        [`harvest: tap → confirmation p50 (${HARVESTS})`, `${Math.round(percentile(sortedConfirm, 50))} ms`, '', ''],
        [`harvest: tap → confirmation p95 (${HARVESTS})`, `${Math.round(percentile(sortedConfirm, 95))} ms`, '≤ 1000 ms', yes(percentile(sortedConfirm, 95) <= BUDGET.harvestP95Ms)],
        [`harvest: tap → lot page with its data p95`, `${Math.round(percentile(sortedLot, 95))} ms`, '', ''],
      ],
    );
  } finally {
    await browser.close();
    await app.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
