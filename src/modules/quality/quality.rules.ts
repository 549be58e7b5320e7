import { ValidationError } from '../../lib/errors.js';
import { compare, div, fraction, mul, ONE, sub, toDecimals, type Fraction } from '../../lib/fraction.js';

/**
 * Judging lab results against pharmacopoeia limits, exactly: values are decimal text turned into bigint
 * fractions, units into exact mass fractions, and the dried basis is content_dry = as_is / (1 − moisture).
 * No floating point touches a verdict.
 */

/** Each result unit as a mass fraction of the sample: 1 % = 1/100, 1 mg/kg = 1/1,000,000. */
export const UNIT_FACTORS: Record<string, Fraction> = {
  '%': fraction(1n, 100n),
  'mg/g': fraction(1n, 1000n),
  'g/kg': fraction(1n, 1000n),
  'mg/kg': fraction(1n, 1_000_000n),
  'ug/kg': fraction(1n, 1_000_000_000n),
};

const DECIMAL = /^(0|[1-9]\d{0,12})(\.\d{1,6})?$/;

/** A non-negative decimal (number or text, at most 6 decimals) as an exact fraction; 400 naming `path` otherwise. */
export function parseDecimal(value: number | string, path: string): { text: string; value: Fraction } {
  const raw = typeof value === 'number' ? String(value) : value;
  if (!DECIMAL.test(raw)) throw ValidationError.field(path, 'must be a non-negative decimal with at most 6 decimals (e.g. 0.52)');
  const [whole, frac = ''] = raw.split('.');
  const scale = 10n ** BigInt(frac.length);
  return { text: normalizeDecimal(raw), value: fraction(BigInt(whole!) * scale + BigInt(frac || '0'), scale) };
}

/** '0.520000' → '0.52', '12.0' → '12' (numeric columns come back padded). */
export function normalizeDecimal(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

export const decimalText = (f: Fraction, places = 4) => normalizeDecimal(toDecimals([f], places)[0]!);

export type Basis = 'as_is' | 'dried';
export type ItemVerdict = 'pass' | 'fail' | 'no_limit' | 'undetermined';
export type ReportVerdict = 'pass' | 'fail' | 'incomplete';

export interface LimitRow {
  id: string;
  analyteCode: string;
  comparator: string; // gte | lte
  value: string;
  unit: string;
  basis: string;
  required: boolean;
}

export interface ParsedResult {
  analyte: string;
  value: Fraction;
  valueText: string;
  unit: string;
  basis: Basis;
}

export interface JudgedItem {
  limit: LimitRow | null;
  /** The result on the limit's basis, in the limit's unit (rounded to 4 decimals for display only). */
  compared: { value: string; unit: string; basis: Basis } | null;
  verdict: ItemVerdict;
}

/**
 * Judges every result against the limit for its analyte (if any), and the report: fail when any item fails;
 * incomplete when a required analyte of the monograph is missing, when a dried-basis comparison needs a
 * moisture result the report lacks, or when no monograph applies; pass otherwise.
 */
export function judgeReport(results: ParsedResult[], limits: LimitRow[] | null) {
  const moistureResult = results.find((r) => r.analyte === 'moisture');
  const moisture = moistureResult ? mul(moistureResult.value, UNIT_FACTORS[moistureResult.unit]!) : undefined;
  let needsMoisture = false;
  const items: JudgedItem[] = results.map((r) => {
    const limit = limits?.find((l) => l.analyteCode === r.analyte) ?? null;
    if (!limit) return { limit: null, compared: null, verdict: 'no_limit' };
    let content = mul(r.value, UNIT_FACTORS[r.unit]!);
    if (limit.basis !== r.basis) {
      if (!moisture) {
        needsMoisture = true;
        return { limit, compared: null, verdict: 'undetermined' };
      }
      const dryShare = sub(ONE, moisture);
      content = limit.basis === 'dried' ? div(content, dryShare) : mul(content, dryShare);
    }
    const limitFactor = UNIT_FACTORS[limit.unit]!;
    const threshold = mul(parseDecimal(normalizeDecimal(limit.value), 'limit').value, limitFactor);
    const c = compare(content, threshold);
    const pass = limit.comparator === 'gte' ? c >= 0 : c <= 0;
    return {
      limit,
      compared: { value: decimalText(div(content, limitFactor)), unit: limit.unit, basis: limit.basis as Basis },
      verdict: pass ? 'pass' : 'fail',
    };
  });
  const reported = new Set(results.map((r) => r.analyte));
  const missing = (limits ?? []).filter((l) => l.required && !reported.has(l.analyteCode)).map((l) => l.analyteCode);
  if (needsMoisture && !missing.includes('moisture')) missing.push('moisture');
  const verdict: ReportVerdict = items.some((i) => i.verdict === 'fail')
    ? 'fail'
    : limits === null || missing.length > 0
      ? 'incomplete'
      : 'pass';
  return { items, missing, verdict };
}

/** YYYY-MM-DD of an instant in the client's offset (certificate validity is by calendar day). */
export function localDate(at: Date, offsetMinutes: number): string {
  return new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
