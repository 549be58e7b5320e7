import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { creditCodeCheckCharacter, organizationCodeCheckCharacter } from '../src/lib/identifiers.js';
import { ARGON2 } from '../src/modules/people/passwords.js';
import { BENCH_ADMIN_TOKEN, runLoad, scratchDatabase, startServer, type LoadResult } from './setup.js';
import { percentile, printTable } from './stats.js';

const USERS = Number(process.env.BENCH_USERS ?? 50);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 8000);
const BURST = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const PASSWORD = 'bench login phrase 2026';

/** A valid 统一社会信用代码 of a cooperative (93) in 抚松县. */
function creditCode(): string {
  const body = '20260001';
  const first17 = `93220621${body}${organizationCodeCheckCharacter(body)}`;
  return `${first17}${creditCodeCheckCharacter(first17)}`;
}

/**
 * Sign-in cost with the chosen argon2id parameters, and whether hashing blocks the event loop: logins one at a
 * time and in a burst of concurrent clients, then consumer resolves at a fixed rate alone and again while the
 * login burst runs beside them (two load processes at once). If hashing ran on the event loop, every resolve
 * queued behind a hash would show it in its p99.
 */
export async function loginScenario(): Promise<void> {
  const database = await scratchDatabase('login');
  const app = await startServer(database.url);
  const admin = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
  try {
    const call = async (method: 'POST' | 'GET', url: string, payload?: unknown, headers: Record<string, string> = admin) => {
      const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await call('POST', '/v1/organizations', { name: '基准合作社', kinds: ['cooperative'], creditCode: creditCode(), regionCode: '220621' });
    const key = (await call('POST', `/v1/organizations/${org.id}/api-keys`, {})).key as string;
    // The first member must be an owner; the benchmark signs in recorders (no second factor, as on a field phone).
    await call('POST', `/v1/organizations/${org.id}/users`, { name: '业主', login: 'bench.owner', role: 'owner' });
    const logins: string[] = [];
    const setupStarted = Date.now();
    for (let i = 0; i < USERS; i++) {
      const login = `bench.recorder.${i}`;
      const created = await call('POST', `/v1/organizations/${org.id}/users`, { name: `记录员${i}`, login, role: 'recorder' });
      await call('POST', '/v1/auth/setup', { login, setupCode: created.setupCode, password: PASSWORD }, {});
      logins.push(login);
    }
    console.log(`${USERS} recorders set up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);
    // Codes to resolve: one lot with 2,000 lot-level codes (the resolve path is the same).
    const bearer = { authorization: `Bearer ${key}` };
    const site = await call('POST', '/v1/sites', { kind: 'cultivation_base', name: '基准基地', regionCode: '220621' }, bearer);
    const lot = await call('POST', '/v1/lots', { stage: 'seed', speciesCode: 'renshen', lotNumber: 'BENCH-1', siteId: site.id, quantity: { value: 10, unit: 'kg' }, producedAt: '2025-04-01T08:00:00+08:00' }, bearer);
    const codes = (await call('POST', `/v1/lots/${lot.id}/codes`, { count: 2000, level: 'lot' }, bearer)).codes as { code: string }[];
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const loginPlan = (concurrency: number, durationMs: number) => ({
      url: `${address}/v1/auth/login`,
      headers: { 'user-agent': 'herbtrace-bench' },
      concurrency,
      durationMs,
      expectStatus: 200,
      body: { kind: 'login', logins, password: PASSWORD },
    });
    const resolvePlan = (durationMs: number) => ({
      url: address,
      headers: { accept: 'application/json', 'user-agent': 'herbtrace-bench' },
      concurrency: 256,
      durationMs,
      expectStatus: 200,
      body: { kind: 'getLoop', paths: codes.map((c) => `/q/${c.code}`), ratePerSec: RATE },
    });
    await runLoad(loginPlan(1, 1000)); // warm-up
    await runLoad(resolvePlan(1000));
    // The server's event-loop delay in each phase: a hash on the loop would show as a delay of its whole duration.
    const loopDelay = new Map<string, { p99: number; max: number }>();
    async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      try {
        return await work();
      } finally {
        h.disable();
        loopDelay.set(name, { p99: h.percentile(99) / 1e6, max: h.max / 1e6 });
      }
    }
    const sequential = await phase('sequential', () => runLoad(loginPlan(1, ROUND_MS)));
    const burst = await phase('burst', () => runLoad(loginPlan(BURST, ROUND_MS)));
    const resolveAlone = await phase('resolve', () => runLoad(resolvePlan(ROUND_MS)));
    const [resolveDuringBurst, burstBeside] = await phase('both', () => Promise.all([runLoad(resolvePlan(ROUND_MS)), runLoad(loginPlan(BURST, ROUND_MS))]));

    const row = (name: string, r: LoadResult, phaseName: string) => {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      const loop = loopDelay.get(phaseName)!;
      return [name, sorted.length, sorted.length / (r.elapsedMs / 1000), percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), r.errors, loop.p99, loop.max];
    };
    const [sessions] = (await app.database.db.execute(sql`select count(*)::int as n from sessions`)) as unknown as { n: number }[];
    console.log(
      `\nlogin benchmark on PostgreSQL: argon2id m=${ARGON2.memoryCost} KiB, t=${ARGON2.timeCost}, p=${ARGON2.parallelism}; ${USERS} recorders; rounds of ${ROUND_MS / 1000} s; ` +
        `burst = ${BURST} concurrent clients; resolves open loop at ${RATE}/s; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}\n`,
    );
    printTable(
      ['load', 'requests', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'loop delay p99 ms', 'loop delay max ms'],
      [
        row('POST /v1/auth/login, one at a time', sequential, 'sequential'),
        row(`POST /v1/auth/login, ${BURST} concurrent`, burst, 'burst'),
        row(`GET /q/{code} at ${RATE}/s, alone`, resolveAlone, 'resolve'),
        row(`GET /q/{code} at ${RATE}/s, during the login burst`, resolveDuringBurst, 'both'),
        row(`POST /v1/auth/login, ${BURST} concurrent, beside the resolves`, burstBeside, 'both'),
      ],
    );
    const p99 = (r: LoadResult) => percentile([...r.latencies].sort((a, b) => a - b), 99);
    console.log(`\nresolve p99 during the burst / alone: ${(p99(resolveDuringBurst) / p99(resolveAlone)).toFixed(2)}; sessions stored: ${sessions?.n ?? '?'}`);
  } finally {
    await app.close();
    await database.drop();
  }
}
