import { ValidationError } from './errors.js';

/**
 * Timestamps arrive as ISO 8601 with an offset (`2024-09-18T08:00:00+08:00`). The instant is stored as
 * timestamptz and the offset in minutes beside it, so the value is returned in the same local time the client
 * wrote: nothing a client sent is altered. One format, one parser and one range for every route and cursor:
 * the schemas' `date-time` format (plugins/strict-input.ts) and the services both use tryParseOffsetTime.
 */
export interface OffsetTime {
  at: Date;
  offsetMinutes: number;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;
/** Real offsets lie within ±14:00; ±18:00 is the widest ISO 8601 libraries accept. */
const MAX_OFFSET_MINUTES = 18 * 60;
const MIN_INSTANT = Date.UTC(MIN_YEAR, 0, 1);
const END_INSTANT = Date.UTC(MAX_YEAR + 1, 0, 1);
/** How far ahead of the server clock a client's "when it happened" may be: a day of clock skew. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/** What the `date-time` format accepts, in words (the message of a refused timestamp). */
export const TIMESTAMP_RULE =
  'must be an ISO 8601 timestamp YYYY-MM-DDTHH:MM:SS with optional .sss and Z or ±HH:MM, years 1900–2200, e.g. 2024-09-18T08:00:00+08:00';
export const DATE_RULE = 'must be a calendar date YYYY-MM-DD, years 1900–2200';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (y: number, m: number) => (m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
const isDay = (y: number, m: number, d: number) => y >= MIN_YEAR && y <= MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

/** An instant (ms since the epoch) within the years 1900–2200 UTC. */
export const instantInRange = (ms: number) => Number.isFinite(ms) && ms >= MIN_INSTANT && ms < END_INSTANT;

/**
 * The timestamp, or undefined when it is not one this service takes: no leap second (`23:59:60`, which `Date`
 * cannot hold), no offset without minutes (`+08`), at most millisecond precision (what is stored), and both
 * the local date and the instant within the years 1900–2200 (PostgreSQL stores no year 0 or 10000).
 */
export function tryParseOffsetTime(text: string): OffsetTime | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (!isDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8]) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetMins > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins) || 0;
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  }
  const at = Date.UTC(y, mo - 1, d, h, mi, s, Number((m[7] ?? '').padEnd(3, '0'))) - offsetMinutes * 60_000;
  if (!instantInRange(at)) return undefined;
  return { at: new Date(at), offsetMinutes };
}

/** The timestamp; a 400 naming `path` when it is not one (see tryParseOffsetTime). */
export function parseOffsetTime(text: string, path = 'body'): OffsetTime {
  const time = tryParseOffsetTime(text);
  if (!time) throw ValidationError.field(path, TIMESTAMP_RULE);
  return time;
}

/**
 * When something happened, as a client says: a timestamp (parseOffsetTime) at most a day ahead of the server
 * clock, so a mistyped year cannot date a harvest into the future.
 */
export function parseEventTime(text: string, path: string, now = Date.now()): OffsetTime {
  const time = parseOffsetTime(text, path);
  if (time.at.getTime() > now + MAX_FUTURE_SKEW_MS) throw ValidationError.field(path, 'is more than one day in the future');
  return time;
}

/** A calendar date YYYY-MM-DD in the years 1900–2200 (February 30 is not one). */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && isDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** ISO 8601 in the given offset, millisecond precision: 2024-09-18T08:00:00.000+08:00. */
export function formatOffsetTime(at: Date, offsetMinutes: number): string {
  if (offsetMinutes === 0) return at.toISOString();
  const local = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
