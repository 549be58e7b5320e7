import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets in constant time by comparing their fixed-length digests. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Digests compared in constant time (both hex strings of the same algorithm). */
export function digestsEqual(hexA: string, hexB: string): boolean {
  const a = Buffer.from(hexA, 'hex');
  const b = Buffer.from(hexB, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Text written as it is by canonicalJson (punctuation between the values still to write). */
class Raw {
  constructor(readonly text: string) {}
}

/**
 * JSON with object keys sorted, so two bodies that differ only in key order hash the same. Written with its
 * own work stack rather than by recursion, so no nesting depth can overflow the call stack.
 */
export function canonicalJson(value: unknown): string {
  let out = '';
  const work: unknown[] = [value];
  while (work.length > 0) {
    const item = work.pop();
    if (item instanceof Raw) {
      out += item.text;
    } else if (Array.isArray(item)) {
      work.push(new Raw(']'));
      for (let i = item.length - 1; i >= 0; i--) {
        work.push(item[i]);
        if (i > 0) work.push(new Raw(','));
      }
      out += '[';
    } else if (item && typeof item === 'object') {
      const entries = Object.entries(item as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      work.push(new Raw('}'));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        work.push(v, new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
      }
      out += '{';
    } else {
      out += JSON.stringify(item) ?? 'null';
    }
  }
  return out;
}
