// Debian's Chromium driven by playwright-core: its launch settings in one place, for the browser tests
// (tests/support/browser.ts) and the README's screenshots (scripts/screenshots.ts).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

// Without this Playwright does not see (or abort) a service worker's own requests: an offline test would
// pass through the worker's network fetches.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

// Without the background-networking flags Chromium opens connections that this closed network refuses. Exported
// for whatever else launches it (a benchmark that needs a plain browser rather than a persistent profile).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchOptions {
  width?: number;
  height?: number;
  locale?: string;
  timezoneId?: string;
}

export type Chromium = BrowserContext & { userDataDir: string; dispose: () => Promise<void> };

/**
 * A persistent profile (service worker, IndexedDB and cookies survive reloads) at a phone's 360×740 in Chinese
 * and Beijing time unless told otherwise; `dispose` closes it and removes the profile.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Chromium> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'herbtrace-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 360, height: options.height ?? 740 },
    locale: options.locale ?? 'zh-CN',
    timezoneId: options.timezoneId ?? 'Asia/Shanghai',
    serviceWorkers: 'allow',
  });
  const dispose = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return Object.assign(context, { userDataDir, dispose });
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
