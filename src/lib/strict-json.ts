/**
 * Strict JSON for request bodies. JSON.parse accepts what this service must neither store nor guess at:
 * duplicate keys (the last one silently wins), NUL (PostgreSQL refuses it in text and jsonb), lone surrogates
 * (not Unicode text; jsonb refuses them), numbers beyond the double range (parsed as Infinity) and unbounded
 * nesting. One linear scan over the text checks the grammar and all of that without recursion; JSON.parse
 * then builds the value, which is known to be at most MAX_JSON_DEPTH deep.
 */

declare global {
  interface String {
    /** ES2024; on Node 20 and later. */
    isWellFormed(): boolean;
  }
}

/** The deepest nesting of objects and arrays a request body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 32;

export class JsonInputError extends Error {
  constructor(
    /** syntax: not JSON; encoding: not UTF-8; content: JSON, but a value this service refuses. */
    readonly kind: 'syntax' | 'encoding' | 'content',
    /** Where, as an error path: `body/attributes/notes`. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'JsonInputError';
  }
}

/** Why a piece of client text cannot be stored, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000)';
  if (!text.isWellFormed()) return 'must not contain a lone surrogate (it is not Unicode text)';
  return undefined;
}

/** A JSON Pointer segment (RFC 6901), as AJV writes them in error paths. */
export const pointerSegment = (segment: string | number) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

interface Frame {
  object: boolean;
  keys: string[] | undefined;
  keySet: Set<string> | undefined;
  /** The key or index of the member being read; undefined between an object's members. */
  segment: string | number | undefined;
  /** This object is the value of a `constructor` key: `prototype` is refused in it (prototype poisoning). */
  constructorValue: boolean;
}

