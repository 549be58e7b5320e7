/**
 * Exact non-negative fractions on bigint, for shares of a lot's mass traced through splits and merges.
 * Float shares would drift and stop summing to 1; these never do.
 */
export interface Fraction {
  n: bigint;
  d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  // A plain loop: the destructuring swap allocated an array per step, and provenance does thousands of these.
  while (b !== 0n) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a < 0n ? -a : a;
};

export function fraction(n: bigint, d: bigint): Fraction {
  if (d === 0n) throw new Error('zero denominator');
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

export const ZERO: Fraction = { n: 0n, d: 1n };
export const ONE: Fraction = { n: 1n, d: 1n };

export const add = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d + b.n * a.d, a.d * b.d);
export const mul = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.n, a.d * b.d);

/**
 * Decimal strings with `places` decimals that sum exactly to the same total as the fractions (largest
 * remainder rounding), so shares shown to a reader add up to 1 even when one is 1/3.
 */
export function toDecimals(values: Fraction[], places = 6): string[] {
  const scale = 10n ** BigInt(places);
  const floors = values.map((v) => (v.n * scale) / v.d);
  const remainders = values.map((v, i) => v.n * scale * 1n - floors[i]! * v.d).map((r, i) => ({ i, r: fraction(r, values[i]!.d) }));
  const total = values.reduce(add, ZERO);
  const target = (total.n * scale + total.d / 2n) / total.d; // the total, rounded to `places`
  let missing = target - floors.reduce((s, f) => s + f, 0n);
  remainders.sort((a, b) => (a.r.n * b.r.d > b.r.n * a.r.d ? -1 : a.r.n * b.r.d < b.r.n * a.r.d ? 1 : a.i - b.i));
  for (const { i } of remainders) {
    if (missing <= 0n) break;
    floors[i]! += 1n;
    missing -= 1n;
  }
  return floors.map((f) => {
    const s = f.toString().padStart(places + 1, '0');
    return `${s.slice(0, -places)}.${s.slice(-places)}`;
  });
}

export const fractionText = (f: Fraction) => `${f.n}/${f.d}`;

export const sub = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d - b.n * a.d, a.d * b.d);
export const div = (a: Fraction, b: Fraction): Fraction => {
  if (b.n === 0n) throw new Error('division by zero');
  return b.n < 0n ? fraction(-a.n * b.d, -a.d * b.n) : fraction(a.n * b.d, a.d * b.n);
};
/** -1, 0 or 1 as a is less than, equal to or greater than b (denominators are positive). */
export const compare = (a: Fraction, b: Fraction): -1 | 0 | 1 => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
