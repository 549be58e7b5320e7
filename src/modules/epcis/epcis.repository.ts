import { sql, type SQL } from 'drizzle-orm';
import { queryRows, textArray, type Database } from '../../db/client.js';
import { ownEventIdsOf } from '../../events/index.js';
import { formatOffsetTime } from '../../lib/time.js';
import { siteAtKey, type CodeFact, type LotFact, type MappedEventRecord, type OrganizationFact, type ShipmentFact, type SiteFact } from './epcis.mapping.js';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

interface EventRow {
  id: string;
  type: string;
  organization_id: string;
  occurred_at: string | Date;
  occurred_at_offset: number;
  recorded_at: string | Date;
  data: unknown;
  lots: unknown;
}

/** The columns of an event record as EventRow names them, from `events e`. */
const RECORD_COLUMNS = sql`e.id, e.type, e.organization_id, e.occurred_at, e.occurred_at_offset, e.recorded_at, e.data,
  (select jsonb_agg(jsonb_build_object('lotId', x.lot_id, 'role', x.role) order by x.lot_id, x.role) from event_lots x where x.event_id = e.id) as lots`;

function eventOf(r: EventRow): MappedEventRecord {
  return {
    id: r.id,
    type: r.type,
    organization: { id: r.organization_id },
    occurredAt: formatOffsetTime(new Date(r.occurred_at), Number(r.occurred_at_offset)),
    recordedAt: new Date(r.recorded_at).toISOString(),
    lots: json<{ lotId: string; role: string }[] | null>(r.lots) ?? [],
    data: json<Record<string, unknown>>(r.data),
  };
}

/**
 * The ids of the events of the upstream chain of a lot whose lineage is `lotIds` (the lots' own events,
 * ownEventIdsOf: their consumption into another lot's chain is not part of this one), in the order they happened,
 * each once: by event time, and at the same time in the order they were committed (the index's positions; an
 * event the index does not hold yet, being the newest, after them, by insertion).
 * Ids only, in one statement: their order from the index rows (whose heap pages hold the documents read next),
 * the events table only for events not indexed yet.
 * The documents are then read by id in batches, so a chain of any size streams without a walk per page.
 */
export async function chainEventIds(db: Database, lotIds: string[]): Promise<string[]> {
  const rows = await queryRows<{ event_id: string }>(
    db,
    sql`select c.event_id
        from (${ownEventIdsOf(lotIds)}) c
        left join epcis_events x on x.event_id = c.event_id
        order by coalesce(x.event_time, (select e.occurred_at from events e where e.id = c.event_id)), x.position nulls last,
          case when x.position is null then (select e.seq from events e where e.id = c.event_id) end`,
  );
  return rows.map((r) => r.event_id);
}

/** The stored EPCIS forms (JSON text) of these events by event id; an event the index does not hold yet is absent. */
export async function storedDocuments(db: Database, eventIds: string[]): Promise<Map<string, string>> {
  const rows = await queryRows<{ event_id: string; document: string }>(db, sql`select event_id, document from epcis_events where event_id = any(${textArray(eventIds)})`);
  return new Map(rows.map((r) => [r.event_id, r.document]));
}

/** The records of these events (any order), to map the ones the index does not hold yet. */
export async function eventRecords(db: Database, ids: string[]): Promise<MappedEventRecord[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<EventRow>(
    db,
    sql`select ${RECORD_COLUMNS} from events e where e.id = any(${textArray(ids)})`,
  );
  return rows.map(eventOf);
}

/** One event by id (the EPCIS form of any event, lots or none). */
export async function eventById(db: Database, id: string): Promise<MappedEventRecord | undefined> {
  return (await eventRecords(db, [id]))[0];
}

