import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../access/actor.js';
import { authorizeEvent } from '../access/policy.js';
import { queryRows, textArray, type Database } from '../db/client.js';
import { NotFoundError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { formatOffsetTime, type OffsetTime } from '../lib/time.js';

/**
 * The event store: the only writer of events. Every change to the chain is one event, stored with the
 * organisation and the exact key or user that recorded it, when it happened (occurredAt) and when the server
 * stored it (recordedAt), the lots it concerns, and everything it changed in `data` (lab-result items,
 * certificate and GI-claim contents included), so that an event record alone says what happened. Writing an
 * event also enqueues it for the consumers (queue.ts), in the same transaction, through its transaction id.
 */
export type EventRole = 'input' | 'output' | 'subject' | 'shipped' | 'received' | 'returned' | 'cascade';

export interface NewEvent {
  /** Preset when another row written first must name the event (lots.created_by_event_id). */
  id?: string;
  type: string;
  /** The organisation the event is recorded for; the actor's own unless a regulator acts on another's lot. */
  organizationId?: string;
  occurredAt: OffsetTime;
  data: Record<string, unknown>;
  lots: { lotId: string; role: EventRole }[];
}

interface ActorColumns {
  organizationId: string;
  kind: 'api_key' | 'user' | 'admin';
  keyId: string | null;
  userId: string | null;
}

function actorColumns(actor: Actor, organizationId: string | undefined): ActorColumns {
  if (actor.kind === 'admin') {
    if (!organizationId) throw new Error('an event recorded by the admin must name its organisation');
    return { organizationId, kind: 'admin', keyId: null, userId: null };
  }
  return {
    organizationId: organizationId ?? actor.organizationId,
    kind: actor.userId ? 'user' : 'api_key',
    keyId: actor.keyId,
    userId: actor.userId,
  };
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * The statements that store one event: the events row (returning recorded_at) and its lot links, as CTE
 * members for a caller that writes the event together with other rows in one statement (the transformation
 * hot path, lots.repository writeChainRecords). `eventCte` names the events insert; `lotsCte` the links.
 */
export function eventWriteCtes(actor: Actor, event: NewEvent & { id: string }): { eventCte: SQL; lotsCte: SQL | undefined } {
  const a = actorColumns(actor, event.organizationId);
  const eventCte = sql`insert into events (id, type, organization_id, occurred_at, occurred_at_offset, data, actor_kind, actor_key_id, actor_user_id)
    values (${event.id}, ${event.type}, ${a.organizationId}, ${ts(event.occurredAt.at)}, ${event.occurredAt.offsetMinutes}::int,
            ${JSON.stringify(event.data)}::jsonb, ${a.kind}, ${a.keyId}, ${a.userId})
    returning recorded_at`;
  const lotsCte =
    event.lots.length === 0
      ? undefined
      : sql`insert into event_lots (event_id, lot_id, role) values ${sql.join(
          event.lots.map((l) => sql`(${event.id}, ${l.lotId}, ${l.role})`),
          sql`, `,
        )}`;
  return { eventCte, lotsCte };
}

/** Records one event and the lots it concerns (one statement); returns its id and the server's recordedAt. */
export async function recordEvent(db: Database, actor: Actor, event: NewEvent): Promise<{ id: string; recordedAt: Date }> {
  const id = event.id ?? newId('evt');
  const { eventCte, lotsCte } = eventWriteCtes(actor, { ...event, id });
  const rows = await queryRows<{ recorded_at: string | Date }>(
    db,
    lotsCte
      ? sql`with new_event as (${eventCte}), new_event_lots as (${lotsCte}) select recorded_at from new_event`
      : sql`with new_event as (${eventCte}) select recorded_at from new_event`,
  );
  return { id, recordedAt: new Date(rows[0]!.recorded_at) };
}

/**
 * The events of these lots of their own (made, shipped, held, observed...), without their consumption into other
 * lots: a lot drawn on by many products is an input of thousands of their events, which are those products'
 * record, not this chain's. What a lot chain's record is, for the EPCIS chain export and the consumer page's count
 * of records in the public log alike. A subquery of `event_id`, read index-only from event_lots_lot_id_own_idx.
 */
export const ownEventIdsOf = (lotIds: readonly string[]) =>
  sql`select distinct event_id from event_lots where lot_id = any(${textArray(lotIds)}) and role <> 'input'`;

/** An event as stored: what GET /v1/events/{id} answers and what consumers of the queue receive. */
export interface EventRecord {
  id: string;
  type: string;
  organization: { id: string; name: string };
  actor: { kind: string; keyId: string | null; userId: string | null };
  occurredAt: string;
  recordedAt: string;
  lots: { lotId: string; role: string }[];
  data: Record<string, unknown>;
}

export interface StoredEventRow {
  id: string;
  type: string;
  organization_id: string;
  organization_name: string;
  actor_kind: string;
  actor_key_id: string | null;
  actor_user_id: string | null;
  occurred_at: string;
  occurred_at_offset: number;
  recorded_at: string;
  lots: { lotId: string; role: string }[] | null;
  data: Record<string, unknown>;
  tx_id: string;
  seq: string | number;
}

/** The columns of an event record, for `select … from events e join organizations o`. */
export const EVENT_RECORD_COLUMNS = sql`e.id, e.type, e.organization_id, o.name as organization_name, e.actor_kind, e.actor_key_id,
  e.actor_user_id, e.occurred_at, e.occurred_at_offset, e.recorded_at, e.data, e.tx_id::text as tx_id, e.seq,
  (select jsonb_agg(jsonb_build_object('lotId', el.lot_id, 'role', el.role) order by el.lot_id, el.role)
     from event_lots el where el.event_id = e.id) as lots`;

export async function findEventRecord(db: Database, id: string): Promise<StoredEventRow | undefined> {
  const rows = await queryRows<StoredEventRow>(
    db,
    sql`select ${EVENT_RECORD_COLUMNS} from events e join organizations o on o.id = e.organization_id where e.id = ${id}`,
  );
  return rows[0];
}

/** A stored row as an event record (offset times as the client wrote them). */
export function toEventRecord(row: StoredEventRow): EventRecord {
  return {
    id: row.id,
    type: row.type,
    organization: { id: row.organization_id, name: row.organization_name },
    actor: { kind: row.actor_kind, keyId: row.actor_key_id, userId: row.actor_user_id },
    occurredAt: formatOffsetTime(new Date(row.occurred_at), Number(row.occurred_at_offset)),
    recordedAt: new Date(row.recorded_at).toISOString(),
    lots: row.lots ?? [],
    data: row.data,
  };
}

/** GET /v1/events/{id}: the record, for whoever may read it (access/policy.ts authorizeEvent); else 404. */
export async function readEvent(db: Database, actor: Actor, id: string): Promise<EventRecord> {
  const row = await findEventRecord(db, id);
  const record = row ? toEventRecord(row) : undefined;
  if (!record || !(await authorizeEvent(db, actor, { organizationId: record.organization.id, lots: record.lots }))) {
    throw new NotFoundError(`No event ${id}.`);
  }
  return record;
}
