// What the web app's browser tests share: a cooperative with a base, a seed lot and members (an owner set up
// through the API, a recorder and a lab owner who set themselves up in the app), and steps through the app.
import type { Test } from 'tap';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { events } from '../../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './app.js';
import { chainClient, kg } from './chain.js';
import { GOOD_PASSWORD, peopleClient } from './people.js';

/** The few browser globals the tests' page functions touch (the test code is compiled without the DOM library). */
export interface Browser {
  navigator: { serviceWorker: { controller: unknown } };
  document: { querySelector(selector: string): { value: string } | null };
  dispatchEvent(event: unknown): boolean;
  Event: new (type: string) => unknown;
}

export async function world(t: Test) {
  const setup = await setupApp(t);
  const { app, createOrganization } = setup;
  const c = chainClient(app);
  const people = peopleClient(app);
  const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative'], regionCode: '220621', creditCode: makeCreditCode('220621', '93') });
  const lab = await createOrganization({ name: '通化长白山中药材质量检测有限公司', kinds: ['lab'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80, location: { lat: 42.33, lon: 127.27 } });
  const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'JL-JY-RS-SD-2018', siteId: base.id, quantity: kg(40), producedAt: '2019-03-20T09:00:00+08:00' });
  // The owner is set up through the API (TOTP); the recorder and the analyst set themselves up in the app.
  const owner = await people.firstOwner(coop.organization.id, 'songling.owner', '王社长');
  const recorder = await people.createMember(owner.session.headers, coop.organization.id, { name: '李记录', login: 'songling.li', role: 'recorder' });
  const analyst = await people.createMember(adminHeaders, lab.organization.id, { name: '赵化验', login: 'lab.zhao', role: 'owner' });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const eventCount = async () => (await setup.database.db.select({ id: events.id }).from(events)).length;
  return { ...setup, c, coop, lab, base, seed, owner, recorder, analyst, address, eventCount };
}

/** First-time setup in the app: login, setup code, password twice; lands on the home screen. */
export async function setUpInApp(page: Page, address: string, login: string, setupCode: string) {
  await page.goto(`${address}/app/#/setup`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('设置码').fill(setupCode);
  await page.getByLabel('设置密码（至少 8 位）').fill(GOOD_PASSWORD);
  await page.getByLabel('再次输入密码').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: '完成设置' }).click();
  await page.getByTestId('my-lots').or(page.getByText('暂无批次')).first().waitFor();
}

/** The service worker controls the page (needed before the network is cut). */
export async function workerInControl(page: Page) {
  // A function, not a string: Playwright evaluates a string predicate with eval, which the app's CSP forbids.
  await page.waitForFunction(() => (globalThis as unknown as Browser).navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
}

export async function openLot(page: Page, lotNumber: string) {
  await page.goto(page.url().split('#')[0] + '#/');
  await page.getByTestId('lot-row').filter({ hasText: lotNumber }).click();
  await page.getByTestId('lot-page').waitFor();
}

export const eventsOf = async (w: Awaited<ReturnType<typeof world>>, type: string) =>
  w.database.db.select({ id: events.id, data: events.data }).from(events).where(and(eq(events.type, type), eq(events.organizationId, w.coop.organization.id)));


/**
 * After a save: wait for the confirmation. When something else appears instead (a refusal, a field's error,
 * "queued"), fail at once with what the screen says, so a failure names its cause instead of a bare timeout.
 */
export async function expectSaved(page: Page, timeout = 30_000) {
  const outcome = page.locator('[data-testid=saved], [data-testid=queued], [data-testid=refusal], .field-error').first();
  try {
    await outcome.waitFor({ timeout });
  } catch (error) {
    throw new Error(`no outcome within ${timeout} ms on ${page.url()}; the screen says: ${(await page.locator('body').innerText()).slice(0, 600)}`, { cause: error });
  }
  if ((await outcome.getAttribute('data-testid')) !== 'saved') throw new Error(`not saved on ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 600)}`);
}

/** What holdRequests adds to the page's globals (the test code is compiled without the DOM library). */
interface HeldRequests {
  fetch: (...args: unknown[]) => Promise<unknown>;
  location: { href: string };
  heldRequests: number;
  releaseHeldRequests?: () => void;
}

/**
 * Holds the page's requests to paths matching `path` (a RegExp source), of `method` if given (all of them, or only
 * the first with `onlyFirst`), until `release()`: the page's fetch is wrapped, and put back on release. Hash
 * navigations keep the document, so the hold lasts across the app's screens.
 */
export async function holdRequests(page: Page, which: { path: string; method?: string; onlyFirst?: boolean }) {
  await page.evaluate((which) => {
    const g = globalThis as unknown as HeldRequests;
    const original = g.fetch;
    const gate = new Promise<void>((resolve) => (g.releaseHeldRequests = resolve));
    const pattern = new RegExp(which.path);
    g.heldRequests = 0;
    g.fetch = async (...args: unknown[]) => {
      const [url, init] = args as [string, { method?: string } | undefined];
      const matches = pattern.test(new URL(String(url), g.location.href).pathname) && (!which.method || (init?.method ?? 'GET') === which.method);
      if (matches && (!which.onlyFirst || g.heldRequests === 0)) {
        g.heldRequests++;
        await gate;
      }
      return original(...args);
    };
    void gate.then(() => (g.fetch = original));
  }, which);
  return {
    /** Until at least one request is held. */
    waitUntilHeld: (timeout = 10_000) => page.waitForFunction(() => (globalThis as unknown as HeldRequests).heldRequests > 0, undefined, { timeout }),
    release: () => page.evaluate(() => (globalThis as unknown as HeldRequests).releaseHeldRequests!()),
  };
}
