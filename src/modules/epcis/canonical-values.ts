// Value rules of the CBV 2.0 EPCIS Event Hash ID (CBV 2.0 §8.9; the numbered rules of the reference
// implementation's ALGORITHM-README, RalphTro/epcis-event-hash-generator): whitespace, timestamps, numbers and the
// order of sorted substrings. Pure functions, no I/O.

/**
 * Rule 5: whitespace at the beginning or end of a value is removed. The reference implementation strips with
 * Python's str.strip(), whose whitespace set differs from String.prototype.trim() (it has U+001C–U+001F and U+0085,
 * and lacks U+FEFF), so the set is spelt out here: an event must not hash differently from the reference because of
 * an invisible character.
 */
const PYTHON_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function trimValue(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && PYTHON_WHITESPACE.has(value.charCodeAt(start))) start++;
  while (end > start && PYTHON_WHITESPACE.has(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

/**
 * Rules 10–12: strings are sorted by "case-sensitive lexical ordering, considering UTF-8/ASCII code values of each
 * successive character", i.e. by Unicode code point (UTF-8 byte order is code point order). JavaScript's default
 * sort compares UTF-16 code units, which puts U+E000–U+FFFF after the astral planes; this comparator does not.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(j) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA < restB ? -1 : 1;
}

/** The parts sorted (rules 10–12) and concatenated without separators (rule 2). */
export function sortedJoin(parts: readonly string[]): string {
  return [...parts].sort(compareCodePoints).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps

/**
 * xsd:dateTimeStamp (EPCIS eventTime, sensorMetadata time/startTime/endTime, sensorReport time): date, 'T', time with
 * seconds and any number of decimals, and a zone. A space for the 'T', a lower-case 'z', and ±hhmm / ±hh zones are
 * accepted too, as the reference implementation's lenient parser (dateutil) accepts them.
 */
const TIMESTAMP = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Rules 8 and 9: a timestamp in UTC with 'Z', at millisecond precision (YYYY-MM-DDTHH:MM:SS.sssZ): missing
 * milliseconds are zero-filled; more than three decimals are rounded on the fourth ("the 3rd decimal place SHALL be
 * rounded up if the 4th decimal place is a digit in the range 5-9": .1415 → .142, .1414 → .141), carrying into the
 * seconds and beyond (.9995 → the next second).
 *
 * A value that is not a timestamp is returned as it is (trimmed), as the reference implementation does. A timestamp
 * without a zone is not an xsd:dateTimeStamp; it is read as UTC so that the hash does not depend on the machine's
 * time zone (the reference implementation would use the local zone of whoever computes it).
 */
export function normalizeTimestamp(raw: string): string {
  const text = trimValue(raw);
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, offH, offM = '00'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(offH ?? '0');
  const offsetMinutes = Number(offM);
  const endOfDay = hour === 24 && minute === 0 && second === 0 && /^0*$/.test(fraction); // xsd: 24:00:00 is the next midnight
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return text;
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return text;

  let millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (fraction.length > 3 && fraction.charCodeAt(3) >= 0x35 /* '5' */) millis += 1;

  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // setUTCFullYear, not Date.UTC, which maps years 0–99 to 1900–1999
  at.setUTCHours(hour, minute, second, 0);
  let epoch = at.getTime() + millis;
  if (zulu === undefined && sign !== undefined) {
    epoch -= (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const utc = new Date(epoch);
  if (Number.isNaN(utc.getTime())) return text;
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return text; // no four-digit rendering; leave such a value alone
  return utc.toISOString();
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/**
 * What counts as a number: Python's float() syntax, because the reference implementation normalises every value
 * that float() accepts (XML carries numbers as text, so a quantity "600", 600 and 600.0 must hash alike whatever the
 * syntax). Sign, digits with single underscores between them, optional fraction, optional exponent.
 * ("inf"/"nan" are left out: the reference implementation leaves NaN as written and fails on infinity.)
 */
const DIGITS = '\\d(?:_?\\d)*';
const PYTHON_FLOAT = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * Any Unicode decimal digit (general category Nd) as its ASCII digit, as Python's float() reads them: fullwidth
 * "１２３" is the number 123. Unicode encodes every decimal digit set as a contiguous run 0–9, so a digit's value is
 * its distance from the start of its run, modulo 10 (adjacent runs, as in the mathematical digits, are runs of 10).
 */
function asciiDigits(text: string): string {
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  return text.replace(/\p{Nd}/gu, (digit) => {
    const cp = digit.codePointAt(0) ?? 0;
    let start = cp;
    while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    return String((cp - start) % 10);
  });
}

/**
 * Python's repr() of a finite double: the shortest digits that round-trip (as in JavaScript), written in fixed
 * notation when the decimal exponent is in [-4, 16) and otherwise as d.ddde±XX with at least two exponent digits
 * (0.00001 → "1e-05", where JavaScript writes "0.00001").
 */
function pythonFloatRepr(x: number): string {
  const [mantissa = '0', exponentText = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  let body: string;
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1);
      body = `${whole}.${fraction === '' ? '0' : fraction}`;
    } else {
      body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    }
  } else {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${mant}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return negative ? `-${body}` : body;
}

/**
 * Rules 6 and 7: a number without trailing zeros and without quotes (1.0 → "1", 0.34340 → "0.3434", +05 → "5").
 * Integral values are written as integers (exactly, as the reference implementation's int(float(x)) does, so a
 * 20-digit string becomes the integer nearest to its double); other values as Python writes a float. Values that
 * are not numbers are returned unchanged.
 */
export function normalizeNumericText(text: string): string {
  const ascii = asciiDigits(text);
  if (!PYTHON_FLOAT.test(ascii)) return text;
  const x = Number(ascii.replace(/_/g, ''));
  if (!Number.isFinite(x)) return text;
  return formatNumber(x);
}

/** A JSON number as the pre-hash string writes it (see normalizeNumericText). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return BigInt(x).toString(); // -0 → "0"
  return pythonFloatRepr(x);
}
