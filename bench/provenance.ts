import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { POSTGRES_SESSION, queryRows } from '../src/db/client.js';
import { ancestorsQuery, descendantsQuery } from '../src/modules/provenance/provenance.repository.js';
import { generateChain, sampleIds, shapeFor } from './generate-chain.js';
import { BENCH_ADMIN_TOKEN, runLoad, scratchDatabase, startServer } from './setup.js';
import { percentile, printTable } from './stats.js';

const MAX_NODES = 50_000;

/**
 * Provenance of product lots (≈ 2,900 ancestors each) and descendants of seed lots at scale: through HTTP
 * from a separate process, and the same recursive SQL straight on the database, in the same run.
 * BENCH_DB=pglite runs it on the embedded database (default scale 100,000 lots there, 1,000,000 on PostgreSQL).
 */
export async function provenanceScenario(): Promise<void> {
  const onPglite = process.env.BENCH_DB === 'pglite';
  const totalLots = Number(process.env.BENCH_LOTS ?? (onPglite ? 100_000 : 1_000_000));
  const samples = Number(process.env.BENCH_SAMPLES ?? 200);
  const shape = shapeFor(totalLots);

  const scratchDir = onPglite ? mkdtempSync(path.join(os.tmpdir(), 'herbtrace-bench-')) : undefined;
  const database = onPglite ? undefined : await scratchDatabase('provenance');
  const app = await startServer(database?.url, scratchDir);
  const raw = database ? postgres(database.url, { max: 1, onnotice: () => {}, connection: POSTGRES_SESSION }) : undefined;
  try {
    console.log(`generating ${totalLots.toLocaleString()} lots on ${onPglite ? 'PGlite' : 'PostgreSQL'}: ${JSON.stringify(shape)}`);
    const started = Date.now();
    await generateChain(app.database.db, shape, (m) => console.log(m));
    const generationSeconds = (Date.now() - started) / 1000;
    console.log(`generated in ${generationSeconds.toFixed(0)} s`);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const products = sampleIds('P', samples, shape.products);
    const seeds = sampleIds('S', Math.min(samples, 50), shape.seeds);
    const headers = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const dialect = new PgDialect();

    const direct = async (query: ReturnType<typeof ancestorsQuery>) => {
      const t0 = process.hrtime.bigint();
      if (raw) {
        const q = dialect.sqlToQuery(query);
        await raw.unsafe(q.sql, q.params as never[]);
      } else await queryRows(app.database.db, query);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const viaHttp = async (paths: string[]) =>
      (await runLoad({ url: address, headers, concurrency: 1, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths } })).latencies;

    // Warm up caches and plans, then two alternating rounds of HTTP and direct SQL.
    await viaHttp(products.slice(0, 10).map((id) => `/v1/lots/${id}/provenance`));
    for (const id of products.slice(0, 10)) await direct(ancestorsQuery(id, MAX_NODES));
    const results = { provHttp: [] as number[], provSql: [] as number[], descHttp: [] as number[], descSql: [] as number[] };
    for (let round = 0; round < 2; round++) {
      results.provHttp.push(...(await viaHttp(products.map((id) => `/v1/lots/${id}/provenance`))));
      for (const id of products) results.provSql.push(await direct(ancestorsQuery(id, MAX_NODES)));
      results.descHttp.push(...(await viaHttp(seeds.map((id) => `/v1/lots/${id}/descendants`))));
      for (const id of seeds) results.descSql.push(await direct(descendantsQuery(id, MAX_NODES)));
    }

    const size = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers });
      const body = res.json() as { nodeCount?: number; count?: number };
      return { nodes: body.nodeCount ?? (body.count ?? 0) + 1, bytes: res.body.length };
    };
    const provSize = await size(`/v1/lots/${products[0]}/provenance`);
    const descSize = await size(`/v1/lots/${seeds[0]}/descendants`);

    const row = (label: string, lat: number[], nodes: number, bytes: number | string) => {
      const sorted = [...lat].sort((a, b) => a - b);
      return [label, lat.length, nodes, bytes, percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99)];
    };
    const p95 = (lat: number[]) => percentile([...lat].sort((a, b) => a - b), 95);
    console.log(
      `\nprovenance benchmark on ${onPglite ? 'PGlite' : 'PostgreSQL'}: ${totalLots.toLocaleString()} lots, generated in ${generationSeconds.toFixed(0)} s; ` +
        `${products.length} product lots and ${seeds.length} seed lots, 2 rounds each\n`,
    );
    printTable(
      ['query', 'requests', 'nodes', 'bytes', 'p50 ms', 'p95 ms', 'p99 ms'],
      [
        row('provenance of a product lot, HTTP', results.provHttp, provSize.nodes, provSize.bytes),
        row('provenance of a product lot, SQL direct', results.provSql, provSize.nodes, '-'),
        ['ratio HTTP / SQL at p95', '', '', '', '', p95(results.provHttp) / p95(results.provSql), ''],
        row('descendants of a seed lot, HTTP', results.descHttp, descSize.nodes, descSize.bytes),
        row('descendants of a seed lot, SQL direct', results.descSql, descSize.nodes, '-'),
        ['ratio HTTP / SQL at p95', '', '', '', '', p95(results.descHttp) / p95(results.descSql), ''],
      ],
    );
  } finally {
    await raw?.end();
    await app.close();
    await database?.drop();
    if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  }
}
