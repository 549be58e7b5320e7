/**
 * C2SP tlog-tiles: the static layout a tiled log serves and auditors fetch. A tile at level L, index N holds
 * up to 256 consecutive Merkle Tree Hashes of level 8·L (level 0: leaf hashes), `tile/<L>/<N>[.p/<W>]`; entry
 * bundles hold the entries of a level-0 tile, `tile/entries/<N>[.p/<W>]`, each with a big-endian uint16
 * length prefix. Paths here are relative to the log's prefix (no leading slash).
 *
 * `tileHashReader` turns a tile fetcher into the `HashReader` merkle.ts computes roots and proofs with, so a
 * store that keeps tiles (files, or rows in PostgreSQL) answers any proof for a checkpointed size.
 */
import { HASH_SIZE, TlogError, adjacentNodeHashInto, copyHash, leafHash, type Hash, type HashReader, type NodeId } from './merkle.js';

/** Hashes per full tile. */
export const TILE_WIDTH = 256;
/** Merkle levels per tile level: a tile is a subtree of height 8. */
export const TILE_HEIGHT = 8;
/** The highest tile level the path format allows. */
export const MAX_TILE_LEVEL = 63;
/** The longest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_ENTRY_SIZE = 0xffff;

/** A tile of hashes: `width` hashes (1..256; 256 is a full tile) of Merkle level 8·level. */
export interface Tile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** What a tile path names: a tile of hashes, or an entry bundle (the entries behind a level-0 tile). */
export type TileResource = ({ kind: 'tile' } & Tile) | { kind: 'entries'; index: number; width: number };

