import { Type } from 'typebox';
import { RuleViolationError, ValidationError } from './errors.js';

/**
 * Quantities are exact to 0.001 of their unit. Internally a quantity is a bigint of thousandths ("milli")
 * of its unit, so balances never touch floating point. Mass units convert to each other; count units do not.
 */
export const MASS_UNITS = { g: 1n, kg: 1000n, t: 1_000_000n } as const; // factor to grams
export const COUNT_UNITS = ['plant', 'piece', 'head', 'box'] as const;
export const UNITS = [...Object.keys(MASS_UNITS), ...COUNT_UNITS] as string[];
export type Unit = keyof typeof MASS_UNITS | (typeof COUNT_UNITS)[number];

export interface Quantity {
  milli: bigint;
  unit: Unit;
}

const DECIMAL = /^(0|[1-9]\d{0,16})(\.\d{1,3})?$/;

export const QuantitySchema = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$', maxLength: 24 })], {
      description: 'A positive number or decimal string, at most 3 decimals',
      examples: [850.5, '0.125'],
    }),
    unit: Type.Unsafe<Unit>({ type: 'string', enum: UNITS, examples: ['kg'] }),
  },
  { $id: 'Quantity', additionalProperties: false },
);

export const isMass = (unit: string): unit is keyof typeof MASS_UNITS => unit in MASS_UNITS;

/** Parses a client quantity; 400 naming `path` when it is zero, negative, too precise or not a count. */
export function parseQuantity(input: { value: number | string; unit: string }, path: string): Quantity {
  const text = typeof input.value === 'number' ? String(input.value) : input.value;
  const match = DECIMAL.exec(text);
  if (!match) {
    throw ValidationError.field(`${path}/value`, 'must be a positive decimal with at most 3 decimals (e.g. 850.5)');
  }
  const milli = toMilli(text);
  if (milli <= 0n) throw ValidationError.field(`${path}/value`, 'must be greater than zero');
  if (!UNITS.includes(input.unit)) throw ValidationError.field(`${path}/unit`, `must be one of ${UNITS.join(', ')}`);
  if (!isMass(input.unit) && milli % 1000n !== 0n) {
    throw ValidationError.field(`${path}/value`, `a count of ${input.unit} must be a whole number`);
  }
  return { milli, unit: input.unit as Unit };
}

/** Decimal text (or a numeric column's text) to thousandths. */
export function toMilli(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > 3) throw new Error(`more than 3 decimals: ${text}`);
  return BigInt(whole!) * 1000n + BigInt((trimmed + '000').slice(0, 3));
}

export function milliToDecimal(milli: bigint): string {
  const negative = milli < 0n;
  const abs = negative ? -milli : milli;
  const whole = abs / 1000n;
  const fraction = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The quantity in another unit, exactly, or a 422 explaining why it cannot be. */
export function convert(q: Quantity, to: Unit, path: string): bigint {
  if (q.unit === to) return q.milli;
  if (!isMass(q.unit) || !isMass(to)) {
    throw new RuleViolationError('unit-mismatch', `${path}: ${q.unit} cannot be converted to ${to}; only mass units (g, kg, t) convert.`, [
      { path, message: `must be in ${to}` },
    ]);
  }
  const grams = q.milli * MASS_UNITS[q.unit];
  const factor = MASS_UNITS[to];
  if (grams % factor !== 0n) {
    throw new RuleViolationError(
      'quantity-precision',
      `${path}: ${milliToDecimal(q.milli)} ${q.unit} is not a whole number of thousandths of ${to}; send it in ${to}.`,
      [{ path, message: `not exact to 0.001 ${to}` }],
    );
  }
  return grams / factor;
}

/** Mass in thousandths of a gram (milligrams), exact for any mass quantity. */
export function massMilligrams(q: Quantity): bigint {
  if (!isMass(q.unit)) throw new Error(`${q.unit} is not a mass unit`);
  return q.milli * MASS_UNITS[q.unit];
}

/**
 * A quantity as answered. Its value is a JSON number when the number is exactly the decimal (15 significant
 * digits or fewer, which every double keeps), and otherwise the decimal string: 12345678901234.567 as a number
 * would come back as …566. Clients that need no special case can always parse `String(value)`.
 */
export function quantityView(milli: bigint, unit: string): { value: number | string; unit: string } {
  return { value: decimalValue(milliToDecimal(milli)), unit };
}

/**
 * A decimal text (a numeric(…, 3) column's "850.500", or milliToDecimal's "850.5") as an answer's value: a number
 * when exact, else the decimal string without trailing zeros (see quantityView). Graph answers write thousands.
 */
export function decimalValue(text: string): number | string {
  let end = text.length;
  const point = text.indexOf('.');
  if (point >= 0) {
    while (end > point + 1 && text.charCodeAt(end - 1) === 48) end--; // trailing zeros of the fraction
    if (end === point + 1) end = point;
  }
  let start = text.charCodeAt(0) === 45 ? 1 : 0; // a sign
  while (start < end - 1 && text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) !== 46) start++;
  const digits = end - start - (point >= 0 && point < end ? 1 : 0);
  const trimmed = text.slice(0, end);
  return digits <= 15 ? Number(trimmed) : trimmed;
}

/** decimalValue as JSON text, for answers written as text (provenance graphs). */
export function decimalJson(text: string): string {
  const value = decimalValue(text);
  return typeof value === 'number' ? String(value) : `"${value}"`;
}
