import type { Database } from '../../db/client.js';
import { NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { add, fraction, fractionText, mul, ONE, toDecimals, ZERO, type Fraction } from '../../lib/fraction.js';
import { decimalJson, isMass, MASS_UNITS, quantityView, toMilli } from '../../lib/quantity.js';
import { jsonArray, jsonWithMembers, type JsonText } from '../../lib/json-text.js';
import { formatOffsetTime, instantInRange } from '../../lib/time.js';
import { readsEverything, type Actor } from '../../access/actor.js';
import { authorizeLot } from '../../access/policy.js';
import { findRegions, type RegionInfo } from '../regions/index.js';
import * as repo from './provenance.repository.js';
import type { DescendantsView, ProvenanceView, TimelineInput } from './provenance.schemas.js';

export interface GraphLimits {
  /** Most lots one graph query may reach before it is refused as too large. */
  maxNodes: number;
  /** Longest path allowed; real chains are a handful of stages with a few splits and repacks. */
  maxDepth: number;
}

/**
 * Who reads a lot's provenance (and its lineage timeline, and its verification): access/policy.ts
 * 'read-lineage': its producer and holders, past custodians, the receiver of a shipment it is in, every
 * organisation holding a lot made from it (a manufacturer verifying an input sees all upstream), regulators and
 * the admin. Anyone else is told the lot does not exist.
 */
export const requireProvenanceReader = (db: Database, actor: Actor, lotId: string, limits: GraphLimits) =>
  authorizeLot(db, actor, lotId, 'read-lineage', { lineageLimit: limits.maxNodes });

function tooLarge(what: string, limits: GraphLimits): RuleViolationError {
  return new RuleViolationError(
    'graph-too-large',
    `The ${what} graph of this lot has more than ${limits.maxNodes} lots or is deeper than ${limits.maxDepth} steps; ask for a lot further down or up the chain.`,
  );
}

// Ids are ASCII: plain code-unit order (localeCompare goes through ICU collation, ~1 µs a call, thousands per graph).
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byDistanceThenId = (a: { id: string; distance: number }, b: { id: string; distance: number }) => a.distance - b.distance || byId(a, b);

function siteView(s: repo.GraphSite, regions: Map<string, RegionInfo>) {
  return {
    id: s.id,
    organizationId: s.organizationId,
    name: s.name,
    kind: s.kind,
    regionCode: s.regionCode,
    regionName: regions.get(s.regionCode)?.fullName ?? s.regionCode,
    location: s.lat !== null && s.lon !== null ? { lat: s.lat, lon: s.lon } : null,
  };
}

/** The organisations and sites of a graph, with region names, as the answer lists them. */
async function dictionaries(db: Database, graph: repo.Graph) {
  const regions = await findRegions(db, [...graph.sites.map((s) => s.regionCode), ...graph.organizations.map((o) => o.regionCode)]);
  const sites = graph.sites.map((s) => siteView(s, regions)).sort(byId);
  const organizations = graph.organizations
    .map((o) => ({ id: o.id, name: o.name, regionCode: o.regionCode, regionName: regions.get(o.regionCode)?.fullName ?? o.regionCode }))
    .sort(byId);
  return { sites, organizations, sitesById: new Map(sites.map((s) => [s.id, s])), organizationsById: new Map(organizations.map((o) => [o.id, o])) };
}

/**
 * A lot of a graph answer (a GraphLot) as JSON, written out member by member: the free-form members are the
 * database's JSON text, the rest are serialised here (String of a number is its JSON). Ids, stages, statuses,
 * species codes, units and GTINs are generated or checked against a vocabulary and need no escaping; the lot
 * number is the one value a client typed, escaped unless it keeps to the lot number pattern (as it must).
 */
const PLAIN = /^[A-Za-z0-9._/-]*$/;
const nullable = (v: string | null) => (v === null ? 'null' : `"${v}"`);
function lotJson({ n, distance }: { n: repo.GraphNode; distance: number }): string {
  return (
    `{"id":"${n.id}","lotNumber":${PLAIN.test(n.lotNumber) ? `"${n.lotNumber}"` : JSON.stringify(n.lotNumber)},"stage":"${n.stage}",` +
    `"speciesCode":"${n.speciesCode}","status":"${n.status}","producerId":"${n.producerId}","holderId":"${n.holderId}",` +
    `"inTransit":${n.shipmentId !== null},"siteId":${nullable(n.siteId)},` +
    `"quantity":{"value":${decimalJson(n.quantity)},"unit":"${n.unit}"},` +
    `"remaining":{"value":${decimalJson(n.remaining)},"unit":"${n.unit}"},` +
    `"producedAt":"${formatOffsetTime(new Date(n.producedAtMs), n.producedAtOffset)}","origin":${n.originJson},"attributes":${n.attributesJson},` +
    `"gtin":${nullable(n.gtin)},"distance":${distance},"createdByEventId":"${n.createdByEventId}","process":${n.processJson ?? 'null'}}`
  );
}

/** An edge of a graph answer (a GraphEdge) as JSON text. */
const edgeJson = (e: repo.GraphEdge) =>
  `{"parentLotId":"${e.parentLotId}","childLotId":"${e.childLotId}","eventId":"${e.eventId}",` +
  `"quantity":{"value":${decimalJson(e.parentQuantity)},"unit":"${e.parentUnit}"}}`;

/** Fewest edges from `start` to every node, and the longest path, walking `next`. */
function distances(start: string, next: Map<string, string[]>): { distance: Map<string, number>; depth: number } {
  const distance = new Map([[start, 0]]);
  let frontier = [start];
  while (frontier.length > 0) {
    const following: string[] = [];
    for (const id of frontier) {
      for (const n of next.get(id) ?? []) {
        if (!distance.has(n)) {
          distance.set(n, distance.get(id)! + 1);
          following.push(n);
        }
      }
    }
    frontier = following;
  }
  // Longest path by memoised depth-first search (the graph is acyclic: edges only point to newer lots).
  const longest = new Map<string, number>();
  const visit = (id: string): number => {
    const known = longest.get(id);
    if (known !== undefined) return known;
    let best = 0;
    for (const n of next.get(id) ?? []) best = Math.max(best, visit(n) + 1);
    longest.set(id, best);
    return best;
  };
  const stack: string[] = [...distance.keys()].sort((a, b) => distance.get(b)! - distance.get(a)!);
  for (const id of stack) visit(id); // deepest first keeps the recursion shallow
  return { distance, depth: longest.get(start) ?? 0 };
}

/** Where material grew: walking up, the first harvest or cultivation lot; otherwise the root it came from. */
const ORIGIN_STAGES = new Set(['harvest', 'cultivation']);

/**
 * The share of the lot that traces to each origin lot. Each lot was made by one event; its parents
 * contribute in proportion to what the event consumed of each (in milligrams for mass, in pieces for a
 * count unit). When an event mixed units that do not convert, its inputs count equally and the basis is
 * reported as approximate. A split has one parent, so it passes the parent's shares on unchanged.
 */
export function originShares(targetId: string, nodes: Map<string, repo.GraphNode>, parentEdges: Map<string, repo.GraphEdge[]>) {
  const isStop = (id: string) => ORIGIN_STAGES.has(nodes.get(id)!.stage) || (parentEdges.get(id)?.length ?? 0) === 0;
  // Nodes that weight flows through, and how many of their children pass weight to them.
  const pending = new Map<string, number>();
  const seen = new Set([targetId]);
  const queue = [targetId];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (isStop(id)) continue;
    for (const parent of new Set((parentEdges.get(id) ?? []).map((e) => e.parentLotId))) {
      pending.set(parent, (pending.get(parent) ?? 0) + 1);
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }

  let approximate = false;
  const weight = new Map<string, Fraction>([[targetId, ONE]]);
  const origins = new Map<string, Fraction>();
  const ready = [targetId];
  while (ready.length > 0) {
    const id = ready.pop()!;
    const w = weight.get(id)!;
    if (isStop(id)) {
      origins.set(id, add(origins.get(id) ?? ZERO, w));
      continue;
    }
    const edges = parentEdges.get(id)!;
    const byParent = new Map<string, bigint>();
    const massOnly = edges.every((e) => isMass(e.parentUnit));
    const oneCountUnit = new Set(edges.map((e) => e.parentUnit)).size === 1;
    if (!massOnly && !oneCountUnit) approximate = true;
    for (const e of edges) {
      const amount = massOnly
        ? toMilli(e.parentQuantity) * MASS_UNITS[e.parentUnit as keyof typeof MASS_UNITS]
        : oneCountUnit
          ? toMilli(e.parentQuantity)
          : 1n;
      byParent.set(e.parentLotId, (byParent.get(e.parentLotId) ?? 0n) + amount);
    }
    const total = [...byParent.values()].reduce((s, v) => s + v, 0n);
    for (const [parent, amount] of byParent) {
      const share = total === 0n ? fraction(1n, BigInt(byParent.size)) : fraction(amount, total);
      weight.set(parent, add(weight.get(parent) ?? ZERO, mul(w, share)));
      const left = pending.get(parent)! - 1;
      pending.set(parent, left);
      if (left === 0) ready.push(parent);
    }
  }
  return { origins, approximate };
}

/** GET /v1/lots/{id}/provenance as JSON text (a Provenance, `nodes` written last). */
export async function getProvenance(db: Database, actor: Actor, lotId: string, limits: GraphLimits): Promise<JsonText> {
  // Regulators and the admin read every lot: the graph itself says whether the lot exists (its first lot is
  // the lot), which saves a round trip on the heaviest readers. Anyone else is checked first.
  if (!readsEverything(actor)) await requireProvenanceReader(db, actor, lotId, limits);
  const graph = await repo.fetchAncestors(db, lotId, limits.maxNodes);
  const lot = graph.nodes.find((n) => n.id === lotId);
  if (!lot) throw new NotFoundError(`No lot ${lotId}.`);
  if (graph.truncated) throw tooLarge('upstream', limits);

  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const parentEdges = new Map<string, repo.GraphEdge[]>();
  const parentsOf = new Map<string, string[]>();
  for (const e of graph.edges) {
    const edges = parentEdges.get(e.childLotId);
    if (edges) edges.push(e);
    else parentEdges.set(e.childLotId, [e]);
    const parents = parentsOf.get(e.childLotId);
    if (parents) parents.push(e.parentLotId);
    else parentsOf.set(e.childLotId, [e.parentLotId]);
  }
  const { distance, depth } = distances(lotId, parentsOf);
  if (depth > limits.maxDepth) throw tooLarge('upstream', limits);

  const roots = graph.nodes.filter((n) => (parentEdges.get(n.id)?.length ?? 0) === 0);
  const traced = (n: repo.GraphNode) => n.stage === 'seed' && n.origin.type !== 'external';
  const { origins, approximate } = originShares(lotId, nodes, parentEdges);
  const dict = await dictionaries(db, graph);

  const siteEntries = [...origins].map(([originLotId, share]) => {
    const n = nodes.get(originLotId)!;
    const site = n.siteId ? (dict.sitesById.get(n.siteId) ?? null) : null;
    return { site, traced: n.origin.type !== 'external', lotId: n.id, share: fraction(share.n, share.d) };
  });
  // Several origin lots at one site are one entry per site (lots at no site or external stay separate).
  const bySite = new Map<string, (typeof siteEntries)[number]>();
  for (const entry of siteEntries) {
    const key = entry.traced && entry.site ? `site:${entry.site.id}` : `lot:${entry.lotId}`;
    const existing = bySite.get(key);
    bySite.set(key, existing ? { ...existing, share: add(existing.share, entry.share) } : entry);
  }
  const sites = [...bySite.values()].sort((a, b) => (a.share.n * b.share.d > b.share.n * a.share.d ? -1 : 1));
  const siteDecimals = toDecimals(sites.map((s) => s.share));

  const byRegion = new Map<string | null, Fraction>();
  for (const s of sites) {
    const code = s.traced && s.site ? s.site.regionCode : null;
    byRegion.set(code, add(byRegion.get(code) ?? ZERO, s.share));
  }
  const regionList = [...byRegion].sort((a, b) => (a[1].n * b[1].d > b[1].n * a[1].d ? -1 : 1));
  const regionDecimals = toDecimals(regionList.map(([, f]) => f));

  const ordered = graph.nodes.map((n) => ({ id: n.id, distance: distance.get(n.id) ?? 0, n })).sort(byDistanceThenId);
  const view: Omit<ProvenanceView, 'nodes' | 'edges'> = {
    lot: { id: lot.id, lotNumber: lot.lotNumber, stage: lot.stage, speciesCode: lot.speciesCode },
    complete: roots.every(traced),
    nodeCount: graph.nodes.length,
    edgeCount: graph.edges.length,
    depth,
    organizations: dict.organizations,
    sites: dict.sites,
    untracedInputs: roots
      .filter((n) => n.origin.type === 'external')
      .map((n) => ({ lotId: n.id, lotNumber: n.lotNumber, stage: n.stage, origin: n.origin })),
    roots: roots.map((n) => ({ lotId: n.id, stage: n.stage, traced: traced(n) })),
    originShares: {
      basis: approximate ? 'approximate' : 'quantity',
      sites: sites.map((s, i) => ({ site: s.site, traced: s.traced, lotId: s.lotId, share: siteDecimals[i]!, fraction: fractionText(s.share) })),
      regions: regionList.map(([code, f], i) => ({
        regionCode: code,
        regionName: code ? (sites.find((s) => s.site?.regionCode === code)?.site?.regionName ?? code) : null,
        share: regionDecimals[i]!,
        fraction: fractionText(f),
      })),
    },
  };
  return jsonWithMembers(view, { edges: jsonArray(graph.edges, edgeJson), nodes: jsonArray(ordered, lotJson) });
}

/** GET /v1/lots/{id}/descendants as JSON text (a Descendants, `holders` written last). */
export async function getDescendants(db: Database, actor: Actor, lotId: string, limits: GraphLimits): Promise<JsonText> {
  const lot = await authorizeLot(db, actor, lotId, 'read-descendants');
  const graph = await repo.fetchDescendants(db, lotId, limits.maxNodes);
  if (graph.truncated) throw tooLarge('downstream', limits);

  const childrenOf = new Map<string, string[]>();
  for (const e of graph.edges) {
    const children = childrenOf.get(e.parentLotId);
    if (children) children.push(e.childLotId);
    else childrenOf.set(e.parentLotId, [e.childLotId]);
  }
  const { distance, depth } = distances(lotId, childrenOf);
  if (depth > limits.maxDepth) throw tooLarge('downstream', limits);
  const dict = await dictionaries(db, graph);

  const descendants = graph.nodes.filter((n) => n.id !== lotId);
  const holders = new Map<string, { organization: { id: string; name: string }; lots: { id: string; distance: number; n: repo.GraphNode }[] }>();
  for (const n of descendants) {
    const name = dict.organizationsById.get(n.holderId)?.name ?? n.holderId;
    const entry = holders.get(n.holderId) ?? { organization: { id: n.holderId, name }, lots: [] };
    entry.lots.push({ id: n.id, distance: distance.get(n.id) ?? 0, n });
    holders.set(n.holderId, entry);
  }
  const totals = new Map<string, { quantity: bigint; remaining: bigint; lots: number }>();
  // A product lot split or repacked from another product lot holds the same units again: count what was made
  // once (lots made from non-product inputs) and what remains everywhere.
  const stageOf = new Map(graph.nodes.map((n) => [n.id, n.stage]));
  const madeFromProduct = new Set(graph.edges.filter((e) => stageOf.get(e.parentLotId) === 'product').map((e) => e.childLotId));
  for (const n of descendants.filter((d) => d.stage === 'product')) {
    const t = totals.get(n.unit) ?? { quantity: 0n, remaining: 0n, lots: 0 };
    const made = madeFromProduct.has(n.id) ? 0n : toMilli(n.quantity);
    totals.set(n.unit, { quantity: t.quantity + made, remaining: t.remaining + toMilli(n.remaining), lots: t.lots + 1 });
  }
  const holderJson = [...holders.values()]
    .sort((a, b) => a.organization.name.localeCompare(b.organization.name))
    .map((h) => `{"organization":${JSON.stringify(h.organization)},"lots":${jsonArray(h.lots.sort(byDistanceThenId), lotJson)}}`);
  const view: Omit<DescendantsView, 'holders' | 'edges'> = {
    lot: { id: lot.id, lotNumber: lot.lotNumber, stage: lot.stage, speciesCode: lot.speciesCode },
    count: descendants.length,
    organizations: dict.organizations,
    sites: dict.sites,
    productTotals: [...totals].map(([unit, t]) => ({
      unit,
      quantity: quantityView(t.quantity, unit).value,
      remaining: quantityView(t.remaining, unit).value,
      lots: t.lots,
    })),
  };
  return jsonWithMembers(view, { edges: jsonArray(graph.edges, edgeJson), holders: `[${holderJson.join(',')}]` });
}

function encodeTimelineCursor(row: repo.LineageEventRow): string {
  return Buffer.from(JSON.stringify([row.occurredAtMs, row.seq])).toString('base64url');
}

function decodeTimelineCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  try {
    const [occurredAtMs, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // Only what encodeTimelineCursor writes: an instant in the one timestamp range and a bigint sequence number.
    if (typeof occurredAtMs === 'number' && instantInRange(occurredAtMs) && Number.isSafeInteger(seq) && (seq as number) >= 0) {
      return { occurredAtMs, seq: seq as number };
    }
  } catch {
    // fall through
  }
  throw ValidationError.field('cursor', 'is not a cursor this service issued');
}

/**
 * Who recorded a timeline event: the kind always; which person or key, by id and name, only to readers of the
 * same organisation, regulators and the admin. A downstream buyer reading the lineage learns which organisation
 * recorded a harvest, not the names of its members.
 */
function recordedBy(reader: Actor, r: { organizationId: string; actorKind: string; actorId: string | null; actorName: string | null }) {
  const insider = readsEverything(reader) || (reader.kind === 'organization' && reader.organizationId === r.organizationId);
  return { kind: r.actorKind as 'user' | 'api_key' | 'admin', id: insider ? r.actorId : null, name: insider ? r.actorName : null };
}

/** GET /v1/lots/{id}/timeline: the events of the lot and its ancestors (scope=lineage) in time order. */
export async function getTimeline(db: Database, actor: Actor, lotId: string, query: TimelineInput, limits: GraphLimits) {
  await requireProvenanceReader(db, actor, lotId, limits);
  const limit = query.limit ?? 200;
  const { truncated, rows } = await repo.lineageEvents(db, lotId, {
    maxNodes: limits.maxNodes,
    limit: limit + 1,
    includeAncestors: (query.scope ?? 'lineage') === 'lineage',
    after: decodeTimelineCursor(query.cursor),
  });
  if (truncated) throw tooLarge('upstream', limits);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      type: r.type,
      role: r.lots.find((l) => l.lotId === lotId)?.role ?? null,
      lots: r.lots,
      organization: { id: r.organizationId, name: r.organizationName },
      occurredAt: formatOffsetTime(new Date(r.occurredAtMs), r.occurredAtOffset),
      recordedAt: new Date(r.recordedAtMs).toISOString(),
      recordedBy: recordedBy(actor, r),
      data: r.data,
    })),
    nextCursor: rows.length > limit ? encodeTimelineCursor(page.at(-1)!) : null,
  };
}
