import { sql } from 'drizzle-orm';
import { queryPrepared, queryRows, type Database } from '../../db/client.js';

/** One lot of a lineage graph, as the graph queries return it (quantities as decimal text). */
export interface GraphNode {
  id: string;
  lotNumber: string;
  stage: string;
  speciesCode: string;
  status: string;
  quantity: string;
  remaining: string;
  unit: string;
  producedAtMs: number;
  producedAtOffset: number;
  attributes: Record<string, unknown>;
  origin: { type: string } & Record<string, unknown>;
  gtin: string | null;
  shipmentId: string | null;
  producerId: string;
  holderId: string;
  siteId: string | null;
  createdByEventId: string;
  process: unknown;
}

export interface GraphEdge {
  parentLotId: string;
  childLotId: string;
  eventId: string;
  parentQuantity: string;
  parentUnit: string;
}

export interface GraphOrganization {
  id: string;
  name: string;
  regionCode: string;
}

export interface GraphSite {
  id: string;
  organizationId: string;
  name: string;
  kind: string;
  regionCode: string;
  lat: number | null;
  lon: number | null;
}

export interface Graph {
  /** More lots or edges were reachable than the limits allow; the graph is then incomplete and must not be used. */
  truncated: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
  organizations: GraphOrganization[];
  sites: GraphSite[];
}

/** A graph may have at most this many edges per lot allowed (products draw on dozens of inputs). */
const EDGES_PER_NODE = 4;

/** The JSON arrays of a graph answer, from its `nodes` and `edges` (shared by both directions). */
const graphArrays = sql`(select json_agg(json_build_array(l.id, l.lot_number, l.stage, l.species_code, l.status, l.quantity::text, l.remaining::text, l.unit,
          (extract(epoch from l.produced_at) * 1000)::float8, l.produced_at_offset, l.attributes, l.origin, l.gtin, l.shipment_id,
          l.producer_id, l.holder_id, l.site_id, l.created_by_event_id, l.process))
        from nodes l) as "nodes",
      (select json_agg(json_build_array(e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity::text, e.parent_unit)) from edges e) as "edges",
      (select json_agg(json_build_array(o.id, o.name, o.region_code)) from organizations o
        where o.id in (select producer_id from nodes union select holder_id from nodes)) as "organizations",
      (select json_agg(json_build_array(s.id, s.organization_id, s.name, s.kind, s.region_code, s.lat, s.lon)) from sites s
        where s.id in (select site_id from nodes)) as "sites"`;

const LOT_COLUMNS = sql.raw(`id, lot_number, stage, species_code, status, quantity, remaining, unit, produced_at, produced_at_offset, attributes,
  origin, gtin, shipment_id, producer_id, holder_id, site_id, created_by_event_id, process, parent_lot_ids, parent_quantities, parent_units`);

/**
 * One statement per graph. Downstream: a recursive walk over the edge table (a lot's children are not known
 * when it is made, so they are not on the lot) that collects the edges themselves, each read once on the
 * primary key's leading parent_lot_id, stopped past the limits; then the lots and the organisations and sites
 * they name, aggregated to JSON arrays inside the database (positional arrays: a third of the bytes of
 * objects, and no key strings to parse).
 */
export function descendantsQuery(lotId: string, maxNodes: number) {
  const [from, to] = [sql.raw('parent_lot_id'), sql.raw('child_lot_id')];
  return sql`with recursive walk(parent_lot_id, child_lot_id, event_id, parent_quantity, parent_unit) as (
      select e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity, e.parent_unit from lot_edges e where e.${from} = ${lotId}
      union
      -- Per-row index lookups, always: on some lots the planner's estimate would pick a hash of the whole
      -- edge table on every step (OFFSET 0 keeps the lateral subquery from being flattened into a join).
      select e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity, e.parent_unit
      from walk w cross join lateral (select * from lot_edges x where x.${from} = w.${to} offset 0) e
    ), edges as materialized (select * from walk limit ${maxNodes * EDGES_PER_NODE + 1}),
    ids as materialized (select ${lotId}::text as id union select ${to} from edges limit ${maxNodes + 1}),
    -- LATERAL … LIMIT 1 keeps these lookups on the primary key: the LIMITs above make the planner expect far
    -- more rows than a lineage has, and it would otherwise hash the whole lots table.
    nodes as materialized (select l.* from ids cross join lateral (select * from lots where lots.id = ids.id limit 1) l)
    select (select count(*) from edges)::int as "edgeCount", (select count(*) from ids)::int as "nodeCount", ${graphArrays}`;
}

