import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { eventLots, events } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { OffsetTime } from '../../lib/time.js';

export type EventRole = 'input' | 'output' | 'subject' | 'shipped' | 'received' | 'returned' | 'cascade';

export interface NewEvent {
  /** Preset when another row written first must name the event (lots.created_by_event_id). */
  id?: string;
  type: string;
  organizationId: string;
  occurredAt: OffsetTime;
  data: Record<string, unknown>;
  lots: { lotId: string; role: EventRole }[];
}

/** Appends one event and the lots it concerns; returns its id and the server's recordedAt. */
export async function appendEvent(db: Database, event: NewEvent): Promise<{ id: string; recordedAt: Date }> {
  const id = event.id ?? newId('evt');
  const [row] = await db
    .insert(events)
    .values({
      id,
      type: event.type,
      organizationId: event.organizationId,
      occurredAt: event.occurredAt.at,
      occurredAtOffset: event.occurredAt.offsetMinutes,
      data: event.data,
      actorKind: 'api_key',
    })
    .returning({ recordedAt: events.recordedAt });
  if (event.lots.length > 0) {
    await db.insert(eventLots).values(event.lots.map((l) => ({ eventId: id, lotId: l.lotId, role: l.role })));
  }
  return { id, recordedAt: row!.recordedAt };
}

/** Whether the organisation ever acted on the lot (past custodians keep read access). */
export async function organizationActedOnLot(db: Database, organizationId: string, lotId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(eventLots)
    .innerJoin(events, eq(events.id, eventLots.eventId))
    .where(and(eq(eventLots.lotId, lotId), eq(events.organizationId, organizationId)))
    .limit(1);
  return rows.length > 0;
}
