// Debian's Chromium driven by playwright-core, for the browser tests. CI installs it (.ci/run) and fails
// without it; on a machine without it the tests are skipped, visibly, rather than passed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Test } from 'tap';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, type LaunchOptions } from './chromium.js';

export { CHROMIUM, goOffline, goOnline } from './chromium.js';

if (process.env.CI && !hasChromium()) throw new Error(`CI needs Debian's chromium at ${CHROMIUM} for the browser tests`);
/** `skip` option of a browser test: false when Chromium is there, the reason otherwise. */
export const noBrowser = hasChromium() ? false : `chromium not installed at ${CHROMIUM} (apt-get install -y chromium)`;

/** A persistent profile (service worker, IndexedDB and cookies survive reloads), removed at teardown. */
export async function launchBrowser(t: Test, options: LaunchOptions = {}): Promise<BrowserContext & { userDataDir: string }> {
  const context = await launchChromium(options);
  t.teardown(context.dispose);
  return context;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (ids and the first offending nodes). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses an injected inline script.
  await page.evaluate(axeSource);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}