/**
 * Upstream: a recursive walk over the lots themselves, each carrying its parents (lots.parent_*, the copy of its
 * edges): one primary-key lookup per ancestor, the lot row coming with it, where walking lot_edges took an edge
 * lookup and then a lot lookup for each. The edges are then unnested from the lots reached (each edge's event is
 * the one that made its child). Stopped past the limits like the downward walk.
 */
export function ancestorsQuery(lotId: string, maxNodes: number) {
  return sql`with recursive walk as (
      select ${LOT_COLUMNS} from lots where id = ${lotId}
      union
      -- LATERAL … LIMIT 1: always a primary-key lookup per parent, whatever the planner expects of the walk.
      select p.* from walk w cross join lateral unnest(w.parent_lot_ids) as pid
        cross join lateral (select ${LOT_COLUMNS} from lots x where x.id = pid limit 1) p
    ), nodes as materialized (select * from walk limit ${maxNodes + 1}),
    edges as materialized (
      select u.parent_lot_id, n.id as child_lot_id, n.created_by_event_id as event_id, u.parent_quantity, u.parent_unit
      from nodes n cross join lateral unnest(n.parent_lot_ids, n.parent_quantities, n.parent_units) as u(parent_lot_id, parent_quantity, parent_unit)
      limit ${maxNodes * EDGES_PER_NODE + 1})
    select (select count(*) from edges)::int as "edgeCount", (select count(*) from nodes)::int as "nodeCount", ${graphArrays}`;
}

type Row = { edgeCount: number; nodeCount: number; nodes: unknown; edges: unknown; organizations: unknown; sites: unknown };
const arrays = (v: unknown): unknown[][] => (v == null ? [] : ((typeof v === 'string' ? JSON.parse(v) : v) as unknown[][]));

async function runGraph(db: Database, query: ReturnType<typeof descendantsQuery>, maxNodes: number): Promise<Graph> {
  const [row] = await queryPrepared<Row>(db, query);
  const truncated = Number(row?.nodeCount ?? 0) > maxNodes || Number(row?.edgeCount ?? 0) > maxNodes * EDGES_PER_NODE;
  return {
    truncated,
    nodes: arrays(row?.nodes).map((a) => ({
      id: a[0] as string,
      lotNumber: a[1] as string,
      stage: a[2] as string,
      speciesCode: a[3] as string,
      status: a[4] as string,
      quantity: a[5] as string,
      remaining: a[6] as string,
      unit: a[7] as string,
      producedAtMs: Number(a[8]),
      producedAtOffset: Number(a[9]),
      attributes: a[10] as Record<string, unknown>,
      origin: a[11] as GraphNode['origin'],
      gtin: a[12] as string | null,
      shipmentId: a[13] as string | null,
      producerId: a[14] as string,
      holderId: a[15] as string,
      siteId: a[16] as string | null,
      createdByEventId: a[17] as string,
      process: a[18] ?? null,
    })),
    edges: arrays(row?.edges).map((a) => ({
      parentLotId: a[0] as string,
      childLotId: a[1] as string,
      eventId: a[2] as string,
      parentQuantity: a[3] as string,
      parentUnit: a[4] as string,
    })),
    organizations: arrays(row?.organizations).map((a) => ({ id: a[0] as string, name: a[1] as string, regionCode: a[2] as string })),
    sites: arrays(row?.sites).map((a) => ({
      id: a[0] as string,
      organizationId: a[1] as string,
      name: a[2] as string,
      kind: a[3] as string,
      regionCode: a[4] as string,
      lat: a[5] as number | null,
      lon: a[6] as number | null,
    })),
  };
}

