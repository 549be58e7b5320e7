import tap, { type Test } from 'tap';
import { buildApp, type AppConfig } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { organizationCodeCheckCharacter, creditCodeCheckCharacter } from '../../src/lib/identifiers.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { createTestDatabase } from './databases.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_SECRET_KEY = '7e57'.repeat(16);

// Defaults come from loadConfig on an empty environment, so a new setting needs no change here.
export const testConfig = (overrides: Partial<AppConfig> = {}): AppConfig => ({
  ...loadConfig({}),
  port: 0,
  dataDir: 'memory://',
  adminToken: ADMIN_TOKEN,
  secretKey: TEST_SECRET_KEY,
  publicBaseUrl: 'https://trace.example.cn',
  logLevel: 'silent',
  publicRateLimitPerMinute: 10_000,
  // No verifiable-log timer: a sequencing step every 200 ms would interleave its statements with a test's own
  // (tests that record statements or time them saw it) and cost CPU in every file. Log tests run the steps they
  // need, or set a period (tests/log-race.test.ts).
  logSequenceIntervalMs: 0,
  ...overrides,
});

export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let creditCodeCounter = 0;
/** A valid 统一社会信用代码 for a 农民专业合作社 (93) or enterprise (91) in the given region. */
export function makeCreditCode(region = '220621', category = '91'): string {
  creditCodeCounter++;
  // The process and a counter, not chance: a random part met an earlier one of the same file's database now and
  // then (1 in 10^5 per pair, and a file registers dozens). Unique for 100,000 codes per process.
  const body = `${process.pid % 1000}`.padStart(3, '0') + `${creditCodeCounter % 100_000}`.padStart(5, '0');
  const first17 = `${category}${region}${body}${organizationCodeCheckCharacter(body)}`;
  return `${first17}${creditCodeCheckCharacter(first17)}`;
}

let fileDatabasePromise: Promise<DatabaseHandle> | undefined;

/**
 * One migrated database for the whole test file, removed when the file ends. Starting a database is the
 * larger part of a setupApp: a file that builds several apps (other settings, chains of their own) and needs
 * no empty database for each passes this one to them, `setupApp(t, overrides, { database: await fileDatabase() })`.
 */
export function fileDatabase(): Promise<DatabaseHandle> {
  fileDatabasePromise ??= createTestDatabase().then(({ handle, dispose }) => {
    tap.teardown(async () => {
      // In a test host the next file is in this process too, and needs a database of its own.
      fileDatabasePromise = undefined;
      await dispose();
    });
    return handle;
  });
  return fileDatabasePromise;
}

/**
 * A migrated app for one test file, on a database of its own (or on `database`, which it then leaves open);
 * closed, and its own database removed, when the test ends.
 */
export async function setupApp(t: Test, overrides: Partial<AppConfig> = {}, options: { database?: DatabaseHandle } = {}) {
  const own = options.database ? undefined : await createTestDatabase();
  const handle = options.database ?? own!.handle;
  const app = await buildApp({ config: testConfig(overrides), database: handle, logger: false });
  t.teardown(async () => {
    await app.close();
    await own?.dispose();
  });

  /** Registers an organisation through the API and gives it a key. */
  async function createOrganization(body: Record<string, unknown> = {}) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: adminHeaders,
      payload: { name: '测试组织', kinds: ['cooperative'], creditCode: makeCreditCode(), regionCode: '220621', ...body },
    });
    if (res.statusCode !== 201) throw new Error(`creating an organisation failed: ${res.statusCode} ${res.body}`);
    const organization = res.json() as { id: string; name: string; kinds: string[] };
    const keyRes = await app.inject({ method: 'POST', url: `/v1/organizations/${organization.id}/api-keys`, headers: adminHeaders, payload: {} });
    if (keyRes.statusCode !== 201) throw new Error(`creating a key failed: ${keyRes.statusCode} ${keyRes.body}`);
    const key = (keyRes.json() as { key: string }).key;
    return { organization, key, headers: bearer(key) };
  }

  return { app, database: handle, createOrganization };
}
