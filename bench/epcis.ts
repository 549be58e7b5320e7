import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { queryRows, type Database } from '../src/db/client.js';
import { gs1CheckDigit } from '../src/lib/identifiers.js';
import { catchUpEpcisIndex } from '../src/modules/epcis/epcis-index.js';
import { generateChain, sampleIds, shapeFor, type ChainShape } from './generate-chain.js';
import { BENCH_ADMIN_TOKEN, runLoad, scratchDatabase, startServer } from './setup.js';
import { percentile, printTable } from './stats.js';

const BASE = 'http://localhost';
const MAKERS = 10;
const CODES_PER_PRODUCT = 10;

/** The GTIN-14 of maker m's product (GS1 prefix 690, a made-up company prefix). */
const gtinOf = (m: number) => {
  const body = `0690123${String(400000 + m).padStart(6, '0')}`;
  return body + String(gs1CheckDigit(body));
};

/**
 * What the EPCIS forms need beyond the lot graph of generate-chain.ts, which provenance alone does not read: the
 * events' data as the service writes it (inputs and outputs with their quantities, the commissioned lot's
 * quantity), the input links of each transformation, a GTIN on every product lot, and one issue of ten unit codes
 * per product lot (the identifiers MATCH_epc looks for). Set-based SQL with triggers off, like the generator.
 */
