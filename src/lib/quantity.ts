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

export function quantityView(milli: bigint, unit: string): { value: number; unit: string } {
  return { value: Number(milliToDecimal(milli)), unit };
}

/**
 * The value of quantityView(toMilli(text), unit) straight from the database's decimal text (numeric(…, 3)):
 * Number() of "850.500" is the same double as of "850.5". Graph answers write thousands of these.
 */
export function decimalValue(text: string): number {
  return Number(text);
}
