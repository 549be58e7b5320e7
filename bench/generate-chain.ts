import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';

/**
 * A realistic lot graph of `totalLots` lots, written with set-based SQL (generate_series) so a million lots
 * take minutes, not hours. The shape follows domain.md:
 *
 *   seed lots (S) → cultivation lots (C, one seed lot each) → harvest lots (C, one each)
 *   → processed lots (PR, each merging 10 harvests of different cooperatives at a processor)
 *   → decoction-piece lots (D = 2·PR, two per processed lot)
 *   → product batches (P, each drawing on 50 decoction-piece lots spread over the whole set)
 *
 * so a product lot has ≈ 1,550 ancestors (50 + 50 + 500 + 500 + ≈ 450 seed lots) and a seed lot has
 * thousands of descendants. Every lot has its creating event and output link; foreign keys are not checked
 * while loading (session_replication_role = replica), the generator being the only writer.
 */
export interface ChainShape {
  seeds: number;
  cultivations: number;
  processed: number;
  decoctionPieces: number;
  products: number;
  inputsPerProduct: number;
}

const HARVESTS_PER_PROCESSED = 10;

export function shapeFor(totalLots: number): ChainShape {
  const processed = Math.round(totalLots * 0.042);
  const cultivations = processed * HARVESTS_PER_PROCESSED;
  const decoctionPieces = processed * 2;
  const products = Math.round(totalLots * 0.03);
  const seeds = totalLots - (2 * cultivations + processed + decoctionPieces + products);
  if (seeds < 1) throw new Error(`cannot shape ${totalLots} lots`);
  return { seeds, cultivations, processed, decoctionPieces, products, inputsPerProduct: 50 };
}

const ORGS = { seedFarms: 10, coops: 200, processors: 20, pieceMakers: 10, makers: 10 };
const REGIONS = ['220621', '220622', '220582', '220502', '220521', '220421', '220112', '222403', '222401', '220523'];