function isIndex(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function requireTileShape(level: number | null, index: number, width: number): void {
  if (level !== null && !(Number.isInteger(level) && level >= 0 && level <= MAX_TILE_LEVEL)) {
    throw new RangeError(`tile level must be 0..${MAX_TILE_LEVEL}, not ${level}`);
  }
  if (!isIndex(index)) throw new RangeError(`tile index must be a non-negative safe integer, not ${index}`);
  if (!(Number.isInteger(width) && width >= 1 && width <= TILE_WIDTH)) throw new RangeError(`tile width must be 1..${TILE_WIDTH}, not ${width}`);
}

/** N in three-digit path elements, all but the last prefixed with `x`: 1234067 → `x001/x234/067`. */
export function encodeTileIndex(index: number): string {
  if (!isIndex(index)) throw new RangeError(`tile index must be a non-negative safe integer, not ${index}`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function widthSuffix(width: number): string {
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]`. */
export function tilePath(tile: Tile): string {
  requireTileShape(tile.level, tile.index, tile.width);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]`: the entries of the level-0 tile `index`. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  requireTileShape(null, index, width);
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function malformedPath(path: string, why: string): TlogError {
  return new TlogError('malformed-tile-path', `${JSON.stringify(path.slice(0, 200))} is not a tile path: ${why}`);
}

/**
 * Reads a tile or entry-bundle path back, strictly: the level and width without leading zeros and in range,
 * the index in canonical three-digit groups (no `x000/` in front, no group of two or four digits), nothing
 * before `tile/` and nothing after.
 */
export function parseTilePath(path: string): TileResource {
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw malformedPath(path, 'it must start with tile/<L>/ or tile/entries/');
  const levelPart = parts[1]!;
  let rest = parts.slice(2);

  let width = TILE_WIDTH;
  const last = rest[rest.length - 1]!;
  if (rest.length >= 2 && rest[rest.length - 2]!.endsWith('.p')) {
    if (!DECIMAL.test(last)) throw malformedPath(path, 'the partial width must be a decimal number');
    width = Number(last);
    if (width < 1 || width >= TILE_WIDTH) throw malformedPath(path, `a partial width must be 1..${TILE_WIDTH - 1}`);
    rest = [...rest.slice(0, -2), rest[rest.length - 2]!.slice(0, -2)];
  }

  let index = 0;
  rest.forEach((element, i) => {
    const final = i === rest.length - 1;
    const digits = final ? element : element.startsWith('x') ? element.slice(1) : null;
    if (digits === null) throw malformedPath(path, 'all index elements but the last must start with x');
    if (!/^[0-9]{3}$/.test(digits)) throw malformedPath(path, 'index elements are three digits');
    index = index * 1000 + Number(digits);
  });
  if (rest.length > 1 && rest[0] === 'x000') throw malformedPath(path, 'the index has a leading zero group');
  if (!isIndex(index)) throw malformedPath(path, 'the index is too large');

  if (levelPart === 'entries') return { kind: 'entries', index, width };
  if (!DECIMAL.test(levelPart) || Number(levelPart) > MAX_TILE_LEVEL) throw malformedPath(path, `the level must be 0..${MAX_TILE_LEVEL} without leading zeros`);
  return { kind: 'tile', level: Number(levelPart), index, width };
}

/** How many hashes of tile level `level` a tree of `size` leaves has: floor(size / 256^level). */
function hashesAtTileLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/**
 * The tiles of a tree of `size` leaves, level by level, each tile at the width it has at that size (the
 * rightmost of a level partial when the level's hash count is not a multiple of 256). Entry bundles are the
 * level-0 tiles' indexes and widths.
 */
export function* tilesForTreeSize(size: number): Generator<Tile> {
  yield* tilesChangedBetween(0, size);
}

/**
 * The tiles a log must write when it grows from `oldSize` to `newSize`: every tile whose content at newSize
 * is not already there at oldSize (new full tiles, and the partial ones at their new width).
 */
export function* tilesChangedBetween(oldSize: number, newSize: number): Generator<Tile> {
  if (!isIndex(oldSize) || !isIndex(newSize) || oldSize > newSize) throw new RangeError(`cannot grow from ${oldSize} to ${newSize}`);
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const before = hashesAtTileLevel(oldSize, level);
    const after = hashesAtTileLevel(newSize, level);
    if (after === 0) break;
    if (after === before) continue;
    for (let index = Math.floor(before / TILE_WIDTH); index * TILE_WIDTH < after; index++) {
      yield { level, index, width: Math.min(TILE_WIDTH, after - index * TILE_WIDTH) };
    }
  }
}

/** The tile of `level` and `index` as it is in a tree of `size` leaves, or null when the tree has none. */
export function tileAt(level: number, index: number, size: number): Tile | null {
  const width = Math.min(TILE_WIDTH, hashesAtTileLevel(size, level) - index * TILE_WIDTH);
  return width > 0 ? { level, index, width } : null;
}

/** The Merkle nodes a tile holds, in order: level 8·L, indexes 256·N … 256·N + W − 1. */
export function tileNodes(tile: Tile): NodeId[] {
  requireTileShape(tile.level, tile.index, tile.width);
  return Array.from({ length: tile.width }, (_, i) => ({ level: tile.level * TILE_HEIGHT, index: tile.index * TILE_WIDTH + i }));
}

/** A tile's body: its hashes concatenated. */
export function encodeTile(hashes: readonly Hash[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH) throw new RangeError(`a tile holds 1..${TILE_WIDTH} hashes, not ${hashes.length}`);
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new RangeError(`hashes[${i}] is not ${HASH_SIZE} bytes`);
  });
  return Buffer.concat(hashes);
}

