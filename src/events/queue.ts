import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.js';
import { EVENT_RECORD_COLUMNS, toEventRecord, type EventRecord, type StoredEventRow } from './event-store.js';

/**
 * The event queue that consumers (the verifiable log, EPCIS subscriptions, notifications) drain. It is the
 * events table itself, read in (tx_id, seq) order, where tx_id is the writing transaction's id: a consumer
 * only takes events of transactions older than the oldest transaction still running
 * (pg_snapshot_xmin(pg_current_snapshot())). Those have all committed or rolled back, so no event can later
 * appear before the consumer's position: a transaction that began first and commits last is waited for, not
 * skipped (a plain "seq greater than the last one seen" reader would skip it for good). Events are delivered
 * once each, in the same order to every consumer; a consumer's position moves in the same transaction as its
 * handler's writes. The price: a consumer waits for the oldest write transaction running anywhere on the
 * PostgreSQL server (other databases included), so a long transaction delays delivery (never loses an event).
 */
export interface QueuePosition {
  txId: string;
  seq: number;
}

export const QUEUE_START: QueuePosition = { txId: '0', seq: 0 };

/** Up to `limit` events after `after` whose transactions are all finished, in queue order. */
export async function readQueue(db: Database, after: QueuePosition, limit: number): Promise<{ records: EventRecord[]; last: QueuePosition | undefined }> {
  const rows = await queryRows<StoredEventRow>(
    db,
    sql`select ${EVENT_RECORD_COLUMNS} from events e join organizations o on o.id = e.organization_id
        where (e.tx_id, e.seq) > (${after.txId}::xid8, ${after.seq}::bigint)
          and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by e.tx_id, e.seq
        limit ${limit}::int`,
  );
  const tail = rows[rows.length - 1];
  return { records: rows.map(toEventRecord), last: tail ? { txId: tail.tx_id, seq: Number(tail.seq) } : undefined };
}

/**
 * Hands the next events (at most `limit`) to `handle` inside one transaction and moves the consumer's
 * position past them when `handle` succeeds; returns how many it handled (0 when none are ready). Drainers of
 * one consumer take turns on an advisory lock, which, unlike a row lock, does not give the transaction an id
 * of its own before it has read the queue.
 */
export async function drainEvents(
  db: Database,
  consumer: string,
  handle: (tx: Database, records: EventRecord[]) => Promise<void>,
  limit = 500,
): Promise<number> {
  return db.transaction(async (tx) => {
    await queryRows(tx, sql`select pg_advisory_xact_lock(hashtextextended(${`event-consumer:${consumer}`}, 0))`);
    const [position] = await queryRows<{ tx_id: string; seq: string | number }>(
      tx,
      sql`select last_tx_id::text as tx_id, last_seq as seq from event_consumers where name = ${consumer}`,
    );
    const after = position ? { txId: position.tx_id, seq: Number(position.seq) } : QUEUE_START;
    const { records, last } = await readQueue(tx, after, limit);
    if (!last) return 0;
    await handle(tx, records);
    await queryRows(
      tx,
      sql`insert into event_consumers (name, last_tx_id, last_seq, updated_at) values (${consumer}, ${last.txId}::xid8, ${last.seq}, now())
          on conflict (name) do update set last_tx_id = excluded.last_tx_id, last_seq = excluded.last_seq, updated_at = now()`,
    );
    return records.length;
  });
}
