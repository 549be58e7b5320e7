import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryPrepared, queryRows, type Database } from '../src/db/client.js';
import { CPU_COLUMNS, cpuCells, cpuPerRequest, measuredLoad, type MeasuredLoad } from './cpu.js';
import { generateChain, sampleIds, shapeFor } from './generate-chain.js';
import { runLoad, scratchDatabase, startServer } from './setup.js';
import { median, percentile, printTable } from './stats.js';

const CODES = Number(process.env.BENCH_CODES ?? 1_000_000);
/** Product batches the codes belong to: 40,000 boxes each, like the worked chain's capsules. */
const CODE_LOTS = Number(process.env.BENCH_CODE_LOTS ?? 25);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 8000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PATHS = 50_000;
/** Connections of the service's pool (src/db/client.ts). */
const POOL_SIZE = 10;

const codeOf = (i: number) => createHash('md5').update(`code${i}`).digest('hex').slice(0, 16);

/**
 * Consumer resolves on PostgreSQL: 1,000,000 unit codes (set-based SQL) of product lots with ≈ 1,600
 * ancestors each; `GET /q/{code}` as JSON (lookup, scan window, scan insert, consumer projection) against a bare
 * Fastify route doing one indexed lookup on the same table, in alternating rounds from a separate process; then
 * the resolve route alone at a fixed request rate.
 */