export async function generateChain(db: Database, shape: ChainShape, log: (m: string) => void): Promise<void> {
  const { seeds: S, cultivations: C, processed: PR, decoctionPieces: D, products: P, inputsPerProduct: K } = shape;
  const run = async (label: string, query: ReturnType<typeof sql>) => {
    const started = Date.now();
    await db.execute(query);
    log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  await db.execute(sql`set session_replication_role = replica`);

  // Organisations (kind, count) and one site each; cooperatives' sites are their cultivation bases.
  await run(
    'organisations and sites',
    sql`with kinds(kind, n, site_kind, offs) as (values
          ('seed_producer', ${ORGS.seedFarms}::int, 'seed_nursery', 0),
          ('cooperative', ${ORGS.coops}::int, 'cultivation_base', 1000),
          ('processor', ${ORGS.processors}::int, 'processing_plant', 2000),
          ('decoction_piece_maker', ${ORGS.pieceMakers}::int, 'processing_plant', 3000),
          ('manufacturer', ${ORGS.makers}::int, 'processing_plant', 4000)),
        orgs as (
          insert into organizations (id, name, kinds, credit_code, region_code)
          select 'org_b' || (offs + i), kind || ' ' || i, array[kind], 'BENCH' || (offs + i), (array[${sql.raw(REGIONS.map((r) => `'${r}'`).join(','))}])[1 + (offs + i) % ${REGIONS.length}]
          from kinds, generate_series(1, n) i
          returning id, region_code, kinds[1] as kind)
        insert into sites (id, organization_id, kind, name, region_code, lat, lon)
        select 'site_' || substr(o.id, 5), o.id, k.site_kind, '基地 ' || o.id, o.region_code, 41 + random() * 3, 125 + random() * 4
        from orgs o join kinds k on k.kind = o.kind`,
  );

  // Lot ids are md5-derived so they scatter over the index like real random ids.
  const lotId = (prefix: string, i: string) => sql.raw(`'lot_' || substr(md5('${prefix}' || ${i}), 1, 16)`);
  const org = (offset: number, count: number, i: string) => sql.raw(`'org_b' || (${offset} + 1 + (${i}) % ${count})`);
  const site = (offset: number, count: number, i: string) => sql.raw(`'site_b' || (${offset} + 1 + (${i}) % ${count})`);
  const insertLots = (label: string, prefix: string, n: number, stage: string, producer: ReturnType<typeof sql.raw>, siteId: ReturnType<typeof sql.raw>, qty: string, unit: string, eventType: string) =>
    run(
      `${n.toLocaleString()} ${stage} lots`,
      // The lot's copy of its edges (lots.parent_*), from the edges written just before it.
      sql`insert into lots (id, lot_number, stage, species_code, producer_id, holder_id, site_id, quantity, remaining, unit, status,
                            produced_at, produced_at_offset, attributes, origin, process, gtin, created_by_event_id,
                            parent_lot_ids, parent_quantities, parent_units)
          select ${lotId(prefix, 'i')}, ${prefix} || '-' || i, ${stage}, 'renshen', ${producer}, ${producer}, ${siteId},
                 ${qty}::numeric, ${qty}::numeric, ${unit}, 'active', timestamptz '2018-01-01 08:00+08' + (i % 2000) * interval '1 hour', 480,
                 '{}'::jsonb, '{"type":"chain"}'::jsonb,
                 case when ${stage} in ('processed', 'decoction_piece', 'product') then '{"steps":[{"op":"干燥","params":{"temperatureC":50}}]}'::jsonb end,
                 null, 'evt_' || substr(md5(${prefix} || i), 1, 16),
                 coalesce(p.ids, '{}'), coalesce(p.quantities, '{}'), coalesce(p.units, '{}')
          from generate_series(1, ${n}::int) i
          left join lateral (select array_agg(parent_lot_id order by parent_lot_id) as ids, array_agg(parent_quantity order by parent_lot_id) as quantities,
              array_agg(parent_unit order by parent_lot_id) as units from lot_edges x where x.child_lot_id = ${lotId(prefix, 'i')}) p on true`,
    ).then(() =>
      run(
        `  ${label} events`,
        sql`with e as (
              insert into events (id, type, organization_id, occurred_at, occurred_at_offset, data, actor_kind)
              select 'evt_' || substr(md5(${prefix} || i), 1, 16), ${eventType}, ${producer}, timestamptz '2018-01-01 08:00+08' + (i % 2000) * interval '1 hour', 480, '{}'::jsonb, 'api_key'
              from generate_series(1, ${n}::int) i returning id)
            insert into event_lots (event_id, lot_id, role)
            select 'evt_' || substr(md5(${prefix} || i), 1, 16), ${lotId(prefix, 'i')}, 'output' from generate_series(1, ${n}::int) i`,
      ),
    );
  const edges = (label: string, select: ReturnType<typeof sql>) =>
    run(label, sql`insert into lot_edges (parent_lot_id, child_lot_id, event_id, parent_quantity, parent_unit) ${select}`);

  // Each stage's edges first (foreign keys are off while loading), so its lots can carry their copy of them.
  await insertLots('seed', 'S', S, 'seed', org(0, ORGS.seedFarms, 'i'), site(0, ORGS.seedFarms, 'i'), '1000', 'kg', 'commissioned');
  await edges('cultivation ← seed edges', sql`select ${lotId('S', `1 + i % ${S}`)}, ${lotId('C', 'i')}, 'evt_' || substr(md5('C' || i), 1, 16), 1, 'kg' from generate_series(1, ${C}::int) i`);
  await insertLots('cultivation', 'C', C, 'cultivation', org(1000, ORGS.coops, 'i'), site(1000, ORGS.coops, 'i'), '1000', 'plant', 'transformation');
  await edges('harvest ← cultivation edges', sql`select ${lotId('C', 'i')}, ${lotId('H', 'i')}, 'evt_' || substr(md5('H' || i), 1, 16), 1000, 'plant' from generate_series(1, ${C}::int) i`);
  await insertLots('harvest', 'H', C, 'harvest', org(1000, ORGS.coops, 'i'), site(1000, ORGS.coops, 'i'), '100', 'kg', 'transformation');
  // Processed lot j merges harvests (j-1)·10+1 … j·10: ten lots of different cooperatives.
  const per = HARVESTS_PER_PROCESSED;
  await edges('processed ← harvest edges', sql`select ${lotId('H', 'h')}, ${lotId('R', `1 + (h - 1) / ${per}`)}, 'evt_' || substr(md5('R' || (1 + (h - 1) / ${per})), 1, 16), 100, 'kg' from generate_series(1, ${PR * per}::int) h`);
  await insertLots('processed', 'R', PR, 'processed', org(2000, ORGS.processors, 'i'), site(2000, ORGS.processors, 'i'), '600', 'kg', 'transformation');
  await edges('decoction piece ← processed edges', sql`select ${lotId('R', '1 + (d - 1) / 2')}, ${lotId('D', 'd')}, 'evt_' || substr(md5('D' || d), 1, 16), 300, 'kg' from generate_series(1, ${D}::int) d`);
  await insertLots('decoction piece', 'D', D, 'decoction_piece', org(3000, ORGS.pieceMakers, 'i'), site(3000, ORGS.pieceMakers, 'i'), '250', 'kg', 'transformation');
  // Product m draws on K decoction-piece lots scattered over the whole set (distinct per product).
  await edges(
    'product ← decoction piece edges',
    sql`select distinct on (p, d) ${lotId('D', 'd')}, ${lotId('P', 'p')}, 'evt_' || substr(md5('P' || p), 1, 16), 5, 'kg'
        from (select p, 1 + ((p::bigint * 7919 + r::bigint * 104729) % ${D}) as d from generate_series(1, ${P}::int) p, generate_series(1, ${K}::int) r) x`,
  );
  await insertLots('product', 'P', P, 'product', org(4000, ORGS.makers, 'i'), site(4000, ORGS.makers, 'i'), '1000', 'box', 'transformation');
  await db.execute(sql`set session_replication_role = origin`);
  // VACUUM too: a database that has been running has its visibility maps set and nothing left for autovacuum to
  // do; measuring right after a bulk load would otherwise share the CPU with autovacuum working through it.
  await run('vacuum analyze', sql`vacuum analyze`);
  // And a checkpoint: the load wrote gigabytes of WAL, and the checkpoint it triggers would otherwise flush dirty
  // pages (and make every buffer eviction a write) through the first minutes of measuring.
  await run('checkpoint', sql`checkpoint`);
}

/** Ids of `count` lots of one stage spread evenly over the generated ones (the generator's id scheme). */
export function sampleIds(prefix: 'P' | 'S', count: number, max: number): string[] {
  return Array.from({ length: count }, (_, k) => {
    const i = 1 + Math.floor(((k + 0.5) * max) / count);
    return `lot_${createHash('md5').update(`${prefix}${i}`).digest('hex').slice(0, 16)}`;
  });
}