export async function lotFacts(db: Database, ids: string[]): Promise<LotFact[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, lot_number, gtin, stage, species_code, unit, quantity::text as quantity, site_id, producer_id, attributes, origin
        from lots where id = any(${textArray(ids)})`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    lotNumber: r.lot_number as string,
    gtin: (r.gtin as string | null) ?? null,
    stage: r.stage as string,
    speciesCode: r.species_code as string,
    unit: r.unit as string,
    quantity: r.quantity as string,
    siteId: (r.site_id as string | null) ?? null,
    producerId: r.producer_id as string,
    attributes: json<Record<string, unknown>>(r.attributes) ?? {},
    origin: json<Record<string, unknown>>(r.origin) ?? {},
  }));
}

export async function siteFacts(db: Database, ids: string[]): Promise<SiteFact[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string; organization_id: string; gln: string | null }>(db, sql`select id, organization_id, gln from sites where id = any(${textArray(ids)})`);
  return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, gln: r.gln }));
}

export async function organizationFacts(db: Database, ids: string[]): Promise<OrganizationFact[]> {
  if (ids.length === 0) return [];
  return queryRows<OrganizationFact>(db, sql`select id, gln from organizations where id = any(${textArray(ids)})`);
}

/** The codes issued by (or voided by) the given events, by that event's id. */
export async function codesOfEvents(db: Database, issues: { eventId: string; lotId: string }[], voids: { eventId: string; lotId: string }[]) {
  const byEvent = new Map<string, CodeFact[]>();
  const add = (eventId: string, fact: CodeFact) => {
    const list = byEvent.get(eventId);
    if (list) list.push(fact);
    else byEvent.set(eventId, [fact]);
  };
  if (issues.length + voids.length === 0) return byEvent;
  const lotIds = [...new Set([...issues, ...voids].map((e) => e.lotId))];
  const eventIds = [...issues, ...voids].map((e) => e.eventId);
  // On the (lot_id, code) index: a lot's codes, of these events.
  const rows = await queryRows<{ code: string; level: string; lot_id: string; event_id: string; void_event_id: string | null }>(
    db,
    sql`select code, level, lot_id, event_id, void_event_id from codes
        where lot_id = any(${textArray(lotIds)}) and (event_id = any(${textArray(eventIds)}) or void_event_id = any(${textArray(eventIds)}))
        order by code`,
  );
  const voidIds = new Set(voids.map((v) => v.eventId));
  for (const r of rows) {
    const fact = { code: r.code, level: r.level, lotId: r.lot_id };
    if (issues.some((i) => i.eventId === r.event_id)) add(r.event_id, fact);
    if (r.void_event_id && voidIds.has(r.void_event_id)) add(r.void_event_id, fact);
  }
  return byEvent;
}

/** Where an event on a lot happened, as its recording organisation knew it: the question and the answer. */
export interface SiteAtEvent {
  eventId: string;
  lotId: string;
  organizationId: string;
}

/**
 * For each (event, lot): the latest receipt of the lot by the event's organisation recorded before the event
 * (event seq order), looking through the lot it was split from (before the split) when the lot itself has none;
 * its site (null when that receipt named none), or undefined when there is no such receipt. Only events older
 * than the event count, so the answer never changes once the event is written: it is the state as of the
 * event, not the lot's current location.
 */
export async function receiptSitesAtEvents(db: Database, wanted: SiteAtEvent[]): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  if (wanted.length === 0) return found;
  const rows = await queryRows<{ event_id: string; subject_lot_id: string; site_id: string | null }>(
    db,
    sql`with recursive wanted(event_id, lot_id, organization_id) as (
          values ${sql.join(
            wanted.map((w) => sql`(${w.eventId}::text, ${w.lotId}::text, ${w.organizationId}::text)`),
            sql`, `,
          )}),
        chain(event_id, subject_lot_id, organization_id, lot_id, cutoff, depth) as (
          select w.event_id, w.lot_id, w.organization_id, w.lot_id, e.seq, 0 from wanted w join events e on e.id = w.event_id
          union all
          select c.event_id, c.subject_lot_id, c.organization_id, l.parent_lot_ids[1], s.seq, c.depth + 1
          from chain c join lots l on l.id = c.lot_id join events s on s.id = l.created_by_event_id and s.type = 'split'
          where c.depth < 32)
        select distinct on (c.event_id, c.subject_lot_id) c.event_id, c.subject_lot_id, r.site_id
        from chain c
        join lateral (
          select r.data->>'siteId' as site_id, r.seq from event_lots el join events r on r.id = el.event_id
          where el.lot_id = c.lot_id and el.role = 'received' and r.type = 'shipment_received'
            and r.organization_id = c.organization_id and r.seq < c.cutoff
          order by r.seq desc limit 1) r on true
        order by c.event_id, c.subject_lot_id, c.depth`,
  );
  for (const r of rows) found.set(siteAtKey(r.event_id, r.subject_lot_id), r.site_id);
  return found;
}

export async function shipmentFacts(db: Database, ids: string[]): Promise<ShipmentFact[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: string; from_organization_id: string; to_organization_id: string; lines: unknown }>(
    db,
    sql`select s.id, s.from_organization_id, s.to_organization_id,
          (select json_agg(json_build_object('lotId', l.lot_id, 'quantity', l.quantity::text, 'unit', l.unit) order by l.line_no) from shipment_lines l where l.shipment_id = s.id) as lines
        from shipments s where s.id = any(${textArray(ids)})`,
  );
  return rows.map((r) => ({ id: r.id, fromOrganizationId: r.from_organization_id, toOrganizationId: r.to_organization_id, lines: json<ShipmentFact['lines'] | null>(r.lines) ?? [] }));
}

// ---------------------------------------------------------------------------------------------------------------
// Public master data (GET /id/…): only what a consumer page shows.

export async function publicLot(db: Database, id: string) {
  const rows = await queryRows<Record<string, string | null>>(
    db,
    sql`select l.id, l.lot_number, l.stage, l.species_code, s.name_zh as species_name_zh, s.latin_name, o.id as producer_id, o.name as producer_name,
          r.code as region_code, r.name as region_name, l.gtin
        from lots l join species s on s.code = l.species_code join organizations o on o.id = l.producer_id
        left join sites st on st.id = l.site_id left join regions r on r.code = coalesce(st.region_code, o.region_code)
        where l.id = ${id}`,
  );
  return rows[0];
}

export async function publicSite(db: Database, id: string) {
  const rows = await queryRows<Record<string, string | null>>(
    db,
    sql`select s.id, s.name, s.kind, s.gln, r.code as region_code, r.name as region_name, o.id as organization_id, o.name as organization_name
        from sites s join organizations o on o.id = s.organization_id join regions r on r.code = s.region_code where s.id = ${id}`,
  );
  return rows[0];
}

export async function publicOrganization(db: Database, id: string) {
  const rows = await queryRows<Record<string, string | null>>(
    db,
    sql`select o.id, o.name, o.gln, r.code as region_code, r.name as region_name from organizations o join regions r on r.code = o.region_code where o.id = ${id}`,
  );
  return rows[0];
}

export async function analyteCatalogue(db: Database) {
  return queryRows<{ code: string; name_zh: string; name_en: string; category: string; units: string[] | string }>(
    db,
    sql`select code, name_zh, name_en, category, units from analytes order by code`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The EPCIS index (epcis_events): written by the epcis-index consumer, read by the query routes and the export.

export interface EpcisIndexRow {
  eventId: string;
  eventHashId: string;
  organizationId: string;
  eventType: string;
  eventTime: string;
  recordTime: string;
  bizStep: string | null;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  epcs: string[];
  anyEpcs: string[];
  epcClasses: string[];
  anyEpcClasses: string[];
  /** The EPCIS event as JSON text. */
  document: string;
}

/**
 * Stores index rows in the given (queue) order, so `position` follows the commit order. The rows travel as one
 * JSON parameter (with ordinality, to keep their order): fifteen parameters a row made PostgreSQL spend more
 * time parsing and binding a batch than inserting it.
 */
export async function insertIndexRows(db: Database, rows: EpcisIndexRow[]): Promise<void> {
  if (rows.length === 0) return;
  await queryRows(
    db,
    sql`insert into epcis_events (event_id, event_hash_id, organization_id, event_type, event_time, record_time, biz_step, disposition,
          read_point, biz_location, epcs, any_epcs, epc_classes, any_epc_classes, document)
        select r."eventId", r."eventHashId", r."organizationId", r."eventType", r."eventTime", r."recordTime", r."bizStep", r.disposition,
          r."readPoint", r."bizLocation", r.epcs, r."anyEpcs", r."epcClasses", r."anyEpcClasses", r.document
        from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) with ordinality as j(row, n),
          jsonb_to_record(j.row) as r("eventId" text, "eventHashId" text, "organizationId" text, "eventType" text, "eventTime" timestamptz,
            "recordTime" timestamptz, "bizStep" text, disposition text, "readPoint" text, "bizLocation" text, epcs text[], "anyEpcs" text[],
            "epcClasses" text[], "anyEpcClasses" text[], document text)
        order by j.n
        on conflict (event_id) do nothing`,
  );
}

/** SimpleEventQuery filters, values already in the index's forms (full vocabulary URIs, canonical identifiers). */
export interface IndexFilter {
  eventTypes?: string[];
  geEventTime?: Date;
  ltEventTime?: Date;
  geRecordTime?: Date;
  ltRecordTime?: Date;
  bizSteps?: string[];
  dispositions?: string[];
  epcs?: string[];
  anyEpcs?: string[];
  epcClasses?: string[];
  anyEpcClasses?: string[];
  bizLocations?: string[];
  readPoints?: string[];
  /** GET /epcis/epcs/{epc}/events: the identifier in any EPC or EPC class field. */
  anyIdentifier?: string[];
}

/** Who reads: everything (the admin, regulators) or the events of one organisation's readable lots. */
export type IndexReader = { all: true } | { all: false; organizationId: string };

/**
 * The read rule of access/policy.ts authorizeEvent, as a condition on an index row: the caller's organisation
 * recorded the event, or it may read one of the lots the event concerns (producer, holder, receiver of the
 * shipment the lot is in, past custodian: recorded an event on it).
 */
function readable(reader: IndexReader): SQL {
  if (reader.all) return sql`true`;
  const me = reader.organizationId;
  return sql`(x.organization_id = ${me} or exists (
      select 1 from event_lots el join lots l on l.id = el.lot_id
      where el.event_id = x.event_id and (
        l.producer_id = ${me} or l.holder_id = ${me}
        or exists (select 1 from shipments s where s.id = l.shipment_id and s.to_organization_id = ${me})
        or exists (select 1 from event_lots el2 join events e2 on e2.id = el2.event_id where el2.lot_id = l.id and e2.organization_id = ${me}))))`;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

function filterConditions(f: IndexFilter): SQL[] {
  const c: SQL[] = [];
  const anyOf = (column: SQL, values: string[] | undefined) => values && c.push(sql`${column} = any(${textArray(values)})`);
  const overlaps = (column: SQL, values: string[] | undefined) => values && c.push(sql`${column} && ${textArray(values)}`);
  anyOf(sql`x.event_type`, f.eventTypes);
  if (f.geEventTime) c.push(sql`x.event_time >= ${ts(f.geEventTime)}`);
  if (f.ltEventTime) c.push(sql`x.event_time < ${ts(f.ltEventTime)}`);
  if (f.geRecordTime) c.push(sql`x.record_time >= ${ts(f.geRecordTime)}`);
  if (f.ltRecordTime) c.push(sql`x.record_time < ${ts(f.ltRecordTime)}`);
  anyOf(sql`x.biz_step`, f.bizSteps);
  anyOf(sql`x.disposition`, f.dispositions);
  overlaps(sql`x.epcs`, f.epcs);
  overlaps(sql`x.any_epcs`, f.anyEpcs);
  overlaps(sql`x.epc_classes`, f.epcClasses);
  overlaps(sql`x.any_epc_classes`, f.anyEpcClasses);
  anyOf(sql`x.biz_location`, f.bizLocations);
  anyOf(sql`x.read_point`, f.readPoints);
  if (f.anyIdentifier) c.push(sql`(x.any_epcs && ${textArray(f.anyIdentifier)} or x.any_epc_classes && ${textArray(f.anyIdentifier)})`);
  return c;
}

/** Up to `limit` readable index rows matching the filter after `afterPosition`, in index (commit) order. */
export async function queryIndex(
  db: Database,
  reader: IndexReader,
  filter: IndexFilter,
  limit: number,
  afterPosition: number,
): Promise<{ position: number; document: string }[]> {
  const conditions = [...filterConditions(filter), sql`x.position > ${afterPosition}::bigint`, readable(reader)];
  const rows = await queryRows<{ position: string | number; document: string }>(
    db,
    sql`select x.position, x.document from epcis_events x where ${sql.join(conditions, sql` and `)} order by x.position limit ${limit}::int`,
  );
  return rows.map((r) => ({ position: Number(r.position), document: r.document }));
}

/** One readable index row by its Event Hash ID. */
export async function indexedEventByHash(db: Database, reader: IndexReader, eventHashId: string): Promise<string | undefined> {
  const rows = await queryRows<{ document: string }>(
    db,
    sql`select x.document from epcis_events x where x.event_hash_id = ${eventHashId} and ${readable(reader)}`,
  );
  return rows[0]?.document;
}

/**
 * Committed events above the consumer's queue position that the index does not hold: those the queue does not
 * hand out yet (their transactions are newer than the oldest one still running on the server), and any the
 * queue would hand out now but no drain has taken. Bounded below by the position, not by this statement's xmin:
 * the xmin moves on whenever an old transaction anywhere on the server ends, and an event committed between a
 * drain's horizon and a later xmin would be neither drained nor in the tail (a query missed an event committed
 * before it; seen in the PostgreSQL suite, where other test files' transactions move the server's xmin). Called
 * under the consumer's lock, so the position cannot move meanwhile.
 */
export async function committedUnindexedTail(db: Database, consumer: string, limit: number): Promise<MappedEventRecord[]> {
  const rows = await queryRows<EventRow>(
    db,
    sql`select ${RECORD_COLUMNS}
        from events e
        where ${abovePosition(consumer)} and not exists (select 1 from epcis_events i where i.event_id = e.id)
        order by e.tx_id, e.seq
        limit ${limit}::int`,
  );
  return rows.map(eventOf);
}

/** Events after `consumer`'s queue position (all of them before its first drain), on events' (tx_id, seq) index. */
const abovePosition = (consumer: string) => sql`(e.tx_id, e.seq) > (
    coalesce((select c.last_tx_id from event_consumers c where c.name = ${consumer}), '0'::xid8),
    coalesce((select c.last_seq from event_consumers c where c.name = ${consumer}), 0))`;

/** How many events above the queue position anythingToIndex looks at before it answers "maybe". */
const LOOK_AHEAD = 1000;

/**
 * Whether any event this statement's snapshot sees is neither past the consumer's queue position nor indexed
 * (indexed above it by the committed-tail pass): what a catch-up would index. One read on events'
 * (tx_id, seq) index from the position on: the events above it are only those the queue has not handed out yet,
 * few unless an old transaction holds the queue back. The first LOOK_AHEAD of them, in index order (a limit the
 * planner keeps: without it, not knowing the position when it plans, it scans the whole table for a third of
 * it); as many as that says "maybe", and the caller catches up under the lock.
 */
export async function anythingToIndex(db: Database, consumer: string): Promise<boolean> {
  const rows = await queryRows<{ pending: boolean }>(
    db,
    sql`select count(*) = ${LOOK_AHEAD} or coalesce(bool_or(not exists (select 1 from epcis_events i where i.event_id = e.id)), false) as pending
        from (select e.id from events e
              where ${abovePosition(consumer)}
              order by e.tx_id, e.seq
              limit ${LOOK_AHEAD}) e`,
  );
  return rows[0]?.pending === true;
}