/** A tile's hashes from its body; with `width`, the body must be exactly that wide. */
export function decodeTile(data: Uint8Array, width?: number): Hash[] {
  if (data.length === 0 || data.length % HASH_SIZE !== 0 || data.length > TILE_WIDTH * HASH_SIZE) {
    throw new TlogError('malformed-tile', `a tile is 1..${TILE_WIDTH} hashes of ${HASH_SIZE} bytes, not ${data.length} bytes`);
  }
  if (width !== undefined && data.length !== width * HASH_SIZE) {
    throw new TlogError('malformed-tile', `expected a tile of ${width} hashes, got ${data.length / HASH_SIZE}`);
  }
  return Array.from({ length: data.length / HASH_SIZE }, (_, i) => new Uint8Array(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
}

/** Where subtreeHash reduces a subtree row by row (hashing is synchronous: one row serves every call). */
const scratchRow = Buffer.alloc(TILE_WIDTH * HASH_SIZE);

/**
 * The Merkle Tree Hash of the `span` (a power of two) consecutive hashes of a tile's body from `offset`: a
 * perfect subtree inside the tile. Hashed in place in one scratch row, straight from the body: a proof hashes
 * up to 247 nodes per tile level, and an array of 256 decoded hashes per tile plus a buffer per node were most
 * of what a proof allocated (≈ 1 MB) and so of its collection pauses.
 */
function subtreeHash(body: Uint8Array, offset: number, span: number): Hash {
  const start = offset * HASH_SIZE;
  if (span === 1) return copyHash(body, start);
  scratchRow.set(body.subarray(start, start + span * HASH_SIZE));
  for (let width = span; width > 1; width /= 2) {
    // Node i of the next row goes where node 2i of this one was: both it and 2i + 1 have been read by then.
    for (let i = 0; i < width; i += 2) adjacentNodeHashInto(scratchRow, i * HASH_SIZE, scratchRow, (i / 2) * HASH_SIZE);
  }
  return copyHash(scratchRow, 0);
}

/**
 * A HashReader for the tree of `size` leaves over a tile fetcher: a node at Merkle level h is the hash of
 * 2^(h mod 8) consecutive hashes of the tile at level floor(h / 8) (one hash when h is a multiple of 8). Each
 * tile is fetched once per read, at the width it has at `size` — a partial tile exists only for a size the log
 * made a checkpoint of, so `size` must be one. The fetcher answers the tile's body.
 */
export function tileHashReader(size: number, readTile: (tile: Tile) => Promise<Uint8Array>): HashReader {
  return batchTileHashReader(size, (tiles) => Promise.all(tiles.map(readTile)));
}

/**
 * `tileHashReader` over a fetcher of several tiles at once (a store answers them with one query): it is given
 * every distinct tile a read needs and answers their bodies in that order.
 */
export function batchTileHashReader(size: number, readTiles: (tiles: readonly Tile[]) => Promise<readonly Uint8Array[]>): HashReader {
  if (!isIndex(size)) throw new RangeError(`size must be a non-negative safe integer, not ${size}`);
  return async (nodes) => {
    const wanted = nodes.map((node) => {
      const level = Math.floor(node.level / TILE_HEIGHT);
      const span = 2 ** (node.level % TILE_HEIGHT);
      const first = node.index * span;
      const tile = tileAt(level, Math.floor(first / TILE_WIDTH), size);
      const offset = first % TILE_WIDTH;
      if (!tile || offset + span > tile.width) {
        throw new TlogError('bad-hash-read', `level ${node.level} index ${node.index} is not a complete subtree of the tree of size ${size}`);
      }
      return { key: tilePath(tile), tile, offset, span };
    });
    const distinct = new Map<string, Tile>();
    for (const { key, tile } of wanted) distinct.set(key, tile);
    const list = [...distinct.values()];
    const bodies = list.length === 0 ? [] : await readTiles(list);
    if (bodies.length !== list.length) throw new TlogError('bad-hash-read', `asked for ${list.length} tiles, read ${bodies.length}`);
    const tiles = new Map<string, Uint8Array>();
    list.forEach((tile, i) => {
      const body = bodies[i]!;
      if (body.length !== tile.width * HASH_SIZE) {
        throw new TlogError('malformed-tile', `expected a tile of ${tile.width} hashes (${tile.width * HASH_SIZE} bytes), got ${body.length} bytes`);
      }
      tiles.set(tilePath(tile), body);
    });
    return wanted.map(({ key, offset, span }) => subtreeHash(tiles.get(key)!, offset, span));
  };
}

/** Where `cachedUpperNodes` keeps hashes: any map-like store (the log service uses an LRU). */
export interface NodeHashStore {
  get(key: string): Hash | undefined;
  set(key: string, hash: Hash): unknown;
}

/**
 * A HashReader for the tree of `size` leaves that answers the nodes at Merkle level 8 and above (those of tile
 * levels ≥ 1) from `store` and reads only the others through `inner`, keeping what it read. Every node a
 * HashReader is asked for is a perfect subtree, whose hash never changes once its leaves exist, so a kept hash is
 * never stale. A node of a full upper tile that is not kept yet brings its whole tile in (the 511 subtrees of the
 * tile's 256 hashes, read once): random proofs would otherwise miss for thousands of requests before the upper
 * levels (about 2 nodes per 256 leaves) were in memory. Without this a proof of a 1M-leaf log read five tiles and
 * hashed ≈ 800 nodes; with it, one full tile and the right edge's partial one, and ≈ 300 nodes.
 */
export function cachedUpperNodes(inner: HashReader, store: NodeHashStore, size: number): HashReader {
  const keyOf = (n: NodeId) => `${n.level}/${n.index}`;
  return async (nodes) => {
    const out: (Hash | undefined)[] = nodes.map((n) => (n.level >= TILE_HEIGHT ? store.get(keyOf(n)) : undefined));
    const ask = new Map<string, NodeId>();
    nodes.forEach((node, i) => {
      if (out[i]) return;
      const level = Math.floor(node.level / TILE_HEIGHT);
      const tileIndex = Math.floor((node.index * 2 ** (node.level % TILE_HEIGHT)) / TILE_WIDTH);
      if (level === 0 || tileAt(level, tileIndex, size)?.width !== TILE_WIDTH) {
        ask.set(keyOf(node), node); // a level-0 node, or one of a partial tile (it changes width as the tree grows)
        return;
      }
      for (let k = 0; k < TILE_HEIGHT; k++) {
        const count = TILE_WIDTH >> k;
        for (let j = 0; j < count; j++) {
          const n = { level: level * TILE_HEIGHT + k, index: tileIndex * count + j };
          ask.set(keyOf(n), n);
        }
      }
    });
    if (ask.size === 0) return out as Hash[];
    const list = [...ask.values()];
    const read = await inner(list);
    if (read.length !== list.length) throw new TlogError('bad-hash-read', `asked for ${list.length} hashes, read ${read.length}`);
    const got = new Map<string, Hash>();
    list.forEach((n, i) => {
      got.set(keyOf(n), read[i]!);
      // Its own copy: a read hash may be a view of a pooled slab that the store would otherwise keep alive.
      if (n.level >= TILE_HEIGHT) store.set(keyOf(n), new Uint8Array(read[i]!));
    });
    return nodes.map((n, i) => out[i] ?? got.get(keyOf(n))!);
  };
}

/** An entry bundle: 1..256 entries, each a big-endian uint16 length and the entry's bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH) throw new RangeError(`an entry bundle holds 1..${TILE_WIDTH} entries, not ${entries.length}`);
  const parts: Uint8Array[] = [];
  entries.forEach((entry, i) => {
    if (entry.length > MAX_ENTRY_SIZE) throw new RangeError(`entries[${i}] is ${entry.length} bytes; at most ${MAX_ENTRY_SIZE} fit`);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(entry.length);
    parts.push(prefix, entry);
  });
  return Buffer.concat(parts);
}

/** The entries of a bundle; with `width`, it must hold exactly that many. Refuses a cut prefix or entry. */
export function decodeEntryBundle(data: Uint8Array, width?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (entries.length === TILE_WIDTH) throw new TlogError('malformed-entry-bundle', `more than ${TILE_WIDTH} entries`);
    if (at + 2 > data.length) throw new TlogError('malformed-entry-bundle', `a length prefix is cut at byte ${at}`);
    const length = (data[at]! << 8) | data[at + 1]!;
    at += 2;
    if (at + length > data.length) throw new TlogError('malformed-entry-bundle', `entry ${entries.length} needs ${length} bytes, ${data.length - at} are left`);
    entries.push(new Uint8Array(data.subarray(at, at + length)));
    at += length;
  }
  if (entries.length === 0) throw new TlogError('malformed-entry-bundle', 'an entry bundle is never empty');
  if (width !== undefined && entries.length !== width) throw new TlogError('malformed-entry-bundle', `expected ${width} entries, got ${entries.length}`);
  return entries;
}

/** The leaf hashes of a bundle's entries: the level-0 tile it must match. */
export function entryBundleLeafHashes(entries: readonly Uint8Array[]): Hash[] {
  return entries.map((e) => leafHash(e));
}
