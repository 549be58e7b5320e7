// The EPCIS 2.0 query interface (REST binding, SimpleEventQuery): answers from the EPCIS index after bringing it
// up to date, under the read rules of provenance (a caller sees the events of lots it may read; regulators and the
// admin see all). Page tokens are signed: they carry the position after the last event of the page, bound to the
// query's filters and to the caller, so a token cannot be forged, nor reused for another query or caller.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../../access/actor.js';
import { readsEverything } from '../../access/actor.js';
import type { Database } from '../../db/client.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { tryParseOffsetTime } from '../../lib/time.js';
import { catchUpEpcisIndex, indexIdentifier, isUnmatchablePattern, vocabularyUri } from './epcis-index.js';
import * as repo from './epcis.repository.js';
import { documentContext } from './epcis.vocabulary.js';

export const EPCIS_EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

/** The SimpleEventQuery parameters of the REST binding, as the query string gives them (lists comma-separated). */
export interface EventQueryParameters {
  eventType?: string;
  GE_eventTime?: string;
  LT_eventTime?: string;
  GE_recordTime?: string;
  LT_recordTime?: string;
  EQ_bizStep?: string;
  EQ_disposition?: string;
  MATCH_epc?: string;
  MATCH_anyEPC?: string;
  MATCH_epcClass?: string;
  MATCH_anyEPCClass?: string;
  EQ_bizLocation?: string;
  EQ_readPoint?: string;
  perPage?: number;
  nextPageToken?: string;
}

export const QUERY_PARAMETER_NAMES = [
  'eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime', 'EQ_bizStep', 'EQ_disposition', 'MATCH_epc', 'MATCH_anyEPC',
  'MATCH_epcClass', 'MATCH_anyEPCClass', 'EQ_bizLocation', 'EQ_readPoint',
] as const;

export interface QueryContext {
  baseUrl: string;
  /** The key page tokens are signed with. */
  tokenKey: Buffer;
}

/** A comma-separated list of values: trimmed, none empty. */
function list(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const values = value.split(',').map((v) => v.trim());
  if (values.some((v) => v.length === 0)) throw ValidationError.field(name, 'is a comma-separated list of non-empty values');
  return [...new Set(values)];
}

function time(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // A '+' of the offset that was not percent-encoded arrives as a space.
  const parsed = tryParseOffsetTime(value.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!parsed) throw ValidationError.field(name, 'must be an RFC 3339 date-time with an offset, e.g. 2024-10-08T10:00:00+08:00');
  return parsed.at;
}

/** The parameters as an index filter (vocabulary as full URIs, identifiers in canonical form). */
export function filterOf(p: EventQueryParameters, baseUrl: string): repo.IndexFilter {
  const eventTypes = list('eventType', p.eventType);
  const unknown = eventTypes?.find((t) => !(EPCIS_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown) throw ValidationError.field('eventType', `"${unknown}" is not an EPCIS event type (${EPCIS_EVENT_TYPES.join(', ')})`);
  const ids = (name: string, value: string | undefined) =>
    list(name, value)?.map((v) => {
      if (isUnmatchablePattern(v)) {
        throw ValidationError.field(name, `"${v}" is an EPC pattern of a whole company prefix or more; patterns match a whole key only, e.g. urn:epc:idpat:sgtin:0614141.107346.* (every serial or lot of that GTIN)`);
      }
      return indexIdentifier(v);
    });
  const filter: repo.IndexFilter = {
    eventTypes,
    geEventTime: time('GE_eventTime', p.GE_eventTime),
    ltEventTime: time('LT_eventTime', p.LT_eventTime),
    geRecordTime: time('GE_recordTime', p.GE_recordTime),
    ltRecordTime: time('LT_recordTime', p.LT_recordTime),
    bizSteps: list('EQ_bizStep', p.EQ_bizStep)?.map((v) => vocabularyUri('bizStep', v, baseUrl)),
    dispositions: list('EQ_disposition', p.EQ_disposition)?.map((v) => vocabularyUri('disposition', v, baseUrl)),
    epcs: ids('MATCH_epc', p.MATCH_epc),
    anyEpcs: ids('MATCH_anyEPC', p.MATCH_anyEPC),
    epcClasses: ids('MATCH_epcClass', p.MATCH_epcClass),
    anyEpcClasses: ids('MATCH_anyEPCClass', p.MATCH_anyEPCClass),
    bizLocations: ids('EQ_bizLocation', p.EQ_bizLocation),
    readPoints: ids('EQ_readPoint', p.EQ_readPoint),
  };
  for (const key of Object.keys(filter) as (keyof repo.IndexFilter)[]) if (filter[key] === undefined) delete filter[key];
  return filter;
}

const readerOf = (actor: Actor): repo.IndexReader =>
  readsEverything(actor) ? { all: true } : { all: false, organizationId: actor.kind === 'organization' ? actor.organizationId : '' };

// ---------------------------------------------------------------------------------------------------------------
// Page tokens: base64url(JSON [1, position, filter digest]) "." base64url(HMAC-SHA256(key, payload + caller)).

const filterDigest = (filter: repo.IndexFilter) =>
  createHash('sha256')
    .update(JSON.stringify(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : 1))))
    .digest('base64url')
    .slice(0, 22);