async function enrich(db: Database, shape: ChainShape, log: (m: string) => void): Promise<void> {
  const run = async (label: string, query: ReturnType<typeof sql>) => {
    const started = Date.now();
    await db.execute(query);
    log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  await db.execute(sql`set session_replication_role = replica`);
  const gtins = Array.from({ length: MAKERS }, (_, m) => sql`when ${`org_b${4001 + m}`} then ${gtinOf(m + 1)}`);
  await run(`GTINs on ${shape.products.toLocaleString()} product lots`, sql`update lots set gtin = case producer_id ${sql.join(gtins, sql` `)} end where stage = 'product'`);
  await run(
    'event data: inputs, outputs and quantities',
    sql`update events e set data = case when e.type = 'commissioned'
          then jsonb_build_object('stage', l.stage, 'lotNumber', l.lot_number, 'quantity', jsonb_build_object('value', l.quantity, 'unit', l.unit), 'origin', l.origin)
          else jsonb_strip_nulls(jsonb_build_object(
            'inputs', coalesce((select jsonb_agg(jsonb_build_object('lotId', p.id, 'quantity', jsonb_build_object('value', p.q, 'unit', p.u)) order by p.id)
                                from unnest(l.parent_lot_ids, l.parent_quantities, l.parent_units) as p(id, q, u)), '[]'::jsonb),
            'outputs', jsonb_build_array(jsonb_build_object('lotId', l.id, 'stage', l.stage, 'quantity', jsonb_build_object('value', l.quantity, 'unit', l.unit))),
            'process', l.process)) end
        from lots l where l.created_by_event_id = e.id`,
  );
  await run(
    'input links of the transformations',
    sql`insert into event_lots (event_id, lot_id, role) select l.created_by_event_id, p.id, 'input' from lots l, unnest(l.parent_lot_ids) as p(id)`,
  );
  const issue = sql.raw(`'evt_k' || substr(md5('K' || l.id), 1, 15)`);
  await run(
    `${shape.products.toLocaleString()} code issues of ${CODES_PER_PRODUCT} unit codes`,
    sql`with issued as (
          insert into events (id, type, organization_id, occurred_at, occurred_at_offset, data, actor_kind)
          select ${issue}, 'codes_issued', l.producer_id, l.produced_at + interval '1 day', 480, ${JSON.stringify({ count: CODES_PER_PRODUCT, level: 'unit' })}::jsonb, 'api_key'
          from lots l where l.stage = 'product' returning id),
        linked as (insert into event_lots (event_id, lot_id, role) select ${issue}, l.id, 'subject' from lots l where l.stage = 'product')
        insert into codes (code, lot_id, level, issued_by, event_id)
        select upper(substr(md5(l.id || '-' || k), 1, 12)), l.id, 'unit', l.producer_id, ${issue}
        from lots l, generate_series(1, ${CODES_PER_PRODUCT}::int) k where l.stage = 'product'`,
  );
  await db.execute(sql`set session_replication_role = origin`);
  await run('vacuum analyze', sql`vacuum analyze`);
  await run('checkpoint', sql`checkpoint`);
}

/**
 * EPCIS 2.0 at scale on PostgreSQL: the lot graph of the provenance benchmark (1,000,000 lots, ≈ 1,600 ancestors
 * per product lot) with the events' data, input links and unit codes, indexed by the epcis-index consumer; then the
 * chain export of product lots (GET /v1/lots/{id}/epcis) against the provenance of the same lots in alternating
 * rounds, and GET /epcis/events?MATCH_epc=… (as the admin, who reads all, and as the product's maker) over every
 * indexed event. BENCH_REUSE=1 keeps the generated and indexed database for the next run (and uses it if there).
 */
export async function epcisScenario(): Promise<void> {
  const totalLots = Number(process.env.BENCH_LOTS ?? 1_000_000);
  const samples = Number(process.env.BENCH_SAMPLES ?? 100);
  const reuse = process.env.BENCH_REUSE === '1';
  const shape = shapeFor(totalLots);
  const name = 'herbtrace_bench_epcis';
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  url.pathname = `/${name}`;
  const admin = postgres(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', { max: 1, onnotice: () => {} });
  const existing = reuse && (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  const database = existing ? { url: url.toString(), drop: async () => {} } : await scratchDatabase('epcis');
  // No verifiable-log timer: sequencing a million events in the background would share the two cores.
  const app = await startServer(database.url, undefined, { logSequenceIntervalMs: 0 });
  try {
    const db = app.database.db;
    const [{ n: indexedBefore }] = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from epcis_events`)) as [{ n: number }];
    let generationSeconds = 0;
    let indexSeconds = 0;
    if (!existing || indexedBefore === 0) {
      if (!existing) {
        console.log(`generating ${totalLots.toLocaleString()} lots on PostgreSQL: ${JSON.stringify(shape)}`);
        const started = Date.now();
        await generateChain(db, shape, (m) => console.log(m));
        await enrich(db, shape, (m) => console.log(m));
        generationSeconds = (Date.now() - started) / 1000;
        console.log(`generated in ${generationSeconds.toFixed(0)} s`);
      }
      const started = Date.now();
      // The consumer's own catch-up, as the first query would run it; its progress read on another connection.
      const watcher = postgres(database.url, { max: 1, onnotice: () => {} });
      const progress = setInterval(() => {
        void watcher`select count(*)::int as n from epcis_events`.then(([row]) =>
          console.log(`  indexed ${row!.n.toLocaleString()} events (${Math.round(row!.n / ((Date.now() - started) / 1000))}/s)`),
        );
      }, 60_000);
      const indexed = await catchUpEpcisIndex(db, BASE);
      clearInterval(progress);
      await watcher.end();
      indexSeconds = (Date.now() - started) / 1000;
      console.log(`indexed ${indexed.toLocaleString()} events in ${indexSeconds.toFixed(0)} s (${Math.round(indexed / indexSeconds)}/s)`);
      await db.execute(sql`vacuum analyze epcis_events`);
      await db.execute(sql`checkpoint`);
    }
    const [{ events, tableSize }] = (await queryRows<{ events: number; tableSize: string }>(
      db,
      sql`select count(*)::int as events, pg_size_pretty(pg_total_relation_size('epcis_events')) as "tableSize" from epcis_events`,
    )) as [{ events: number; tableSize: string }];
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const products = sampleIds('P', samples, shape.products);
    const adminHeaders = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` };
    const codes = await queryRows<{ code: string; lot_number: string; gtin: string; producer_id: string }>(
      db,
      sql`select distinct on (c.lot_id) c.code, l.lot_number, l.gtin, l.producer_id from codes c join lots l on l.id = c.lot_id
          where c.lot_id = any(${`{${products.join(',')}}`}::text[]) order by c.lot_id, c.code`,
    );
    const maker = codes[0]!.producer_id;
    const makerCodes = codes.filter((c) => c.producer_id === maker);
    const makerKey = (await app.inject({ method: 'POST', url: `/v1/organizations/${maker}/api-keys`, headers: adminHeaders, payload: {} })).json<{ key: string }>().key;
    const makerHeaders = { authorization: `Bearer ${makerKey}` };
    const epcOf = (c: (typeof codes)[number]) => `${BASE}/01/${c.gtin}/10/${c.lot_number}/21/${c.code}`;
    const byEpc = (list: typeof codes) => list.map((c) => `/epcis/events?MATCH_epc=${encodeURIComponent(epcOf(c))}`);
    const byClass = (list: typeof codes) => list.map((c) => `/epcis/events?MATCH_epcClass=${encodeURIComponent(`${BASE}/01/${c.gtin}/10/${c.lot_number}`)}`);

    const viaHttp = async (paths: string[], headers: Record<string, string>) =>
      (await runLoad({ url: address, headers, concurrency: 1, durationMs: 0, expectStatus: 200, body: { kind: 'get', paths } })).latencies;
    const size = async (path: string, headers: Record<string, string>) => {
      const res = await app.inject({ method: 'GET', url: path, headers });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res.body.length;
    };
    const exportEvents = (await app.inject({ method: 'GET', url: `/v1/lots/${products[0]}/epcis`, headers: adminHeaders })).json<{ epcisBody: { eventList: unknown[] } }>().epcisBody.eventList.length;
    const provenanceNodes = (await app.inject({ method: 'GET', url: `/v1/lots/${products[0]}/provenance`, headers: adminHeaders })).json<{ nodeCount: number }>().nodeCount;
    const matched = (await app.inject({ method: 'GET', url: byEpc(codes)[0]!, headers: adminHeaders })).json<{ epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }>().epcisBody.queryResults.resultsBody.eventList.length;

    // Warm up caches and plans, then rounds alternating the two sides of each comparison.
    await viaHttp(products.slice(0, 10).map((id) => `/v1/lots/${id}/provenance`), adminHeaders);
    await viaHttp(products.slice(0, 10).map((id) => `/v1/lots/${id}/epcis`), adminHeaders);
    await viaHttp(byEpc(codes).slice(0, 20), adminHeaders);
    const r = { provenance: [] as number[], exported: [] as number[], epc: [] as number[], epcMaker: [] as number[], epcClass: [] as number[] };
    for (let round = 0; round < 2; round++) {
      r.provenance.push(...(await viaHttp(products.map((id) => `/v1/lots/${id}/provenance`), adminHeaders)));
      r.exported.push(...(await viaHttp(products.map((id) => `/v1/lots/${id}/epcis`), adminHeaders)));
    }
    for (let round = 0; round < 3; round++) {
      r.epc.push(...(await viaHttp(byEpc(codes), adminHeaders)));
      r.epcMaker.push(...(await viaHttp(byEpc(makerCodes), makerHeaders)));
      r.epcClass.push(...(await viaHttp(byClass(codes), adminHeaders)));
    }

    const sorted = (lat: number[]) => [...lat].sort((a, b) => a - b);
    const row = (label: string, lat: number[], bytes: number | string, items: number | string) => {
      const s = sorted(lat);
      return [label, lat.length, items, bytes, percentile(s, 50), percentile(s, 95), percentile(s, 99)];
    };
    const p = (lat: number[], q: number) => percentile(sorted(lat), q);
    console.log(
      `\nEPCIS benchmark on PostgreSQL: ${totalLots.toLocaleString()} lots, ${events.toLocaleString()} indexed events (epcis_events ${tableSize})` +
        `${generationSeconds ? `, generated in ${generationSeconds.toFixed(0)} s` : ''}${indexSeconds ? `, indexed in ${indexSeconds.toFixed(0)} s` : ''}; ` +
        `${products.length} product lots, 2 rounds of export and provenance, 3 rounds of queries\n`,
    );
    printTable(
      ['request', 'requests', 'nodes / events', 'bytes', 'p50 ms', 'p95 ms', 'p99 ms'],
      [
        row('GET /v1/lots/{id}/provenance (product lot)', r.provenance, await size(`/v1/lots/${products[0]}/provenance`, adminHeaders), provenanceNodes),
        row('GET /v1/lots/{id}/epcis (same lots)', r.exported, await size(`/v1/lots/${products[0]}/epcis`, adminHeaders), exportEvents),
        ['ratio export / provenance', '', '', '', p(r.exported, 50) / p(r.provenance, 50), p(r.exported, 95) / p(r.provenance, 95), p(r.exported, 99) / p(r.provenance, 99)],
        row('GET /epcis/events?MATCH_epc= (admin)', r.epc, await size(byEpc(codes)[0]!, adminHeaders), matched),
        row('GET /epcis/events?MATCH_epc= (the maker)', r.epcMaker, await size(byEpc(makerCodes)[0]!, makerHeaders), matched),
        row('GET /epcis/events?MATCH_epcClass= (admin)', r.epcClass, await size(byClass(codes)[0]!, adminHeaders), '-'),
      ],
    );
  } finally {
    await app.close();
    if (!reuse) await database.drop();
    await admin.end();
  }
}
