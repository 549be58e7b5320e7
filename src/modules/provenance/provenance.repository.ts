import { sql } from 'drizzle-orm';
import { queryPrepared, queryPreparedValues, queryRows, type Database } from '../../db/client.js';

/**
 * One lot of a lineage graph, as the graph queries return it: quantities as decimal text, and its free-form JSON
 * members (origin, attributes, process) as the database's JSON text, which answers pass on without parsing
 * (`origin` is also parsed: the services reason on its type).
 */
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
  origin: { type: string } & Record<string, unknown>;
  originJson: string;
  attributesJson: string;
  processJson: string | null;
  gtin: string | null;
  shipmentId: string | null;
  producerId: string;
  holderId: string;
  siteId: string | null;
  createdByEventId: string;
}

/** A node's attributes and process, parsed (for the few readers of their content). */
export function nodeDetail(n: GraphNode): { attributes: Record<string, unknown>; process: unknown } {
  return { attributes: JSON.parse(n.attributesJson) as Record<string, unknown>, process: n.processJson === null ? null : JSON.parse(n.processJson) };
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

/** The organisations and sites the lots of `nodes` name, as JSON arrays. */
const organizationsJson = sql`(select json_agg(json_build_array(o.id, o.name, o.region_code)) from organizations o
        where o.id in (select producer_id from nodes union select holder_id from nodes))`;
const sitesJson = sql`(select json_agg(json_build_array(s.id, s.organization_id, s.name, s.kind, s.region_code, s.lat, s.lon)) from sites s
        where s.id in (select site_id from nodes))`;

/**
 * A graph lot's columns, in the positions nodeOf reads: the descendants' JSON arrays and the ancestors' rows
 * both carry them (with their aliases in the rows, where the fallback on PGlite reads rows as objects).
 */
const NODE_COLUMNS: [expression: string, alias: string][] = [
  ['l.id', 'id'], ['l.lot_number', 'lot_number'], ['l.stage', 'stage'], ['l.species_code', 'species_code'], ['l.status', 'status'],
  ['l.quantity::text', 'quantity'], ['l.remaining::text', 'remaining'], ['l.unit', 'unit'],
  ['(extract(epoch from l.produced_at) * 1000)::float8', 'produced_ms'], ['l.produced_at_offset', 'produced_at_offset'],
  ['l.origin::text', 'origin'], ['l.attributes::text', 'attributes'], ['l.process::text', 'process'], ['l.gtin', 'gtin'],
  ['l.shipment_id', 'shipment_id'], ['l.producer_id', 'producer_id'], ['l.holder_id', 'holder_id'], ['l.site_id', 'site_id'],
  ['l.created_by_event_id', 'created_by_event_id'],
];
const nodeValues = sql.raw(NODE_COLUMNS.map(([expression]) => expression).join(', '));
const nodeSelect = sql.raw(NODE_COLUMNS.map(([expression, alias]) => `${expression} as ${alias}`).join(', '));

/** The JSON arrays of a graph answer, from its `nodes` and `edges`. */
const graphArrays = sql`(select json_agg(json_build_array(${nodeValues})) from nodes l) as "nodes",
      (select json_agg(json_build_array(e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity::text, e.parent_unit)) from edges e) as "edges",
      ${organizationsJson} as "organizations", ${sitesJson} as "sites"`;

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
  return sql`with recursive walk(parent_lot_id, child_lot_id, event_id, parent_quantity, parent_unit) as (
      select e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity, e.parent_unit from lot_edges e where e.parent_lot_id = ${lotId}
      union
      -- Per-row index lookups, always: on some lots the planner's estimate would pick a hash of the whole
      -- edge table on every step (OFFSET 0 keeps the lateral subquery from being flattened into a join).
      select e.parent_lot_id, e.child_lot_id, e.event_id, e.parent_quantity, e.parent_unit
      from walk w cross join lateral (select * from lot_edges x where x.parent_lot_id = w.child_lot_id offset 0) e
    ), edges as materialized (select * from walk limit ${maxNodes * EDGES_PER_NODE + 1}),
    ids as materialized (select ${lotId}::text as id union select child_lot_id from edges limit ${maxNodes + 1}),
    -- LATERAL … LIMIT 1 keeps these lookups on the primary key: the LIMITs above make the planner expect far
    -- more rows than a lineage has, and it would otherwise hash the whole lots table.
    nodes as materialized (select l.* from ids cross join lateral (select * from lots where lots.id = ids.id limit 1) l)
    select (select count(*) from edges)::int as "edgeCount", (select count(*) from ids)::int as "nodeCount", ${graphArrays}`;
}

/**
 * Upstream: a recursive walk over the lots themselves, each carrying its parents (lots.parent_*, the copy of its
 * edges): one primary-key index scan per lot for all its parents, the lot rows coming with it, where walking
 * lot_edges took an edge lookup and then a lot lookup for each ancestor. Stopped past the node limit.
 *
 * The answer is a row per lot, plain text columns (no JSON built in the database: on 1,600 lots that cost more
 * than the walk), its edges as the parents' lists (each edge's event is the one that made the lot), then one last
 * row with the organisations and sites as JSON. Rows stream, so the service parses while the database writes.
 */
