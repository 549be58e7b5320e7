import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';
import { ownEventIdsOf } from '../../events/index.js';

export interface LogCoverage {
  /** Events that concern any of the lots. */
  records: number;
  /** Of those, the ones the sequencer has appended to the log. */
  logged: number;
  /** The highest leaf index among them; null when none is in the log yet. */
  lastIndex: number | null;
}

/**
 * How much of the record of some lots (a product's lineage: their own events, as the EPCIS chain export lists
 * them) is in the verifiable log, and each event's entry, if any. A checkpoint of a size above `lastIndex`
 * includes them all when `logged === records` (the tree only grows). For the consumer page, read when its per-lot
 * view is cached, not per scan.
 */
export async function logCoverage(db: Database, lotIds: readonly string[]): Promise<LogCoverage> {
  if (lotIds.length === 0) return { records: 0, logged: 0, lastIndex: null };
  const [row] = await queryRows<{ records: number | string; logged: number | string; last_index: number | string | null }>(
    db,
    sql`select count(*) as records, count(le.index) as logged, max(le.index) as last_index
        from (${ownEventIdsOf(lotIds)}) el
        left join log_entries le on le.event_id = el.event_id`,
  );
  return { records: Number(row?.records ?? 0), logged: Number(row?.logged ?? 0), lastIndex: row?.last_index === null || row?.last_index === undefined ? null : Number(row.last_index) };
}
