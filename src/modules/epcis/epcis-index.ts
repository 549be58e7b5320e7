// The EPCIS index: the queue consumer `epcis-index` stores each committed event's EPCIS 2.0 form once, with its
// Event Hash ID and the fields SimpleEventQuery filters on (epcis_events). The first drain backfills every event
// committed before the index existed, in queue (commit) order. The stored form is the one every EPCIS answer
// serves (query, single event, chain export), so an eventID never changes once it was given out.
import { sql } from 'drizzle-orm';
import { drainEvents } from '../../events/index.js';
import { queryRows, type Database } from '../../db/client.js';
import { canonicalIdentifier } from './canonical-identifiers.js';
import { cbvUrnToWebUri, expandBareTerm } from './canonical-vocabulary.js';
import type { EpcisEvent, MappedEventRecord } from './epcis.mapping.js';
import * as repo from './epcis.repository.js';
import { epcisEventsOf } from './epcis.service.js';
import { vocabularyBase } from './epcis.vocabulary.js';

export const EPCIS_CONSUMER = 'epcis-index';

/** Events indexed per drain transaction (a backfill of a million events runs two thousand of them at 500). */
const BATCH = 1000;

/** An identifier in the form the index keeps and compares: its canonical GS1 Digital Link when it is a GS1 key, else as written. */
export const indexIdentifier = (value: string): string => canonicalIdentifier(value) ?? value;

/**
 * The class an instance or lot identifier belongs to, as a canonical Digital Link of the key alone: a serialised
 * or batch GTIN (…/01/{gtin}/21/… or /10/…) → …/01/{gtin}, the same for ITIP (8006), CPI (8010 … 8011 …) and the
 * keys whose serial follows the key in one element (GRAI 8003, GDTI 253, GCN 255). That is also the canonical form
 * of the pure identity pattern of the class (urn:epc:idpat:sgtin:{prefix}.{item}.* → …/01/{gtin}, ALGORITHM-README
 * rule 17), so the index lists it next to each identifier, and MATCH_epc / MATCH_epcClass with such a pattern (or
 * its Digital Link) find every identifier of the class through the same array index (EPCIS 2.0 §8.2.7.1.1: a pattern
 * matches what its fixed part names).
 */
export function classKeyOf(canonical: string): string | undefined {
  const match =
    /^(https:\/\/id\.gs1\.org\/(?:01\/\d{14}|8006\/\d{18}))\/(?:22|10|21|235)\//.exec(canonical) ??
    /^(https:\/\/id\.gs1\.org\/8010\/[^/]+)\/8011\//.exec(canonical) ??
    /^(https:\/\/id\.gs1\.org\/(?:8003\/\d{14}|253\/\d{13}|255\/\d{13}))[^/]+$/.exec(canonical);
  return match?.[1];
}

/** Whether a query value is an EPC pattern HerbTrace cannot match: one whose fixed part is not a whole key (e.g. urn:epc:idpat:sgtin:{prefix}.*.*). */
export const isUnmatchablePattern = (value: string): boolean => value.startsWith('urn:epc:idpat:') && canonicalIdentifier(value) === undefined;

/**
 * A bizStep or disposition as a full URI: a bare CBV term ("shipping") or a CBV 1.x URN as its CBV 2.0 Web URI,
 * herbtrace:… (or a bare word the CBV does not define) under PUBLIC_BASE_URL/voc/, any other URI as it is.
 */
export function vocabularyUri(field: 'bizStep' | 'disposition', value: string, baseUrl: string): string {
  if (value.startsWith('herbtrace:')) return vocabularyBase(baseUrl) + value.slice('herbtrace:'.length);
  if (value.startsWith('urn:epcglobal:cbv:')) return cbvUrnToWebUri(value);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return value;
  return expandBareTerm(field, value) ?? vocabularyBase(baseUrl) + value;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const classes = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap((q) => (q && typeof q === 'object' && typeof (q as { epcClass?: unknown }).epcClass === 'string' ? [(q as { epcClass: string }).epcClass] : [])) : [];
/** The identifiers in canonical form, each once, with the class keys (classKeyOf) of those that have one. */
const distinct = (values: string[]) => {
  const canonical = values.map(indexIdentifier);
  return [...new Set([...canonical, ...canonical.flatMap((c) => classKeyOf(c) ?? [])])];
};
const idOf = (v: unknown) => (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? indexIdentifier((v as { id: string }).id) : null);

/** The index row of one EPCIS event. */
export function indexRowOf(record: { id: string; organization: { id: string } }, event: EpcisEvent, baseUrl: string): repo.EpcisIndexRow {
  const epcs = distinct([...strings(event.epcList), ...strings(event.childEPCs)]);
  const epcClasses = distinct([...classes(event.quantityList), ...classes(event.childQuantityList)]);
  return {
    eventId: record.id,
    eventHashId: String(event.eventID),
    organizationId: record.organization.id,
    eventType: String(event.type),
    eventTime: String(event.eventTime),
    recordTime: String(event.recordTime),
    bizStep: typeof event.bizStep === 'string' ? vocabularyUri('bizStep', event.bizStep, baseUrl) : null,
    disposition: typeof event.disposition === 'string' ? vocabularyUri('disposition', event.disposition, baseUrl) : null,
    readPoint: idOf(event.readPoint),
    bizLocation: idOf(event.bizLocation),
    epcs,
    anyEpcs: distinct([...epcs, ...strings(event.parentID), ...strings(event.inputEPCList), ...strings(event.outputEPCList)]),
    epcClasses,
    anyEpcClasses: distinct([...epcClasses, ...classes(event.inputQuantityList), ...classes(event.outputQuantityList)]),
    document: JSON.stringify(event),
  };
}

async function indexBatch(tx: Database, records: MappedEventRecord[], baseUrl: string): Promise<void> {
  const forms = await epcisEventsOf(tx, records, baseUrl);
  await repo.insertIndexRows(
    tx,
    records.map((r, n) => indexRowOf(r, forms[n]!, baseUrl)),
  );
}

/**
 * Brings the index up to date: drains the queue until no finished event is left (every committed event, unless
 * a transaction older than it is still running on the server: then it is indexed by the next drain). Drainers take
 * turns on the consumer's advisory lock (queue.ts), so concurrent requests never index an event twice.
 *
 * First a cheap look without the lock: when every event committed before this call is indexed already (the
 * usual case for a query), there is nothing to wait for. The look's snapshot is taken after the caller's request
 * began, so an event committed before that is seen, and then indexed below before the caller reads the index.
 */
export async function catchUpEpcisIndex(db: Database, baseUrl: string): Promise<number> {
  if (!(await repo.anythingToIndex(db, EPCIS_CONSUMER))) return 0;
  let total = 0;
  for (;;) {
    const n = await drainEvents(db, EPCIS_CONSUMER, (tx, records) => indexBatch(tx, records, baseUrl), BATCH);
    total += n;
    if (n < BATCH) break;
  }
  // Events already committed above the queue's horizon (a transaction older than them still runs somewhere on the
  // server), or below a horizon that moved on since the last drain: indexed now, so the answer has every committed
  // event; the consumer skips them when it gets there.
  // Under the consumer's advisory lock (queue.ts's key), so index positions still commit in order.
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await queryRows(tx, sql`select pg_advisory_xact_lock(hashtextextended(${`event-consumer:${EPCIS_CONSUMER}`}, 0))`);
      const tail = await repo.committedUnindexedTail(tx, EPCIS_CONSUMER, BATCH);
      if (tail.length > 0) await indexBatch(tx, tail, baseUrl);
      return tail.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}