export const fetchAncestors = (db: Database, lotId: string, maxNodes: number) => runGraph(db, ancestorsQuery(lotId, maxNodes), maxNodes);
export const fetchDescendants = (db: Database, lotId: string, maxNodes: number) => runGraph(db, descendantsQuery(lotId, maxNodes), maxNodes);

/** Whether `organizationId` holds any lot made from `lotId` (stops at the first one found). */
export async function holdsDescendant(db: Database, lotId: string, organizationId: string, maxNodes: number): Promise<boolean> {
  const rows = await queryRows<{ found: number }>(
    db,
    sql`with recursive down(id) as (
          select e.child_lot_id from lot_edges e where e.parent_lot_id = ${lotId}
          union
          select e.child_lot_id from down cross join lateral (select child_lot_id from lot_edges x where x.parent_lot_id = down.id offset 0) e
        ), reached as (select id from down limit ${maxNodes})
        select 1 as found from reached r join lots l on l.id = r.id
        where l.holder_id = ${organizationId} or l.shipment_id in (select id from shipments where to_organization_id = ${organizationId})
        limit 1`,
  );
  return rows.length > 0;
}

export interface LineageEventRow {
  id: string;
  type: string;
  organizationId: string;
  organizationName: string;
  occurredAtMs: number;
  occurredAtOffset: number;
  recordedAtMs: number;
  seq: number;
  data: Record<string, unknown>;
  lots: { lotId: string; role: string }[];
}

/**
 * Events of a lot and all its ancestors in the order they happened, a page at a time (keyset on
 * occurred_at, then insertion order). Each event appears once with the lineage lots it concerns.
 */
export async function lineageEvents(
  db: Database,
  lotId: string,
  options: { maxNodes: number; limit: number; includeAncestors: boolean; after?: { occurredAtMs: number; seq: number } | undefined },
): Promise<{ truncated: boolean; rows: LineageEventRow[] }> {
  const after = options.after
    ? sql`and (ev.occurred_at, ev.seq) > (${new Date(options.after.occurredAtMs).toISOString()}::timestamptz, ${options.after.seq}::bigint)`
    : sql``;
  const lineage = options.includeAncestors
    ? sql`with recursive up(id) as (
          select ${lotId}::text
          union
          select e.parent_lot_id from up cross join lateral (select parent_lot_id from lot_edges x where x.child_lot_id = up.id offset 0) e
        ), reached as materialized (select id from up limit ${options.maxNodes + 1})`
    : sql`with reached as (select ${lotId}::text as id)`;
  const rows = await queryRows<LineageEventRow & { reachedCount: number }>(
    db,
    sql`${lineage}
        select ev.id, ev.type, ev.organization_id as "organizationId", o.name as "organizationName",
          (extract(epoch from ev.occurred_at) * 1000)::float8 as "occurredAtMs", ev.occurred_at_offset as "occurredAtOffset",
          (extract(epoch from ev.recorded_at) * 1000)::float8 as "recordedAtMs", ev.seq::float8 as seq, ev.data,
          json_agg(json_build_object('lotId', el.lot_id, 'role', el.role) order by el.lot_id, el.role) as lots,
          (select count(*) from reached)::int as "reachedCount"
        from event_lots el
        join reached r on r.id = el.lot_id
        join events ev on ev.id = el.event_id
        join organizations o on o.id = ev.organization_id
        where true ${after}
        group by ev.id, o.name
        order by ev.occurred_at, ev.seq
        limit ${options.limit}`,
  );
  const truncated = rows.length > 0 && Number(rows[0]!.reachedCount) > options.maxNodes;
  return {
    truncated,
    rows: rows.map((r) => ({
      ...r,
      occurredAtMs: Number(r.occurredAtMs),
      recordedAtMs: Number(r.recordedAtMs),
      seq: Number(r.seq),
      data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
      lots: (typeof r.lots === 'string' ? JSON.parse(r.lots) : r.lots) as { lotId: string; role: string }[],
    })),
  };
}
