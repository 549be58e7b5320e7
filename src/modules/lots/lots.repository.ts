import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../../access/actor.js';
import { queryRows, type Database } from '../../db/client.js';
import { eventWriteCtes, type NewEvent } from '../../events/index.js';
import { lotEdges, lots, organizations, shipments, sites } from '../../db/schema.js';
import { afterPosition, type CursorPosition } from '../../lib/pagination.js';

export type LotRow = typeof lots.$inferSelect;
export type NewLotRow = typeof lots.$inferInsert;

export async function insertLots(db: Database, rows: NewLotRow[]): Promise<void> {
  if (rows.length > 0) await db.insert(lots).values(rows);
}

/**
 * Locks the lots (in id order, so two requests drawing on the same lots cannot deadlock) and returns them.
 * Inside a transaction this is what makes two concurrent draws on one lot take turns.
 */
export async function lockLots(db: Database, ids: string[]): Promise<Map<string, LotRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(lots)
    .where(inArray(lots.id, ids))
    .orderBy(asc(lots.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, r]));
}

export async function findLot(db: Database, id: string): Promise<LotRow | undefined> {
  const rows = await db.select().from(lots).where(eq(lots.id, id));
  return rows[0];
}

/** Lot numbers among `lotNumbers` that the producer already uses. */
export async function existingLotNumbers(db: Database, producerId: string, lotNumbers: string[]): Promise<string[]> {
  if (lotNumbers.length === 0) return [];
  const rows = await db
    .select({ lotNumber: lots.lotNumber })
    .from(lots)
    .where(and(eq(lots.producerId, producerId), inArray(lots.lotNumber, lotNumbers)));
  return rows.map((r) => r.lotNumber);
}

/** Sets the remaining quantity of several lots in one statement (values are decimal strings). */
export async function setRemaining(db: Database, updates: { id: string; remaining: string }[]): Promise<void> {
  if (updates.length === 0) return;
  const values = sql.join(
    updates.map((u) => sql`(${u.id}::text, ${u.remaining}::numeric)`),
    sql`, `,
  );
  await db.execute(sql`update lots set remaining = v.remaining from (values ${values}) as v(id, remaining) where lots.id = v.id`);
}

export async function setShipment(db: Database, ids: string[], shipmentId: string | null): Promise<void> {
  if (ids.length > 0) await db.update(lots).set({ shipmentId }).where(inArray(lots.id, ids));
}

export async function setHolder(db: Database, ids: string[], holderId: string, siteId: string | undefined): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(lots)
    .set(siteId ? { holderId, locationSiteId: siteId, shipmentId: null } : { holderId, shipmentId: null })
    .where(inArray(lots.id, ids));
}

export async function setStatus(db: Database, ids: string[], status: string): Promise<void> {
  if (ids.length > 0) await db.update(lots).set({ status }).where(inArray(lots.id, ids));
}

export async function insertEdges(db: Database, rows: (typeof lotEdges.$inferInsert)[]): Promise<void> {
  if (rows.length > 0) await db.insert(lotEdges).values(rows);
}

export async function countChildren(db: Database, parentLotId: string): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(distinct ${lotEdges.childLotId})::int` }).from(lotEdges).where(eq(lotEdges.parentLotId, parentLotId));
  return Number(rows[0]?.n ?? 0);
}

/** Every lot made from `lotId`, at any depth (one recursive query over the edge table). */
export async function descendantIds(db: Database, lotId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with recursive d(id) as (
          select child_lot_id from lot_edges where parent_lot_id = ${lotId}
          union
          select e.child_lot_id from d cross join lateral (select child_lot_id from lot_edges x where x.parent_lot_id = d.id offset 0) e
        )
        select id from d`,
  );
  return rows.map((r) => r.id);
}

const producer = alias(organizations, 'producer');
const holder = alias(organizations, 'holder');
const location = alias(sites, 'location');

/** Lots with the names of producer, holder and site, and the receiver of a shipment in transit. */
export async function lotDetails(db: Database, where: SQL | undefined, limit?: number) {
  const query = db
    .select({
      lot: lots,
      producerName: producer.name,
      holderName: holder.name,
      siteName: sites.name,
      siteKind: sites.kind,
      siteRegionCode: sites.regionCode,
      siteLat: sites.lat,
      siteLon: sites.lon,
      siteOrganizationId: sites.organizationId,
      locationName: location.name,
      shipmentToOrganizationId: shipments.toOrganizationId,
    })
    .from(lots)
    .innerJoin(producer, eq(producer.id, lots.producerId))
    .innerJoin(holder, eq(holder.id, lots.holderId))
    .leftJoin(sites, eq(sites.id, lots.siteId))
    .leftJoin(location, eq(location.id, lots.locationSiteId))
    .leftJoin(shipments, eq(shipments.id, lots.shipmentId))
    .where(where)
    .orderBy(asc(lots.createdAt), asc(lots.id));
  return limit === undefined ? query : query.limit(limit);
}
export type LotDetailRow = Awaited<ReturnType<typeof lotDetails>>[number];

