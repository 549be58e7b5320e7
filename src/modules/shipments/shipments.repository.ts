import { and, asc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.js';
import { organizations, shipmentLines, shipments } from '../../db/schema.js';
import { afterPosition, type CursorPosition } from '../../lib/pagination.js';

export type ShipmentRow = typeof shipments.$inferSelect;

export async function insertShipment(db: Database, row: typeof shipments.$inferInsert, lines: (typeof shipmentLines.$inferInsert)[]) {
  await db.insert(shipments).values(row);
  await db.insert(shipmentLines).values(lines);
}

export async function lockShipment(db: Database, id: string): Promise<ShipmentRow | undefined> {
  const rows = await db.select().from(shipments).where(eq(shipments.id, id)).for('update');
  return rows[0];
}

export async function findShipment(db: Database, id: string): Promise<ShipmentRow | undefined> {
  const rows = await db.select().from(shipments).where(eq(shipments.id, id));
  return rows[0];
}

export async function closeShipment(
  db: Database,
  id: string,
  status: 'received' | 'refused',
  closedAt: Date,
  closedAtOffset: number,
  closeEventId: string,
) {
  await db.update(shipments).set({ status, closedAt, closedAtOffset, closeEventId }).where(eq(shipments.id, id));
}

export async function linesOf(db: Database, shipmentIds: string[]) {
  if (shipmentIds.length === 0) return [];
  return db.select().from(shipmentLines).where(inArray(shipmentLines.shipmentId, shipmentIds)).orderBy(asc(shipmentLines.shipmentId), asc(shipmentLines.lineNo));
}

const sender = alias(organizations, 'sender');
const receiver = alias(organizations, 'receiver');

export async function shipmentsWithNames(db: Database, where: SQL | undefined, limit: number) {
  return db
    .select({ shipment: shipments, fromName: sender.name, toName: receiver.name })
    .from(shipments)
    .innerJoin(sender, eq(sender.id, shipments.fromOrganizationId))
    .innerJoin(receiver, eq(receiver.id, shipments.toOrganizationId))
    .where(where)
    .orderBy(asc(shipments.createdAt), asc(shipments.id))
    .limit(limit);
}

export function shipmentConditions(filter: {
  id?: string;
  party?: string | undefined;
  direction?: 'incoming' | 'outgoing' | undefined;
  status?: string | undefined;
  after?: CursorPosition | undefined;
}): SQL | undefined {
  const c: (SQL | undefined)[] = [];
  if (filter.id) c.push(eq(shipments.id, filter.id));
  if (filter.party) {
    if (filter.direction === 'incoming') c.push(eq(shipments.toOrganizationId, filter.party));
    else if (filter.direction === 'outgoing') c.push(eq(shipments.fromOrganizationId, filter.party));
    else c.push(or(eq(shipments.toOrganizationId, filter.party), eq(shipments.fromOrganizationId, filter.party)));
  }
  if (filter.status) c.push(eq(shipments.status, filter.status));
  c.push(afterPosition(shipments.createdAt, shipments.id, filter.after));
  return and(...c);
}
