/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that the log's commitments
 * hash, so anyone holding an event record computes the same bytes from it in any language.
 *
 *  - object members sorted by their names as arrays of UTF-16 code units (JavaScript's default string order),
 *    no whitespace;
 *  - strings as ECMAScript JSON.stringify writes them (RFC 8785 §3.2.2.2 is that algorithm: `\"`, `\\`,
 *    `\b \f \n \r \t`, other controls as lowercase `\u00xx`, everything else as it is); a lone surrogate
 *    is refused (§3.2.2.2: not valid I-JSON), where JSON.stringify would escape it;
 *  - numbers as ECMAScript's Number-to-String (§3.2.2.3 adopts it; -0 is `0`); NaN and ±Infinity refused.
 *
 * Not lib/hash.ts's canonicalJson, which is a different (earlier) canonical form.
 */
export class JcsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JcsError';
  }
}

const LONE_SURROGATE = /\p{Cs}/u;

function jcsString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new JcsError('a string holds a lone surrogate, which RFC 8785 refuses');
  return JSON.stringify(value);
}

function serialize(value: unknown, out: string[], depth: number): void {
  if (depth > 1000) throw new JcsError('nested deeper than 1000 levels');
  if (value === null) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new JcsError(`${value} is not a JSON number`);
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'string':
      out.push(jcsString(value));
      return;
    case 'object': {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        // Dates and the like, as JSON.stringify would write them.
        serialize((toJSON as () => unknown).call(value), out, depth + 1);
        return;
      }
      if (Array.isArray(value)) {
        out.push('[');
        value.forEach((item, i) => {
          if (i > 0) out.push(',');
          serialize(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item, out, depth + 1);
        });
        out.push(']');
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>).filter(
        ([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol',
      );
      // Code-unit order: the default sort compares UTF-16 code units, as RFC 8785 §3.2.3 asks.
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      entries.forEach(([k, v], i) => {
        if (i > 0) out.push(',');
        out.push(jcsString(k), ':');
        serialize(v, out, depth + 1);
      });
      out.push('}');
      return;
    }
    default:
      throw new JcsError(`a ${typeof value} is not JSON`);
  }
}

/** The RFC 8785 canonical JSON text of a JSON value. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  serialize(value, out, 0);
  return out.join('');
}

/** The canonical text as UTF-8 bytes: what is hashed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), 'utf8');
}
