import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { LogVerifier, newLogKey, verifierKeyOf } from '../src/modules/tlog/index.js';
import { BENCH_ADMIN_TOKEN, runLoad, scratchDatabase } from './setup.js';
import { median, percentile, printTable } from './stats.js';

const EVENTS = Number(process.env.BENCH_LOG_EVENTS ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROOF_REQUESTS = Number(process.env.BENCH_PROOF_REQUESTS ?? 5000);

const seconds = (ms: number) => ms / 1000;

/**
 * The verifiable log on PostgreSQL, with data it generates itself:
 *  1. the sequencer appending EVENTS events inserted in bulk (events/s, one run);
 *  2. GET /v1/events/{id}/proof of random events of the 1M-leaf tree (p50/p99, a closed loop over HTTP);
 *  3. the verifier's full audit of that tree over HTTP (seconds, one run);
 *  4. the transformation benchmark (bench/chain.ts's load) with the sequencer's timer on and off, in
 *     alternating rounds of one run: its cost to the writers.
 */
export async function logScenario(): Promise<void> {
  const database = await scratchDatabase('log');
  const signerKey = newLogKey('localhost/log').signerKey;
  const app = await buildApp({
    config: {
      ...loadConfig({}),
      port: 0,
      databaseUrl: database.url,
      dataDir: 'memory://',
      adminToken: BENCH_ADMIN_TOKEN,
      secretKey: 'be'.repeat(32),
      publicBaseUrl: 'http://localhost',
      logLevel: 'silent',
      publicRateLimitPerMinute: 1_000_000,
      logKey: signerKey,
      // The sequencer runs when the benchmark says so.
      logSequenceIntervalMs: 0,
    },
    logger: false,
  });
  const rows: (string | number)[][] = [];
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const admin = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const org = await app.inject({ method: 'POST', url: '/v1/organizations', headers: admin, payload: { name: '日志基准合作社', kinds: ['seed_producer'], creditCode: '9144030071526726XG', regionCode: '220622' } });
    const orgId = org.json<{ id: string }>().id;
    const key = (await app.inject({ method: 'POST', url: `/v1/organizations/${orgId}/api-keys`, headers: admin, payload: {} })).json<{ key: string }>().key;
    const headers = { authorization: `Bearer ${key}` };
    const site = (await app.inject({ method: 'POST', url: '/v1/sites', headers, payload: { kind: 'seed_nursery', name: '日志基准苗圃', regionCode: '220622' } })).json<{ id: string }>().id;
    const lotIds: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/lots',
        headers,
        payload: { stage: 'seed', speciesCode: 'renshen', lotNumber: `LOGB-${i}`, siteId: site, quantity: { value: 1_000_000, unit: 'kg' }, producedAt: '2024-01-01T08:00:00+08:00' },
      });
      lotIds.push(res.json<{ id: string }>().id);
    }
    await app.verifiableLog.sequence();

    // 1. Bulk: EVENTS observations on the lots, inserted as the event store would store them, in 100k statements.
    const db = app.database.db;
    const insertStarted = Date.now();
    for (let at = 0; at < EVENTS; at += 100_000) {
      const n = Math.min(100_000, EVENTS - at);
      await db.transaction(async (tx) => {
        await queryRows(
          tx,
          sql`insert into events (id, type, organization_id, occurred_at, occurred_at_offset, data, actor_kind, actor_key_id)
              select 'evt_bench' || lpad((${at}::int + g)::text, 9, '0'), 'agro_input', ${orgId}, now() - (g || ' seconds')::interval, 480,
                     jsonb_build_object('category', 'fertilizer', 'product', '有机肥 ' || g, 'dose', jsonb_build_object('value', 2.5, 'unit', 'kg/亩')),
                     'admin', null
              from generate_series(1, ${n}::int) g`,
        );
        await queryRows(
          tx,
          sql`insert into event_lots (event_id, lot_id, role)
              select 'evt_bench' || lpad((${at}::int + g)::text, 9, '0'), (${`{${lotIds.join(',')}}`}::text[])[1 + g % 100], 'subject'
              from generate_series(1, ${n}::int) g`,
        );
      });
    }
    console.log(`inserted ${EVENTS} events in ${seconds(Date.now() - insertStarted).toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(1)}`);
    await queryRows(db, sql`analyze`);
    const seqStarted = Date.now();
    const step = await app.verifiableLog.sequence();
    const seqSeconds = seconds(Date.now() - seqStarted);
    rows.push(['sequencer, bulk append', `${step.appended} events → tree of ${step.size}`, step.appended / seqSeconds, 'events/s', '≥ 5,000 events/s', step.appended / seqSeconds >= 5000 ? 'met' : 'NOT met']);
    // The steady state of a running log, not the minute after a bulk load of a million rows: the autovacuum
    // of the fresh tables and the checkpoint of their writes would otherwise run during the proofs below.
    await queryRows(db, sql`vacuum analyze`);
    await queryRows(db, sql`checkpoint`);

    // 2. Proofs of random events of the large tree, over HTTP (closed loop, CONCURRENCY clients).
    const ids = (await queryRows<{ id: string }>(db, sql`select event_id as id from log_entries tablesample system (1) limit ${PROOF_REQUESTS}`)).map((r) => r.id);
    await runLoad({ url: address, headers, concurrency: CONCURRENCY, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths: ids.slice(0, 500).map((id) => `/v1/events/${id}/proof`) } });
    const proofs = await runLoad({ url: address, headers, concurrency: CONCURRENCY, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths: ids.map((id) => `/v1/events/${id}/proof`) } });
    const sorted = [...proofs.latencies].sort((a, b) => a - b);
    rows.push([`GET /v1/events/{id}/proof, ${CONCURRENCY} clients`, `${sorted.length} proofs, ${proofs.errors} errors`, percentile(sorted, 50), 'p50 ms', '', '']);
    rows.push([`GET /v1/events/{id}/proof, ${CONCURRENCY} clients`, `tree of ${step.size}`, percentile(sorted, 99), 'p99 ms', '≤ 10 ms', percentile(sorted, 99) <= 10 ? 'met' : 'NOT met']);
    // One client after sixteen: the first seconds after the burst are its aftermath (the collector finishing
    // what sixteen clients allocated), not one client's latency, so 500 proofs go first, unmeasured.
    await runLoad({ url: address, headers, concurrency: 1, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths: ids.slice(2000, 2500).map((id) => `/v1/events/${id}/proof`) } });
    const single = await runLoad({ url: address, headers, concurrency: 1, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths: ids.slice(0, 2000).map((id) => `/v1/events/${id}/proof`) } });
    const singleSorted = [...single.latencies].sort((a, b) => a - b);
    rows.push(['GET /v1/events/{id}/proof, 1 client', `${singleSorted.length} proofs`, percentile(singleSorted, 50), 'p50 ms', '', '']);
    rows.push(['GET /v1/events/{id}/proof, 1 client', `${singleSorted.length} proofs`, percentile(singleSorted, 99), 'p99 ms', '≤ 10 ms', percentile(singleSorted, 99) <= 10 ? 'met' : 'NOT met']);

    // The same 2,000 proofs in process (app.inject: no sockets, no client process), to tell the service's own
    // tail from the HTTP client's and the machine's.
    // Garbage collections are watched meanwhile: a slow proof that overlaps one is the collector's, not the
    // database's.
    const pauses: { start: number; end: number; kind: number }[] = [];
    const gcWatch = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
    });
    gcWatch.observe({ entryTypes: ['gc'] });
    // BENCH_LOG_STATEMENTS=1: PostgreSQL logs every statement of this phase with its duration (in its server
    // log), and the slow proofs are printed with their wall-clock times, to lay one over the other.
    const traceStatements = process.env.BENCH_LOG_STATEMENTS === '1';
    if (traceStatements) {
      await queryRows(db, sql`alter system set log_min_duration_statement = 0`);
      await queryRows(db, sql`select pg_reload_conf()`);
    }
    const timed: { start: number; end: number; wall: number; id: string }[] = [];
    for (const id of ids.slice(0, 2000)) {
      const wall = Date.now();
      const start = performance.now();
      const res = await app.inject({ method: 'GET', url: `/v1/events/${id}/proof`, headers });
      timed.push({ start, end: performance.now(), wall, id });
      if (res.statusCode !== 200) throw new Error(`proof of ${id}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    if (traceStatements) {
      await queryRows(db, sql`alter system reset log_min_duration_statement`);
      await queryRows(db, sql`select pg_reload_conf()`);
      for (const x of timed) if (x.end - x.start > 10) console.log(`slow proof ${x.id} at ${new Date(x.wall).toISOString()} took ${(x.end - x.start).toFixed(1)} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
    gcWatch.disconnect();
    const inProcess = timed.map((x) => x.end - x.start).sort((a, b) => a - b);
    const slow = timed.filter((x) => x.end - x.start > 10);
    const slowInGc = slow.filter((x) => pauses.some((p) => p.start < x.end && p.end > x.start));
    const gcMs = pauses.map((p) => p.end - p.start).sort((a, b) => a - b);
    rows.push(['GET /v1/events/{id}/proof, in process (app.inject)', `${inProcess.length} proofs`, percentile(inProcess, 50), 'p50 ms', '', '']);
    rows.push(['GET /v1/events/{id}/proof, in process (app.inject)', `${slow.length} over 10 ms, ${slowInGc.length} of them during a GC`, percentile(inProcess, 99), 'p99 ms', '', '']);
    // perf_hooks' kinds: 1 a scavenge (young generation), 2 mark-sweep-compact (all of it), 4 incremental marking.
    const major = pauses.filter((p) => p.kind !== 1).length;
    rows.push(['garbage collections during those proofs', `${gcMs.length} pauses (${major} not scavenges), ${Math.round(gcMs.reduce((a, b) => a + b, 0))} ms in all`, gcMs.length ? gcMs[gcMs.length - 1]! : 0, 'max ms', '', '']);

    // 3. The verifier's full audit over HTTP, as `npm run verify` does it.
    const verifier = new LogVerifier({ baseUrl: address, verifierKey: verifierKeyOf(signerKey) });
    const auditStarted = Date.now();
    const { opened } = await verifier.checkpoint();
    const findings = await verifier.audit(opened.checkpoint);
    const auditSeconds = seconds(Date.now() - auditStarted);
    rows.push(['verifier full audit (HTTP, 16 requests in flight)', `${opened.checkpoint.size} entries, ${findings.length} findings`, auditSeconds, 's', '≤ 60 s', auditSeconds <= 60 ? 'met' : 'NOT met']);

    // 4. Transformations with the sequencer's timer off and on (200 ms, the default), alternating rounds.
    const pairs: [string, string][] = [];
    for (let w = 0; w < CONCURRENCY; w++) pairs.push([lotIds[2 * w]!, lotIds[2 * w + 1]!]);
    const plan = (round: number, tag: string) => ({
      url: `${address}/v1/transformations`,
      headers,
      concurrency: CONCURRENCY,
      durationMs: round < 0 ? 2000 : ROUND_MS,
      expectStatus: 201,
      body: { kind: 'transformation', pairs, runTag: `${tag}${round + 1}-` },
    });
    await runLoad(plan(-1, 'W'));
    const off: number[] = [];
    const on: number[] = [];
    const onP99: number[] = [];
    const offP99: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await app.verifiableLog.stop();
      await app.verifiableLog.sequence(); // the backlog of the last round, outside the measurement
      const a = await runLoad(plan(round, 'OFF'));
      off.push(a.latencies.length / seconds(a.elapsedMs));
      offP99.push(percentile([...a.latencies].sort((x, y) => x - y), 99));
      await app.verifiableLog.sequence();
      app.verifiableLog.start(200);
      const b = await runLoad(plan(round, 'ON'));
      on.push(b.latencies.length / seconds(b.elapsedMs));
      onP99.push(percentile([...b.latencies].sort((x, y) => x - y), 99));
    }
    await app.verifiableLog.stop();
    const cost = 1 - median(on) / median(off);
    rows.push(['POST /v1/transformations, sequencer off', `${ROUNDS} rounds of ${ROUND_MS / 1000} s, p99 ${median(offP99).toFixed(1)} ms`, median(off), 'req/s', '', '']);
    rows.push(['POST /v1/transformations, sequencer on (200 ms)', `p99 ${median(onP99).toFixed(1)} ms; rounds ${on.map((x) => x.toFixed(0)).join(', ')} vs ${off.map((x) => x.toFixed(0)).join(', ')}`, median(on), 'req/s', '', '']);
    rows.push(['cost of the sequencer to the writers', '1 − on / off (medians)', cost * 100, '%', '< 10 %', cost < 0.1 ? 'met' : 'NOT met']);
    const final = await app.verifiableLog.sequence();
    console.log(`\n(the log holds ${final.size} entries at the end)`);

    // The machine's load says how much the numbers are worth (two shared cores here).
    console.log(`\nverifiable log benchmark on PostgreSQL (${database.url.replace(/\/[^/]*$/, '')}), ${EVENTS} events; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    printTable(['what', 'run', 'value', 'unit', 'target', ''], rows);
  } finally {
    await app.close();
    await database.drop();
  }
}