export async function resolveScenario(): Promise<void> {
  const database = await scratchDatabase('resolve');
  const app = await startServer(database.url);
  try {
    app.get('/bench/code/:code', { config: { auth: 'public' } }, async (request) => {
      const { code } = request.params as { code: string };
      // Prepared like the resolve's own statement, so the floor is the best one lookup does on this stack.
      const [row] = await queryPrepared<{ lot_id: string; level: string }>(app.database.read, sql`select lot_id, level from codes where code = ${code}`);
      return { lotId: row?.lot_id ?? null, level: row?.level ?? null };
    });
    const shape = shapeFor(Number(process.env.BENCH_LOTS ?? 20_000));
    console.log(`generating a chain of ${JSON.stringify(shape)}`);
    await generateChain(app.database.db, shape, (m) => console.log(m));
    const lots = sampleIds('P', CODE_LOTS, shape.products);
    const started = Date.now();
    await app.database.db.execute(sql`insert into codes (code, lot_id, level, issued_by, event_id)
      select substr(md5('code' || i), 1, 16), l.id, 'unit', l.producer_id, 'evt_bench'
      from generate_series(1, ${CODES}::int) i
      join (select id, producer_id, row_number() over (order by id) - 1 as k from lots where id = any(${`{${lots.join(',')}}`}::text[])) l
        on l.k = i % ${CODE_LOTS}`);
    await app.database.db.execute(sql`vacuum analyze codes`);
    console.log(`${CODES.toLocaleString()} codes over ${CODE_LOTS} product lots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    // Random codes, so each scan counts against its own code (a few scans each, as on real shelves).
    const indexes = Array.from({ length: PATHS }, () => 1 + Math.floor(Math.random() * CODES));
    const paths = { bare: indexes.map((i) => `/bench/code/${codeOf(i)}`), resolve: indexes.map((i) => `/q/${codeOf(i)}`) };
    const headers = { accept: 'application/json', 'user-agent': 'herbtrace-bench' };
    const plan = (kind: 'bare' | 'resolve', durationMs: number, ratePerSec?: number) => ({
      url: address,
      headers,
      concurrency: ratePerSec ? 256 : CONCURRENCY,
      durationMs,
      expectStatus: 200,
      body: { kind: 'getLoop', paths: paths[kind], ...(ratePerSec ? { ratePerSec } : {}) },
    });

    await runLoad(plan('bare', 2000));
    await runLoad(plan('resolve', 2000));
    // Each measured run with the CPU it cost the service and the database (bench/cpu.ts).
    const results: { bare: MeasuredLoad[]; resolve: MeasuredLoad[] } = { bare: [], resolve: [] };
    for (let round = 0; round < ROUNDS; round++) {
      results.bare.push(await measuredLoad(app.database.db, plan('bare', ROUND_MS)));
      results.resolve.push(await measuredLoad(app.database.db, plan('resolve', ROUND_MS)));
    }
    const fixed = await measuredLoad(app.database.db, plan('resolve', ROUND_MS, RATE));

    const summarise = (runs: MeasuredLoad[]) => {
      const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
      return {
        requests: all.length,
        throughput: median(runs.map((r) => r.latencies.length / (r.elapsedMs / 1000))),
        p50: percentile(all, 50),
        p99: percentile(all, 99),
        errors: runs.reduce((s, r) => s + r.errors, 0),
        firstError: runs.find((r) => r.firstError)?.firstError,
        cpu: cpuPerRequest(runs),
      };
    };
    const bare = summarise(results.bare);
    const resolve = summarise(results.resolve);
    const rate = summarise([fixed]);
    const [scans] = await queryRows<{ n: number }>(app.database.db, sql`select count(*)::int as n from code_scans`);
    const plans = await scanStatementPlans(app.database.db);
    console.log(
      `\nresolve benchmark on PostgreSQL: ${CODES.toLocaleString()} codes over ${CODE_LOTS} product lots (${shape.products} products in a chain of ` +
        `${Object.values(shape).reduce((a, b) => a + b, 0) - shape.inputsPerProduct} lots); ${CONCURRENCY} concurrent clients, ${ROUNDS} alternating rounds of ` +
        `${ROUND_MS / 1000} s (throughput: median of rounds); then ${RATE} req/s for ${ROUND_MS / 1000} s; ${Number(scans?.n ?? 0).toLocaleString()} scans recorded\n`,
    );
    printTable(
      ['endpoint', 'requests', 'throughput /s', 'p50 ms', 'p99 ms', 'errors', ...CPU_COLUMNS],
      [
        ['GET /bench/code/{code} (one indexed lookup)', bare.requests, bare.throughput, bare.p50, bare.p99, bare.errors, ...cpuCells(bare.cpu)],
        ['GET /q/{code} JSON (resolve + scan)', resolve.requests, resolve.throughput, resolve.p50, resolve.p99, resolve.errors, ...cpuCells(resolve.cpu)],
        ['ratio resolve / bare', '', resolve.throughput / bare.throughput, resolve.p50 / bare.p50, resolve.p99 / bare.p99, '', resolve.cpu.serviceUs / bare.cpu.serviceUs, '', ''],
        [`GET /q/{code} at a fixed ${RATE} req/s`, rate.requests, rate.requests / (ROUND_MS / 1000), rate.p50, rate.p99, rate.errors, ...cpuCells(rate.cpu)],
      ],
    );
    if (plans) {
      console.log(
        `\nscan statements: ${plans.executions.toLocaleString()} executions, ${plans.custom.toLocaleString()} planned for their parameters ` +
          `(custom plans, ≈ 0.3–0.6 ms of database CPU more each; the rest ran PostgreSQL's cached generic plan)`,
      );
    }
    for (const [name, r] of [['bare', bare], ['resolve', resolve], ['fixed rate', rate]] as const) {
      if (r.firstError) console.log(`first error (${name}): ${r.firstError}`);
    }
  } finally {
    await app.close();
    await database.drop();
  }
}

/**
 * How often the pool's connections ran the scan statements with a plan made for the call's parameters (a custom
 * plan) rather than the cached generic one: PostgreSQL decides per connection and changes its mind when the
 * statistics of code_scans change, and a run that plans every batch costs the database twice as much
 * (bench/README.md). Read from every connection of the pool (pg_prepared_statements is per session); undefined on
 * a client without reserve().
 */
async function scanStatementPlans(db: Database): Promise<{ executions: number; custom: number } | undefined> {
  const client = (db as unknown as { $client?: { reserve?: () => Promise<{ unsafe: (q: string) => Promise<Record<string, unknown>[]>; release: () => void }> } }).$client;
  if (!client?.reserve) return undefined;
  const connections = await Promise.all(Array.from({ length: POOL_SIZE }, () => client.reserve!()));
  let executions = 0;
  let custom = 0;
  try {
    for (const c of connections) {
      for (const r of await c.unsafe(`select generic_plans, custom_plans from pg_prepared_statements where statement like 'with input as materialized%'`)) {
        executions += Number(r.generic_plans) + Number(r.custom_plans);
        custom += Number(r.custom_plans);
      }
    }
  } finally {
    for (const c of connections) c.release();
  }
  return { executions, custom };
}