const enum Expect {
  Value,
  ValueOrEnd,
  KeyOrEnd,
  Key,
  Colon,
  CommaOrEnd,
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX = /^[0-9a-fA-F]{4}$/;
/** A run of string characters that need no look: not a quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a JSON string may not hold raw
const PLAIN_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
/** Objects with up to this many keys check duplicates by a scan of their keys (faster than a Set). */
const SMALL_OBJECT = 8;

/**
 * Checks JSON text: the grammar of RFC 8259, then no duplicate key in an object, no NUL or lone surrogate in
 * any string or key, no `__proto__` key, no number that overflows a double, and at most `maxDepth` levels.
 * Throws a JsonInputError naming the place; linear in the length of the text, no recursion.
 */
export function scanJson(text: string, root = 'body', maxDepth = MAX_JSON_DEPTH): void {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  let state: Expect = Expect.Value;

  const path = () => {
    let p = root;
    for (const frame of stack) if (frame.segment !== undefined) p += `/${pointerSegment(frame.segment)}`;
    return p;
  };
  const syntax = (what: string) => new JsonInputError('syntax', path(), `Body is not valid JSON: ${what} at position ${i}.`);
  const content = (at: string, message: string) => new JsonInputError('content', at, message);

  /** Reads the string starting at `i` (a quote); returns its value when `wanted` or when it has escapes. */
  const readString = (wanted: boolean): string | undefined => {
    const start = i;
    let escaped = false;
    i++;
    for (;;) {
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(text);
      i = PLAIN_RUN.lastIndex;
      if (i >= n) throw syntax('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!HEX.test(text.slice(i + 2, i + 6))) throw syntax('bad \\u escape');
          i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
        } else {
          throw syntax('bad escape');
        }
        continue;
      }
      if (c < 0x20) throw syntax('control character in a string');
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) throw content(path(), 'must not contain a lone surrogate (it is not Unicode text)');
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    if (!escaped) return wanted ? text.slice(start + 1, i - 1) : undefined;
    return JSON.parse(text.slice(start, i)) as string;
  };

  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    const top = stack[stack.length - 1];
    if (i >= n) {
      if (!top && state === Expect.CommaOrEnd) return;
      throw syntax('unexpected end');
    }
    const c = text.charCodeAt(i);
    switch (state) {
      case Expect.CommaOrEnd: {
        if (!top) throw syntax('unexpected data after the value');
        if (c === 0x2c) {
          i++;
          if (top.object) {
            top.segment = undefined;
            state = Expect.Key;
          } else {
            top.segment = (top.segment as number) + 1;
            state = Expect.Value;
          }
        } else if (c === (top.object ? 0x7d : 0x5d)) {
          i++;
          stack.pop();
        } else {
          throw syntax(top.object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        continue;
      }
      case Expect.KeyOrEnd:
      case Expect.Key: {
        if (c === 0x7d && state === Expect.KeyOrEnd) {
          i++;
          stack.pop();
          state = Expect.CommaOrEnd;
          continue;
        }
        if (c !== 0x22) throw syntax('expected a key in double quotes');
        const frame = top!;
        const key = readString(true)!;
        const problem = textProblem(key);
        if (problem) throw content(path(), `has a key that ${problem.replace(/^must not contain/, 'contains')}`);
        frame.segment = key;
        const keys = frame.keys!;
        if (frame.keySet ? frame.keySet.has(key) : keys.includes(key)) throw content(path(), 'is given more than once (duplicate key)');
        if (key === '__proto__' || (key === 'prototype' && frame.constructorValue)) throw content(path(), 'is not an allowed key');
        if (frame.keySet) frame.keySet.add(key);
        else if (keys.length < SMALL_OBJECT) keys.push(key);
        else frame.keySet = new Set([...keys, key]);
        state = Expect.Colon;
        continue;
      }
      case Expect.Colon: {
        if (c !== 0x3a) throw syntax("expected ':'");
        i++;
        state = Expect.Value;
        continue;
      }
      case Expect.ValueOrEnd:
      case Expect.Value: {
        if (c === 0x5d && state === Expect.ValueOrEnd) {
          i++;
          stack.pop();
          state = Expect.CommaOrEnd;
          continue;
        }
        if (c === 0x7b || c === 0x5b) {
          if (stack.length >= maxDepth) throw content(path(), `nests deeper than ${maxDepth} levels of objects and arrays`);
          const object = c === 0x7b;
          stack.push({
            object,
            keys: object ? [] : undefined,
            keySet: undefined,
            segment: object ? undefined : 0,
            constructorValue: top?.object === true && top.segment === 'constructor',
          });
          i++;
          state = object ? Expect.KeyOrEnd : Expect.ValueOrEnd;
          continue;
        }
        if (c === 0x22) {
          const value = readString(false);
          const problem = value === undefined ? undefined : textProblem(value);
          if (problem) throw content(path(), problem);
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          NUMBER.lastIndex = i;
          const match = NUMBER.exec(text);
          if (!match) throw syntax('bad number');
          if (!Number.isFinite(Number(match[0]))) throw content(path(), 'is a number too large to represent');
          i += match[0].length;
        } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
          i += 4;
        } else if (text.startsWith('false', i)) {
          i += 5;
        } else {
          throw syntax('unexpected character');
        }
        state = Expect.CommaOrEnd;
        continue;
      }
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const d = bytes[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < [0, 0x80, 0x800, 0x10000][need]! || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

/**
 * A JSON request body from its bytes: UTF-8 decoded without replacement characters (a bad byte is refused,
 * never turned into U+FFFD), checked by scanJson, then parsed. Throws JsonInputError.
 */
export function parseStrictJson(bytes: Uint8Array, root = 'body', maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    // Where in the document the bad byte is: the scan of the (valid) text before it stops there.
    let at = root;
    try {
      scanJson(utf8.decode(bytes.subarray(0, offset)), root, maxDepth);
    } catch (error) {
      if (!(error instanceof JsonInputError)) throw error;
      if (error.kind === 'content') throw error;
      at = error.path;
    }
    throw new JsonInputError('encoding', at, `is not valid UTF-8 (byte ${offset} of the body)`);
  }
  scanJson(text, root, maxDepth);
  return JSON.parse(text) as unknown;
}

export interface FreeFormLimits {
  /** Levels of objects and arrays, the value itself being level 1. */
  maxDepth: number;
  /** Bytes of the value serialised as JSON. */
  maxBytes: number;
}

/** Limits of a free-form JSON member (`attributes`, process `params` …). */
export const FREE_FORM_LIMITS: FreeFormLimits = { maxDepth: 32, maxBytes: 65_536 };

/** The schema keyword (plugins/strict-input.ts) that applies freeFormProblem to a member. */
export const FREE_FORM_KEYWORD = 'x-free-form';

/** Schema options of a free-form member: `Type.Record(…, { ...freeForm(), description })`. */
export const freeForm = (limits: Partial<FreeFormLimits> = {}) => ({ [FREE_FORM_KEYWORD]: { ...FREE_FORM_LIMITS, ...limits } });

/**
 * Why a free-form JSON value is too deep or too large, or undefined when it fits: walks it with its own
 * stack (no recursion) and stops as soon as a limit is passed. The size is that of JSON.stringify's output.
 */
export function freeFormProblem(value: unknown, limits: FreeFormLimits = FREE_FORM_LIMITS): string | undefined {
  let bytes = 0;
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const v = pending.pop();
    const depth = depths.pop()!;
    if (v !== null && typeof v === 'object') {
      if (depth > limits.maxDepth) return `nests deeper than ${limits.maxDepth} levels of objects and arrays`;
      if (Array.isArray(v)) {
        bytes += 2 + Math.max(0, v.length - 1);
        for (const item of v) {
          pending.push(item);
          depths.push(depth + 1);
        }
      } else {
        const entries = Object.entries(v as Record<string, unknown>).filter(([, member]) => member !== undefined);
        bytes += 2 + Math.max(0, entries.length - 1);
        for (const [key, member] of entries) {
          bytes += Buffer.byteLength(JSON.stringify(key)) + 1;
          pending.push(member);
          depths.push(depth + 1);
        }
      }
    } else {
      bytes += Buffer.byteLength(JSON.stringify(v) ?? 'null');
    }
    if (bytes > limits.maxBytes) return `must be at most ${limits.maxBytes} bytes of JSON`;
  }
  return undefined;
}
