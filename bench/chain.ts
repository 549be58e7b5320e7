import { sql } from 'drizzle-orm';
import { BENCH_ADMIN_TOKEN, runLoad, scratchDatabase, startServer } from './setup.js';
import { CPU_COLUMNS, cpuCells, cpuPerRequest, measuredLoad, type MeasuredLoad } from './cpu.js';
import { median, percentile, printTable } from './stats.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * Transformations with 2 inputs and 2 outputs each, through HTTP on PostgreSQL, against a plain endpoint
 * that inserts one row, with the same authentication, in alternating rounds of the same run.
 */
export async function chainScenario(): Promise<void> {
  const database = await scratchDatabase('chain');
  const app = await startServer(database.url);
  try {
    await app.database.db.execute(sql`create table bench_plain (id text primary key, payload jsonb not null, created_at timestamptz not null default now())`);
    app.post(
      '/bench/plain-insert',
      { config: { auth: 'organization' }, schema: { body: { type: 'object', required: ['id', 'payload'], properties: { id: { type: 'string' }, payload: { type: 'object' } } } } },
      async (request, reply) => {
        const body = request.body as { id: string; payload: unknown };
        await app.database.db.execute(sql`insert into bench_plain (id, payload) values (${body.id}, ${JSON.stringify(body.payload)}::jsonb)`);
        return reply.code(201).send({ id: body.id });
      },
    );
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    // One organisation, one site and a pair of big seed lots per worker, so workers never wait on each other's locks.
    const admin = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const org = await app.inject({ method: 'POST', url: '/v1/organizations', headers: admin, payload: { name: '基准测试种苗场', kinds: ['seed_producer'], creditCode: '9144030071526726XG', regionCode: '220622' } });
    const orgId = org.json<{ id: string }>().id;
    const key = (await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/api-keys`, headers: admin, payload: {} })).json<{ key: string }>().key;
    const headers = { authorization: `Bearer ${key}` };
    const site = (await app.inject({ method: 'POST', url: '/v1/sites', headers, payload: { kind: 'seed_nursery', name: '基准苗圃', regionCode: '220622' } })).json<{ id: string }>().id;
    const pairs: [string, string][] = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      const lot = async (suffix: string) =>
        (
          await app.inject({
            method: 'POST',
            url: '/v1/lots',
            headers,
            payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: `BENCH-${w}-${suffix}`, siteId: site, quantity: { value: 1_000_000, unit: 'kg' }, producedAt: '2024-01-01T08:00:00+08:00' },
          })
        ).json<{ id: string }>().id;
      pairs.push([await lot('A'), await lot('B')]);
    }

    const plan = (kind: 'plain' | 'transformation', round: number) => ({
      url: `${address}${kind === 'plain' ? '/bench/plain-insert' : '/v1/transformations'}`,
      headers,
      concurrency: CONCURRENCY,
      durationMs: round < 0 ? 2000 : ROUND_MS,
      expectStatus: 201,
      body: kind === 'plain' ? { kind, runTag: `P${round + 1}` } : { kind, pairs, runTag: `T${round + 1}-` },
    });

    await runLoad(plan('plain', -1));
    await runLoad(plan('transformation', -1));
    const results: { plain: MeasuredLoad[]; transformation: MeasuredLoad[] } = { plain: [], transformation: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Each with the CPU it cost the service and the database (bench/cpu.ts).
      results.plain.push(await measuredLoad(app.database.db, plan('plain', round)));
      results.transformation.push(await measuredLoad(app.database.db, plan('transformation', round)));
    }

    const summarise = (runs: MeasuredLoad[]) => {
      const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const throughputs = runs.map((r) => r.latencies.length / (r.elapsedMs / 1000));
      return { throughput: median(throughputs), p50: percentile(all, 50), p99: percentile(all, 99), requests: all.length, errors: runs.reduce((s, r) => s + r.errors, 0), firstError: runs.find((r) => r.firstError)?.firstError, cpu: cpuPerRequest(runs) };
    };
    const plain = summarise(results.plain);
    const chain = summarise(results.transformation);
    console.log(`\nchain benchmark on PostgreSQL: ${CONCURRENCY} concurrent clients, ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s (medians of rounds)\n`);
    printTable(
      ['endpoint', 'requests', 'throughput /s', 'p50 ms', 'p99 ms', 'errors', ...CPU_COLUMNS],
      [
        ['POST /bench/plain-insert (1 row)', plain.requests, plain.throughput, plain.p50, plain.p99, plain.errors, ...cpuCells(plain.cpu)],
        ['POST /v1/transformations (2 in, 2 out)', chain.requests, chain.throughput, chain.p50, chain.p99, chain.errors, ...cpuCells(chain.cpu)],
        ['ratio transformation / plain', '', chain.throughput / plain.throughput, chain.p50 / plain.p50, chain.p99 / plain.p99, '', '', '', ''],
      ],
    );
    if (plain.firstError || chain.firstError) console.log(`\nfirst error: plain ${plain.firstError ?? '-'}, transformation ${chain.firstError ?? '-'}`);
  } finally {
    await app.close();
    await database.drop();
  }
}
