import { and, asc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { queryRows, type Database } from '../../db/client.js';
import { lotEdges, lots, organizations, shipments, sites } from '../../db/schema.js';
import type { CursorPosition } from '../../lib/pagination.js';

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
    .set(siteId ? { holderId, siteId, shipmentId: null } : { holderId, shipmentId: null })
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
          select e.child_lot_id from lot_edges e join d on e.parent_lot_id = d.id
        )
        select id from d`,
  );
  return rows.map((r) => r.id);
}

const producer = alias(organizations, 'producer');
const holder = alias(organizations, 'holder');

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
      shipmentToOrganizationId: shipments.toOrganizationId,
    })
    .from(lots)
    .innerJoin(producer, eq(producer.id, lots.producerId))
    .innerJoin(holder, eq(holder.id, lots.holderId))
    .leftJoin(sites, eq(sites.id, lots.siteId))
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
  holderId?: string | undefined;
  status?: string | undefined;
  after?: CursorPosition | undefined;
}): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (filter.visibleTo) conditions.push(or(eq(lots.holderId, filter.visibleTo), eq(lots.producerId, filter.visibleTo)));
  if (filter.stage) conditions.push(eq(lots.stage, filter.stage));
  if (filter.speciesCode) conditions.push(eq(lots.speciesCode, filter.speciesCode));
  if (filter.holderId) conditions.push(eq(lots.holderId, filter.holderId));
  if (filter.status) conditions.push(eq(lots.status, filter.status));
  if (filter.after) {
    const { createdAt, id } = filter.after;
    conditions.push(or(gt(lots.createdAt, createdAt), and(eq(lots.createdAt, createdAt), gt(lots.id, id))));
  }
  return and(...conditions);
}

export { lots as lotsTable };
