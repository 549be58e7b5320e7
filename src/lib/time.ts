/**
 * Timestamps arrive as ISO 8601 with an offset (`2024-09-18T08:00:00+08:00`, validated by the schema's
 * date-time format). The instant is stored as timestamptz and the offset in minutes beside it, so the value
 * is returned in the same local time the client wrote: nothing a client sent is altered.
 */
export interface OffsetTime {
  at: Date;
  offsetMinutes: number;
}

const OFFSET = /(?:([zZ])|([+-])(\d\d):?(\d\d)?)$/;

export function parseOffsetTime(text: string): OffsetTime {
  const match = OFFSET.exec(text);
  if (!match) throw new Error(`timestamp without offset: ${text}`);
  const offsetMinutes = match[1] ? 0 : (match[2] === '-' ? -1 : 1) * (Number(match[3]) * 60 + Number(match[4] ?? 0));
  return { at: new Date(text), offsetMinutes };
}

/** ISO 8601 in the given offset, millisecond precision: 2024-09-18T08:00:00.000+08:00. */
export function formatOffsetTime(at: Date, offsetMinutes: number): string {
  if (offsetMinutes === 0) return at.toISOString();
  const local = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