export function lotListConditions(filter: {
  visibleTo?: string | undefined;
  stage?: string | undefined;
  speciesCode?: string | undefined;
  lotNumber?: string | undefined;
  producerId?: string | undefined;
  holderId?: string | undefined;
  status?: string | undefined;
  after?: CursorPosition | undefined;
}): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.visibleTo) conditions.push(or(eq(lots.holderId, filter.visibleTo), eq(lots.producerId, filter.visibleTo)));
  if (filter.stage) conditions.push(eq(lots.stage, filter.stage));
  if (filter.speciesCode) conditions.push(eq(lots.speciesCode, filter.speciesCode));
  if (filter.lotNumber) conditions.push(eq(lots.lotNumber, filter.lotNumber));
  if (filter.producerId) conditions.push(eq(lots.producerId, filter.producerId));
  if (filter.holderId) conditions.push(eq(lots.holderId, filter.holderId));
  if (filter.status) conditions.push(eq(lots.status, filter.status));
  conditions.push(afterPosition(lots.createdAt, lots.id, filter.after));
  return and(...conditions);
}

export { lots as lotsTable };

/** A PostgreSQL array literal of text values, each quoted (drizzle would spread a JS array into a list). */
function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export interface ChainRecords {
  lots: NewLotRow[];
  /** The event, written by the event store's statements (events/event-store.ts eventWriteCtes). */
  event: NewEvent & { id: string };
  edges: { parentLotId: string; childLotId: string; parentQuantity: string; parentUnit: string }[];
  remaining: { id: string; remaining: string }[];
}

/**
 * Writes a transformation in one statement: the output lots, the event with its lot links, the edges and
 * the inputs' new remaining quantities. This is the hot path of the chain, and one round trip instead of
 * five is most of its cost. Foreign keys between the parts are checked at the end of the statement.
 */
export async function writeChainRecords(db: Database, actor: Actor, r: ChainRecords): Promise<Date> {
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  // Each new lot carries a copy of its edges (lots.parent_*), in parent id order like the migration's backfill.
  const parentsOf = new Map<string, ChainRecords['edges']>();
  for (const g of [...r.edges].sort((a, b) => (a.parentLotId < b.parentLotId ? -1 : a.parentLotId > b.parentLotId ? 1 : 0))) {
    parentsOf.set(g.childLotId, [...(parentsOf.get(g.childLotId) ?? []), g]);
  }
  const lotValues = sql.join(
    r.lots.map((l) => {
      const parents = parentsOf.get(l.id) ?? [];
      return sql`(${l.id}, ${l.lotNumber}, ${l.stage}, ${l.speciesCode}, ${l.producerId}, ${l.holderId}, ${l.siteId ?? null},
        ${l.quantity}::numeric, ${l.remaining}::numeric, ${l.unit}, ${l.status ?? 'active'}, ${ts(l.producedAt)}, ${l.producedAtOffset}::int,
        ${JSON.stringify(l.attributes)}::jsonb, ${JSON.stringify(l.origin)}::jsonb, ${l.process === undefined || l.process === null ? null : JSON.stringify(l.process)}::jsonb,
        ${l.gtin ?? null}, ${l.createdByEventId}, ${pgTextArray(parents.map((g) => g.parentLotId))}::text[],
        ${pgTextArray(parents.map((g) => g.parentQuantity))}::numeric[], ${pgTextArray(parents.map((g) => g.parentUnit))}::text[])`;
    }),
    sql`, `,
  );
  const e = r.event;
  const { eventCte, lotsCte } = eventWriteCtes(actor, e);
  const edgeValues = sql.join(
    r.edges.map((g) => sql`(${g.parentLotId}, ${g.childLotId}, ${e.id}, ${g.parentQuantity}::numeric, ${g.parentUnit})`),
    sql`, `,
  );
  const remainingValues = sql.join(r.remaining.map((u) => sql`(${u.id}::text, ${u.remaining}::numeric)`), sql`, `);
  const rows = await queryRows<{ recorded_at: string | Date }>(
    db,
    sql`with new_lots as (
          insert into lots (id, lot_number, stage, species_code, producer_id, holder_id, site_id, quantity, remaining, unit,
                            status, produced_at, produced_at_offset, attributes, origin, process, gtin, created_by_event_id,
                            parent_lot_ids, parent_quantities, parent_units)
          values ${lotValues}
        ), new_event as (${eventCte}
        ), new_event_lots as (${lotsCte ?? sql`select 1`}
        ), new_edges as (
          insert into lot_edges (parent_lot_id, child_lot_id, event_id, parent_quantity, parent_unit) values ${edgeValues}
        ), drawn as (
          update lots set remaining = v.remaining from (values ${remainingValues}) as v(id, remaining) where lots.id = v.id
        )
        select recorded_at from new_event`,
  );
  return new Date(rows[0]!.recorded_at);
}