export function ancestorsQuery(lotId: string, maxNodes: number) {
  return sql`with recursive walk as (
      select ${LOT_COLUMNS} from lots where id = ${lotId}
      union
      -- LATERAL … OFFSET 0 keeps the lookup on the primary key whatever the planner expects of the walk (it would
      -- otherwise hash the whole lots table).
      select p.* from walk w cross join lateral (select ${LOT_COLUMNS} from lots x where x.id = any(w.parent_lot_ids) offset 0) p
    ), nodes as materialized (select * from walk limit ${maxNodes + 1})
    select ${nodeSelect},
      -- Lot ids, quantities and units hold no comma (generated ids, numbers, the unit vocabulary).
      array_to_string(l.parent_lot_ids, ',') as parent_ids, array_to_string(l.parent_quantities, ',') as parent_quantities,
      array_to_string(l.parent_units, ',') as parent_units, null::json as dictionaries
    from nodes l
    union all
    select ${sql.raw(Array(NODE_COLUMNS.length + 3).fill('null').join(', '))},
      json_build_array(${organizationsJson}, ${sitesJson})`;
}

type Row = { edgeCount: number; nodeCount: number; nodes: unknown; edges: unknown; organizations: unknown; sites: unknown };
const arrays = (v: unknown): unknown[][] => (v == null ? [] : ((typeof v === 'string' ? JSON.parse(v) : v) as unknown[][]));

/** Most lots carry the same small origin ({"type": "chain"}): parsed once per text. */
function originParser() {
  const seen = new Map<string, GraphNode['origin']>();
  return (text: string) => {
    let origin = seen.get(text);
    if (!origin) seen.set(text, (origin = JSON.parse(text) as GraphNode['origin']));
    return origin;
  };
}

const organizationsOf = (v: unknown): GraphOrganization[] =>
  arrays(v).map((a) => ({ id: a[0] as string, name: a[1] as string, regionCode: a[2] as string }));
const sitesOf = (v: unknown): GraphSite[] =>
  arrays(v).map((a) => ({
    id: a[0] as string,
    organizationId: a[1] as string,
    name: a[2] as string,
    kind: a[3] as string,
    regionCode: a[4] as string,
    lat: a[5] as number | null,
    lon: a[6] as number | null,
  }));

/** A graph lot from its columns (NODE_COLUMNS order). */
function nodeOf(a: unknown[], origin: (text: string) => GraphNode['origin']): GraphNode {
  return {
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
    originJson: a[10] as string,
    origin: origin(a[10] as string),
    attributesJson: a[11] as string,
    processJson: (a[12] as string | null) ?? null,
    gtin: (a[13] as string | null) ?? null,
    shipmentId: (a[14] as string | null) ?? null,
    producerId: a[15] as string,
    holderId: a[16] as string,
    siteId: (a[17] as string | null) ?? null,
    createdByEventId: a[18] as string,
  };
}

async function runDescendants(db: Database, query: ReturnType<typeof descendantsQuery>, maxNodes: number): Promise<Graph> {
  const [row] = await queryPrepared<Row>(db, query);
  const truncated = Number(row?.nodeCount ?? 0) > maxNodes || Number(row?.edgeCount ?? 0) > maxNodes * EDGES_PER_NODE;
  const origin = originParser();
  return {
    truncated,
    nodes: arrays(row?.nodes).map((a) => nodeOf(a, origin)),
    edges: arrays(row?.edges).map((a) => ({
      parentLotId: a[0] as string,
      childLotId: a[1] as string,
      eventId: a[2] as string,
      parentQuantity: a[3] as string,
      parentUnit: a[4] as string,
    })),
    organizations: organizationsOf(row?.organizations),
    sites: sitesOf(row?.sites),
  };
}

async function runAncestors(db: Database, lotId: string, maxNodes: number): Promise<Graph> {
  const rows = await queryPreparedValues(db, ancestorsQuery(lotId, maxNodes));
  const origin = originParser();
  const graph: Graph = { truncated: false, nodes: [], edges: [], organizations: [], sites: [] };
  const parents = NODE_COLUMNS.length; // then parent ids, quantities, units, and the dictionaries
  for (const r of rows as (string | null)[][]) {
    if (r[0] === null) {
      const [organizations, sites] = arrays(r[parents + 3]);
      graph.organizations = organizationsOf(organizations);
      graph.sites = sitesOf(sites);
      continue;
    }
    const node = nodeOf(r, origin);
    graph.nodes.push(node);
    if (r[parents] === '') continue;
    const quantities = r[parents + 1]!.split(',');
    const units = r[parents + 2]!.split(',');
    r[parents]!.split(',').forEach((parentLotId, i) =>
      graph.edges.push({ parentLotId, childLotId: node.id, eventId: node.createdByEventId, parentQuantity: quantities[i]!, parentUnit: units[i]! }),
    );
  }
  graph.truncated = graph.nodes.length > maxNodes || graph.edges.length > maxNodes * EDGES_PER_NODE;
  return graph;
}

export const fetchAncestors = (db: Database, lotId: string, maxNodes: number) => runAncestors(db, lotId, maxNodes);
export const fetchDescendants = (db: Database, lotId: string, maxNodes: number) => runDescendants(db, descendantsQuery(lotId, maxNodes), maxNodes);

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
  /** Who recorded it: user, api_key or admin, the user's or key's id and name. */
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
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
          (select count(*) from reached)::int as "reachedCount",
          ev.actor_kind as "actorKind", coalesce(ev.actor_user_id, ev.actor_key_id) as "actorId", coalesce(u.name, k.name) as "actorName"
        from event_lots el
        join reached r on r.id = el.lot_id
        join events ev on ev.id = el.event_id
        join organizations o on o.id = ev.organization_id
        left join users u on u.id = ev.actor_user_id
        left join api_keys k on k.id = ev.actor_key_id
        where true ${after}
        group by ev.id, o.name, u.name, k.name
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
