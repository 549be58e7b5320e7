// Debian's Chromium driven by playwright-core, for the browser tests. CI installs it (.ci/run) and fails
// without it; on a machine without it the tests are skipped, visibly, rather than passed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
if (process.env.CI && !existsSync(CHROMIUM)) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} for the browser tests`);
/** `skip` option of a browser test: false when Chromium is there, the reason otherwise. */
export const noBrowser = existsSync(CHROMIUM) ? false : `chromium not installed at ${CHROMIUM} (apt-get install -y chromium)`;

// Without this Playwright does not see (or abort) a service worker's own requests: an offline test would
// pass through the worker's network fetches.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

// Without the background-networking flags Chromium opens connections that this closed network refuses.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A persistent profile (service worker, IndexedDB and cookies survive reloads), removed at teardown. */
export async function launchBrowser(t: Test, options: { width?: number; height?: number; locale?: string; timezoneId?: string } = {}): Promise<BrowserContext & { userDataDir: string }> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'herbtrace-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: options.width ?? 360, height: options.height ?? 740 },
    locale: options.locale ?? 'zh-CN',
    timezoneId: options.timezoneId ?? 'Asia/Shanghai',
    serviceWorkers: 'allow',
  });
  t.teardown(async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });
  return Object.assign(context, { userDataDir });
}

/**
 * Cut the network: the page's requests, and (with the flag above) the service worker's. `setOffline` alone
 * leaves the worker's fetches through.
 */
export async function goOffline(context: BrowserContext) {
  await context.setOffline(true);
  await context.route('**/*', (route) => route.abort('internetdisconnected'));
}

export async function goOnline(context: BrowserContext) {
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await context.setOffline(false);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (ids and the first offending nodes). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses an injected inline script.
  await page.evaluate(axeSource);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
