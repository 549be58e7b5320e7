import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';

export interface LogCoverage {
  /** Events that concern any of the lots. */
  records: number;
  /** Of those, the ones the sequencer has appended to the log. */
  logged: number;
  /** The highest leaf index among them; null when none is in the log yet. */
  lastIndex: number | null;
}

/**
 * How much of the record of some lots (a product's lineage) is in the verifiable log: every event of their own
 * (made, shipped, held, observed...) and its entry, if any. Their consumption into lots outside the chain (other
 * products made from the same decoction pieces) is another product's record and not counted: the same events as
 * the lot's EPCIS chain export, read index-only from event_lots_lot_id_own_idx. A checkpoint of a size above
 * `lastIndex` includes them all when `logged === records` (the tree only grows). For the consumer page, read when
 * its per-lot view is cached, not per scan.
 */
export async function logCoverage(db: Database, lotIds: readonly string[]): Promise<LogCoverage> {
  if (lotIds.length === 0) return { records: 0, logged: 0, lastIndex: null };
  const [row] = await queryRows<{ records: number | string; logged: number | string; last_index: number | string | null }>(
    db,
    sql`select count(*) as records, count(le.index) as logged, max(le.index) as last_index
        from (select distinct event_id from event_lots where lot_id = any(${`{${lotIds.join(',')}}`}::text[]) and role <> 'input') el
        left join log_entries le on le.event_id = el.event_id`,
  );
  return { records: Number(row?.records ?? 0), logged: Number(row?.logged ?? 0), lastIndex: row?.last_index === null || row?.last_index === undefined ? null : Number(row.last_index) };
}
