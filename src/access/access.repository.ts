import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { eventLots, events, labGrants, lots, shipments } from '../db/schema.js';

/**
 * The facts the access policy decides on, read straight from the tables (the policy sits below the modules,
 * so it reads no module's repository). Each function answers on no rows for an unknown id, at the same cost.
 */
export type LotRow = typeof lots.$inferSelect;

export async function findLot(db: Database, id: string): Promise<LotRow | undefined> {
  const rows = await db.select().from(lots).where(eq(lots.id, id));
  return rows[0];
}

/** One lookup also without a shipment (a lot not in transit), so both paths cost the same. */
export async function isShipmentReceiver(db: Database, shipmentId: string | null, organizationId: string): Promise<boolean> {
  const rows = await db.select({ to: shipments.toOrganizationId }).from(shipments).where(eq(shipments.id, shipmentId ?? ''));
  return rows[0]?.to === organizationId;
}

/** Whether the organisation ever recorded an event on the lot (past custodians keep read access). */
export async function actedOnLot(db: Database, organizationId: string, lotId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(eventLots)
    .innerJoin(events, eq(events.id, eventLots.eventId))
    .where(and(eq(eventLots.lotId, lotId), eq(events.organizationId, organizationId)))
    .limit(1);
  return rows.length > 0;
}

/** A lab grant by the lot's current holder (a grant by an earlier holder lapses with custody). */
export async function grantedByHolder(db: Database, lot: { id: string; holderId: string }, labOrganizationId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(labGrants)
    .where(and(eq(labGrants.lotId, lot.id), eq(labGrants.labOrganizationId, labOrganizationId), eq(labGrants.grantedBy, lot.holderId)))
    .limit(1);
  return rows.length > 0;
}

/** Whether the organisation holds (or is receiving) a lot made from this one, within `maxNodes` descendants. */
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