const callerOf = (reader: repo.IndexReader) => (reader.all ? '*' : reader.organizationId);
const mac = (key: Buffer, payload: string, caller: string) => createHmac('sha256', key).update(`epcis-page-token\n${caller}\n${payload}`).digest();

export function encodePageToken(key: Buffer, reader: repo.IndexReader, filter: repo.IndexFilter, position: number): string {
  const payload = Buffer.from(JSON.stringify([1, position, filterDigest(filter)])).toString('base64url');
  return `${payload}.${mac(key, payload, callerOf(reader)).toString('base64url')}`;
}

export function decodePageToken(key: Buffer, reader: repo.IndexReader, filter: repo.IndexFilter, token: string): number {
  const refuse = () => ValidationError.field('nextPageToken', 'is not a page token this service issued for this query');
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) throw refuse();
  const expected = mac(key, payload, callerOf(reader));
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parsed) || parsed[0] !== 1 || !Number.isSafeInteger(parsed[1]) || (parsed[1] as number) < 0) throw refuse();
  if (parsed[2] !== filterDigest(filter)) throw ValidationError.field('nextPageToken', 'belongs to another query: send it with the same query parameters as the page it came from');
  return parsed[1] as number;
}

// ---------------------------------------------------------------------------------------------------------------

export interface EventPage {
  /** The EPCIS events as JSON text. */
  events: string[];
  nextPageToken: string | null;
}

/** One page of the events matching the query that the actor may read, in commit order. */
export async function queryEvents(
  db: Database,
  actor: Actor,
  filter: repo.IndexFilter,
  page: { perPage: number; nextPageToken?: string | undefined },
  context: QueryContext,
): Promise<EventPage> {
  if (!Number.isInteger(page.perPage) || page.perPage < 1 || page.perPage > MAX_PER_PAGE) throw ValidationError.field('perPage', `must be an integer from 1 to ${MAX_PER_PAGE}`);
  const reader = readerOf(actor);
  const after = page.nextPageToken === undefined ? 0 : decodePageToken(context.tokenKey, reader, filter, page.nextPageToken);
  await catchUpEpcisIndex(db, context.baseUrl);
  const rows = await repo.queryIndex(db, reader, filter, page.perPage + 1, after);
  const more = rows.length > page.perPage;
  const shown = more ? rows.slice(0, page.perPage) : rows;
  return {
    events: shown.map((r) => r.document),
    nextPageToken: more ? encodePageToken(context.tokenKey, reader, filter, shown[shown.length - 1]!.position) : null,
  };
}

/** GET /epcis/events/{eventID}: the stored event with this Event Hash ID, when the actor may read it; else 404. */
export async function queryEventById(db: Database, actor: Actor, eventId: string, context: QueryContext): Promise<string> {
  if (eventId.length > 200) throw new NotFoundError(`No event ${eventId.slice(0, 80)}….`);
  await catchUpEpcisIndex(db, context.baseUrl);
  const document = await repo.indexedEventByHash(db, readerOf(actor), eventId);
  if (!document) throw new NotFoundError(`No event ${eventId}.`);
  return document;
}

/** An EPCISQueryDocument of these events (JSON text, the events passed through as stored). */
export function queryDocument(baseUrl: string, events: string[], now = new Date()): string {
  const head = {
    '@context': documentContext(baseUrl),
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
  };
  return `${JSON.stringify(head).slice(0, -1)},"epcisBody":{"queryResults":{"queryName":"SimpleEventQuery","resultsBody":{"eventList":[${events.join(',')}]}}}}`;
}
