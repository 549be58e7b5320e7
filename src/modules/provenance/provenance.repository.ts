import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';

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
  producerName: string;
  holderId: string;
  holderName: string;
  siteId: string | null;
  siteName: string | null;
  siteKind: string | null;
  siteRegionCode: string | null;
  siteLat: number | null;
  siteLon: number | null;
  createdByEventId: string;
  createdByType: string | null;
  createdByOccurredAtMs: number | null;
  createdByOccurredAtOffset: number | null;
  createdByProcess: unknown;
}

export interface GraphEdge {
  parentLotId: string;
  childLotId: string;
  eventId: string;
  parentQuantity: string;
  parentUnit: string;
}

export interface Graph {
  /** More lots than `maxNodes` were reachable; nodes and edges are then incomplete and must not be used. */
  truncated: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const nodeJson = sql`json_build_object(
  'id', l.id, 'lotNumber', l.lot_number, 'stage', l.stage, 'speciesCode', l.species_code, 'status', l.status,
  'quantity', l.quantity::text, 'remaining', l.remaining::text, 'unit', l.unit,
  'producedAtMs', (extract(epoch from l.produced_at) * 1000)::bigint, 'producedAtOffset', l.produced_at_offset,
  'attributes', l.attributes, 'origin', l.origin, 'gtin', l.gtin, 'shipmentId', l.shipment_id,
  'producerId', l.producer_id, 'producerName', p.name, 'holderId', l.holder_id, 'holderName', h.name,
  'siteId', l.site_id, 'siteName', s.name, 'siteKind', s.kind, 'siteRegionCode', s.region_code, 'siteLat', s.lat, 'siteLon', s.lon,
  'createdByEventId', l.created_by_event_id, 'createdByType', ev.type,
  'createdByOccurredAtMs', (extract(epoch from ev.occurred_at) * 1000)::bigint, 'createdByOccurredAtOffset', ev.occurred_at_offset,
  'createdByProcess', ev.data -> 'process')`;

const edgeJson = sql`json_build_object('parentLotId', e.parent_lot_id, 'childLotId', e.child_lot_id, 'eventId', e.event_id,
  'parentQuantity', e.parent_quantity::text, 'parentUnit', e.parent_unit)`;

/**
 * The upstream graph of a lot in one statement: a recursive walk up the edge table (child → parent, on the
 * child index), stopped after `maxNodes + 1` lots, then the lots with their organisations, sites and
 * creating events, and the edges among them, each aggregated to JSON inside the database.
 */
export function ancestorsQuery(lotId: string, maxNodes: number) {
  return sql`with recursive up(id) as (
      select ${lotId}::text
      union
      select e.parent_lot_id from lot_edges e join up on e.child_lot_id = up.id
    ), reached as materialized (select id from up limit ${maxNodes + 1})
    select (select count(*) from reached)::int as "count",
      (select json_agg(${nodeJson}) from reached r join lots l on l.id = r.id
         join organizations p on p.id = l.producer_id join organizations h on h.id = l.holder_id
         left join sites s on s.id = l.site_id left join events ev on ev.id = l.created_by_event_id) as "nodes",
      (select json_agg(${edgeJson}) from reached r join lot_edges e on e.child_lot_id = r.id) as "edges"`;
}

/** The downstream graph: every lot made from `lotId`, walking the edge table parent → child. */
export function descendantsQuery(lotId: string, maxNodes: number) {
  return sql`with recursive down(id) as (
      select ${lotId}::text
      union
      select e.child_lot_id from lot_edges e join down on e.parent_lot_id = down.id
    ), reached as materialized (select id from down limit ${maxNodes + 1})
    select (select count(*) from reached)::int as "count",
      (select json_agg(${nodeJson}) from reached r join lots l on l.id = r.id
         join organizations p on p.id = l.producer_id join organizations h on h.id = l.holder_id
         left join sites s on s.id = l.site_id left join events ev on ev.id = l.created_by_event_id) as "nodes",
      (select json_agg(${edgeJson}) from reached r join lot_edges e on e.parent_lot_id = r.id) as "edges"`;
}

async function runGraph(db: Database, query: ReturnType<typeof ancestorsQuery>, maxNodes: number): Promise<Graph> {
  const [row] = await queryRows<{ count: number; nodes: GraphNode[] | string | null; edges: GraphEdge[] | string | null }>(db, query);
  const parse = <T>(v: T[] | string | null | undefined): T[] => (v == null ? [] : typeof v === 'string' ? (JSON.parse(v) as T[]) : v);
  const count = Number(row?.count ?? 0);
  return { truncated: count > maxNodes, nodes: parse(row?.nodes).map(normaliseNode), edges: parse(row?.edges) };
}

// json_build_object renders bigint as a JSON number, but drivers differ on bigint columns elsewhere: be explicit.
function normaliseNode(n: GraphNode): GraphNode {
  return {
    ...n,
    producedAtMs: Number(n.producedAtMs),
    createdByOccurredAtMs: n.createdByOccurredAtMs === null ? null : Number(n.createdByOccurredAtMs),
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
          select e.child_lot_id from lot_edges e join down on e.parent_lot_id = down.id
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
          select e.parent_lot_id from lot_edges e join up on e.child_lot_id = up.id
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
