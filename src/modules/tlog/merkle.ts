/**
 * RFC 9162 §2.1 Merkle trees (the RFC 6962 tree with SHA-256) for a transparency log: hashes, tree heads,
 * inclusion and consistency proofs, and their verification.
 *
 * Three ways in:
 *  - over an array of leaf hashes (`rootOf`, `inclusionProof`, `consistencyProof`): the RFC's recursive
 *    definitions as written, for tests and small trees;
 *  - over stored subtree hashes (`readTreeHash`, `readInclusionProof`, `readConsistencyProof`): every hash a
 *    tree head or a proof needs is the Merkle Tree Hash of a *perfect* subtree (2^level leaves starting at
 *    index·2^level), so a log that stores those — in tiles of 256, or in a table keyed by (level, index) —
 *    answers with one batched read through a `HashReader`;
 *  - the right edge of the tree (`appendToRightEdge`, `rootFromRightEdge`): what a sequencer keeps to append
 *    leaves, learn the new root and the new perfect-subtree hashes to store, without reading anything.
 *
 * Verification (`verifyInclusion`, `verifyConsistency`) never throws on what a proof or its sizes contain: it
 * answers `false` for every refusal; `checkInclusion`/`checkConsistency` say why. Building a proof from bad
 * arguments (an index outside the tree) is the caller's mistake and throws a RangeError.
 *
 * Sizes and indexes are JavaScript numbers: non-negative safe integers (below 2^53).
 */
import crypto, { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** A SHA-256 hash: 32 bytes. */
export type Hash = Uint8Array;

/** What a malformed or unverifiable note, checkpoint, tile or proof is refused with. */
export type TlogErrorCode =
  | 'malformed-key'
  | 'malformed-note'
  | 'too-many-signatures'
  | 'invalid-signature'
  | 'unverified-note'
  | 'malformed-checkpoint'
  | 'wrong-origin'
  | 'malformed-cosignature'
  | 'not-enough-cosignatures'
  | 'malformed-tile-path'
  | 'malformed-tile'
  | 'malformed-entry-bundle'
  | 'malformed-proof'
  | 'proof-failed'
  | 'bad-hash-read';

export class TlogError extends Error {
  readonly code: TlogErrorCode;

  constructor(code: TlogErrorCode, message: string) {
    super(message);
    this.name = 'TlogError';
    this.code = code;
  }
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

// crypto.hash (Node ≥ 20.12) hashes in one call, about twice as fast as a Hash object: proofs, audits and the
// sequencer hash hundreds of nodes each. The digest comes as a latin1 ('binary') string, which Buffer.from turns
// into bytes of Node's shared pool: a 'buffer' digest (and its copy) was an ArrayBuffer of its own per hash, and a
// proof's ≈ 750 of them fed the young-generation collections that made its latency tail (bench/README.md, "log").
// Measured here: 0.5 µs a node hash this way, 2.0 µs before.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'binary') => string }).hash;

/** A plain Uint8Array over bytes of Node's shared buffer pool (a Hash is a Uint8Array, not a Buffer, everywhere). */
function pooled(bytes: Buffer): Hash {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** SHA-256 of one byte string, in the shared pool. */
function digest(data: Uint8Array): Hash {
  if (oneShot) return pooled(Buffer.from(oneShot('sha256', data, 'binary'), 'latin1'));
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** A copy of the hash at byte `at` of `bytes` (a tile's body), in the shared pool. */
export function copyHash(bytes: Uint8Array, at: number): Hash {
  return pooled(Buffer.from(bytes.subarray(at, at + HASH_SIZE)));
}

export function sha256(...parts: Uint8Array[]): Hash {
  return digest(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
}

/** 0x01 ‖ left ‖ right, assembled in place for each node hash (hashing is synchronous: one buffer serves all). */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/**
 * SHA-256(0x01 ‖ bytes[at, at + 64)), the node over two hashes that lie next to each other (in a tile's body),
 * written to `into` at byte `intoAt`: a subtree is reduced row by row in one buffer, with no object per node.
 */
export function adjacentNodeHashInto(bytes: Uint8Array, at: number, into: Buffer, intoAt: number): void {
  // A loop, not set(subarray(…)): no view object per node.
  for (let i = 0; i < 2 * HASH_SIZE; i++) nodeInput[1 + i] = bytes[at + i]!;
  if (oneShot) into.write(oneShot('sha256', nodeInput, 'binary'), intoAt, HASH_SIZE, 'latin1');
  else into.set(createHash('sha256').update(nodeInput).digest(), intoAt);
}

/** MTH({}) = SHA-256(""): the root of the empty tree. */
export const EMPTY_ROOT: Hash = sha256();

export function isHash(value: unknown): value is Hash {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function requireSize(n: number, what: string): void {
  if (!isSize(n)) throw new RangeError(`${what} must be a non-negative safe integer, not ${String(n)}`);
}

function requireHash(h: Uint8Array, what: string): void {
  if (!isHash(h)) throw new RangeError(`${what} must be a ${HASH_SIZE}-byte hash`);
}

/** The leaf hash of an entry: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  requireHash(left, 'left');
  requireHash(right, 'right');
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return digest(nodeInput);
}

/** The largest power of two smaller than n (n ≥ 2): where the RFC splits a tree of n leaves. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

// ---------------------------------------------------------------------------------------------------------
// Over all the leaf hashes: the RFC's definitions.

function mth(leaves: readonly Hash[], lo: number, hi: number): Hash {
  const n = hi - lo;
  if (n === 1) return leaves[lo]!;
  const k = splitPoint(n);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

function requireLeaves(leafHashes: readonly Hash[]): void {
  leafHashes.forEach((h, i) => requireHash(h, `leafHashes[${i}]`));
}

/** MTH(D[n]) of a tree with these leaf hashes, any size (the empty tree's is `EMPTY_ROOT`). */
export function rootOf(leafHashes: readonly Hash[]): Hash {
  requireLeaves(leafHashes);
  return leafHashes.length === 0 ? EMPTY_ROOT : mth(leafHashes, 0, leafHashes.length);
}

/** The ranges [lo, hi) of leaves whose tree hashes make PATH(m, D[n]), leaf's sibling first (RFC 9162 §2.1.3.1). */
function inclusionRanges(index: number, lo: number, hi: number, out: Array<[number, number]>): void {
  const n = hi - lo;
  if (n === 1) return;
  const k = splitPoint(n);
  if (index < lo + k) {
    inclusionRanges(index, lo, lo + k, out);
    out.push([lo + k, hi]);
  } else {
    inclusionRanges(index, lo + k, hi, out);
    out.push([lo, lo + k]);
  }
}

/** The ranges of SUBPROOF(m, D[lo:hi], b) (RFC 9162 §2.1.4.1). */
function consistencyRanges(m: number, lo: number, hi: number, whole: boolean, out: Array<[number, number]>): void {
  const n = hi - lo;
  if (m === n) {
    if (!whole) out.push([lo, hi]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    consistencyRanges(m, lo, lo + k, whole, out);
    out.push([lo + k, hi]);
  } else {
    consistencyRanges(m - k, lo + k, hi, false, out);
    out.push([lo, lo + k]);
  }
}

function requireInclusionArgs(index: number, treeSize: number): void {
  requireSize(index, 'index');
  requireSize(treeSize, 'treeSize');
  if (index >= treeSize) throw new RangeError(`index ${index} is not in a tree of size ${treeSize}`);
}

function requireConsistencyArgs(size1: number, size2: number): void {
  requireSize(size1, 'size1');
  requireSize(size2, 'size2');
  if (size1 === 0) throw new RangeError('a consistency proof from the empty tree proves nothing');
  if (size1 > size2) throw new RangeError(`size1 ${size1} is greater than size2 ${size2}`);
}

/** The inclusion proof of leaf `index` in the tree of all `leafHashes`. */
export function inclusionProof(leafHashes: readonly Hash[], index: number): Hash[] {
  requireInclusionArgs(index, leafHashes.length);
  requireLeaves(leafHashes);
  const ranges: Array<[number, number]> = [];
  inclusionRanges(index, 0, leafHashes.length, ranges);
  return ranges.map(([lo, hi]) => mth(leafHashes, lo, hi));
}

/**
 * The consistency proof from the tree of the first `size1` leaves to the tree of the first `size2`
 * (0 < size1 ≤ size2 ≤ leafHashes.length; empty when size1 = size2).
 */
export function consistencyProof(leafHashes: readonly Hash[], size1: number, size2: number): Hash[] {
  requireConsistencyArgs(size1, size2);
  if (size2 > leafHashes.length) throw new RangeError(`size2 ${size2} is beyond the ${leafHashes.length} leaves`);
  requireLeaves(leafHashes);
  const ranges: Array<[number, number]> = [];
  consistencyRanges(size1, 0, size2, true, ranges);
  return ranges.map(([lo, hi]) => mth(leafHashes, lo, hi));
}

// ---------------------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2).

export type ProofFailure =
  | 'invalid-size'
  | 'index-out-of-range'
  | 'invalid-hash'
  | 'size1-is-zero'
  | 'size1-greater-than-size2'
  | 'proof-not-empty'
  | 'proof-empty'
  | 'proof-too-long'
  | 'proof-too-short'
  | 'root-mismatch';

export type ProofCheck = { ok: true } | { ok: false; reason: ProofFailure };

const OK: ProofCheck = { ok: true };
const fail = (reason: ProofFailure): ProofCheck => ({ ok: false, reason });

function allHashes(proof: readonly unknown[]): boolean {
  return Array.isArray(proof) && proof.every(isHash);
}

/** Why `proof` does not prove that `leafHash` is leaf `index` of the tree of size `treeSize` with `root`. */
export function checkInclusion(leafHash: Hash, index: number, treeSize: number, proof: readonly Hash[], root: Hash): ProofCheck {
  if (!isSize(index) || !isSize(treeSize)) return fail('invalid-size');
  if (index >= treeSize) return fail('index-out-of-range');
  if (!isHash(leafHash) || !isHash(root) || !allHashes(proof)) return fail('invalid-hash');
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return fail('proof-too-long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(NODE_PREFIX, p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = sha256(NODE_PREFIX, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return fail('proof-too-short');
  return bytesEqual(r, root) ? OK : fail('root-mismatch');
}

export function verifyInclusion(leafHash: Hash, index: number, treeSize: number, proof: readonly Hash[], root: Hash): boolean {
  return checkInclusion(leafHash, index, treeSize, proof, root).ok;
}

/**
 * Why `proof` does not prove that the tree of size `size2` with `root2` extends the tree of size `size1` with
 * `root1`. Refused: size1 > size2; size1 = 0 (a proof from the empty tree proves nothing: a witness handles
 * "old size 0" itself); size1 = size2 with a non-empty proof or different roots; otherwise an empty proof,
 * or one that is too long, too short or does not reproduce both roots.
 */
export function checkConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): ProofCheck {
  if (!isSize(size1) || !isSize(size2)) return fail('invalid-size');
  if (size1 > size2) return fail('size1-greater-than-size2');
  if (size1 === 0) return fail('size1-is-zero');
  if (!Array.isArray(proof)) return fail('invalid-hash');
  if (size1 === size2) {
    // Nothing to compute: the same tree, byte for byte.
    if (proof.length > 0) return fail('proof-not-empty');
    return root1 instanceof Uint8Array && root2 instanceof Uint8Array && bytesEqual(root1, root2) ? OK : fail('root-mismatch');
  }
  if (proof.length === 0) return fail('proof-empty');
  if (!isHash(root1) || !isHash(root2) || !allHashes(proof)) return fail('invalid-hash');

  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  // When size1 is a power of two, the old tree is a node of the new one, and root1 starts the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return fail('proof-too-long');
    if ((fn & 1n) === 1n || fn === sn) {
      fr = sha256(NODE_PREFIX, c, fr);
      sr = sha256(NODE_PREFIX, c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = sha256(NODE_PREFIX, sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return fail('proof-too-short');
  return bytesEqual(fr, root1) && bytesEqual(sr, root2) ? OK : fail('root-mismatch');
}

export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  return checkConsistency(size1, size2, proof, root1, root2).ok;
}

// ---------------------------------------------------------------------------------------------------------
// Over stored perfect-subtree hashes.

/**
 * A perfect subtree: the 2^level leaves from index·2^level. Level 0 nodes are leaf hashes; a tiled log stores
 * levels 0, 8, 16, … in tiles, and the levels between are hashed again from those.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Hash;
}

/**
 * Reads the hashes of perfect subtrees, in the order asked, in one go (a store answers with one query or one
 * round of tile fetches). It must throw when it does not have one; every node asked is within the tree the
 * caller named.
 */
export type HashReader = (nodes: readonly NodeId[]) => Promise<readonly Hash[]>;

/** A HashReader over a one-hash-at-a-time lookup (called for all the nodes at once, concurrently). */
export function hashReader(getHash: (level: number, index: number) => Hash | Promise<Hash>): HashReader {
  return async (nodes) => Promise.all(nodes.map((n) => getHash(n.level, n.index)));
}

/**
 * The perfect subtrees that make up the leaves [lo, hi) of a node of the RFC tree (for [0, size): the tree's
 * right edge), largest first: one per set bit of hi − lo. Its tree hash is their right fold.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  requireSize(lo, 'lo');
  requireSize(hi, 'hi');
  if (hi < lo) throw new RangeError(`range [${lo}, ${hi}) is reversed`);
  const nodes: NodeId[] = [];
  let at = lo;
  let rest = hi - lo;
  while (rest > 0) {
    let width = 1;
    let level = 0;
    while (width * 2 <= rest) {
      width *= 2;
      level++;
    }
    if (at % width !== 0) throw new RangeError(`range [${lo}, ${hi}) is not a node of the tree`);
    nodes.push({ level, index: at / width });
    at += width;
    rest -= width;
  }
  return nodes;
}

/** The perfect subtrees on the right edge of a tree of `size` leaves, largest first. */
export function rightEdgeNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/** Folds hashes from the right: h0 ⊕ (h1 ⊕ (… ⊕ hn)). The tree hash of a `rangeNodes` decomposition. */
function foldRight(hashes: readonly Hash[]): Hash {
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = sha256(NODE_PREFIX, hashes[i]!, h);
  return h;
}

/** The root of a tree from the hashes of its right edge (`rightEdgeNodes(size)`, largest first). */
export function rootFromRightEdge(edge: readonly Hash[]): Hash {
  edge.forEach((h, i) => requireHash(h, `edge[${i}]`));
  return edge.length === 0 ? EMPTY_ROOT : foldRight(edge);
}

function popcount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

export interface AppendResult {
  /** The right edge of the tree of size + 1. */
  edge: Hash[];
  /** The perfect subtrees the new leaf completes, level 0 first: what the log stores. */
  nodes: StoredNode[];
}

/** Appends leaf number `size` to a tree known by its right edge. */
export function appendToRightEdge(edge: readonly Hash[], size: number, leaf: Hash): AppendResult {
  requireSize(size, 'size');
  requireHash(leaf, 'leaf');
  if (edge.length !== popcount(size)) throw new RangeError(`a tree of size ${size} has ${popcount(size)} edge hashes, not ${edge.length}`);
  edge.forEach((h, i) => requireHash(h, `edge[${i}]`));
  const next = edge.slice();
  let level = 0;
  let index = size;
  let hash = leaf;
  const nodes: StoredNode[] = [{ level, index, hash }];
  while (index % 2 === 1) {
    hash = sha256(NODE_PREFIX, next.pop()!, hash);
    index = (index - 1) / 2;
    level++;
    nodes.push({ level, index, hash });
  }
  next.push(hash);
  return { edge: next, nodes };
}

async function readRanges(reader: HashReader, ranges: ReadonlyArray<readonly [number, number]>): Promise<Hash[]> {
  const perRange = ranges.map(([lo, hi]) => rangeNodes(lo, hi));
  const wanted = new Map<string, NodeId>();
  for (const nodes of perRange) for (const n of nodes) wanted.set(`${n.level}/${n.index}`, n);
  const list = [...wanted.values()];
  const hashes = list.length === 0 ? [] : await reader(list);
  if (hashes.length !== list.length) throw new TlogError('bad-hash-read', `asked for ${list.length} hashes, read ${hashes.length}`);
  const byKey = new Map<string, Hash>();
  list.forEach((n, i) => {
    const h = hashes[i];
    if (!isHash(h)) throw new TlogError('bad-hash-read', `the hash read for level ${n.level} index ${n.index} is not ${HASH_SIZE} bytes`);
    byKey.set(`${n.level}/${n.index}`, h);
  });
  return perRange.map((nodes) => foldRight(nodes.map((n) => byKey.get(`${n.level}/${n.index}`)!)));
}

/** The root of the tree of `size` leaves, from stored hashes (its right edge). */
export async function readTreeHash(reader: HashReader, size: number): Promise<Hash> {
  requireSize(size, 'size');
  if (size === 0) return EMPTY_ROOT;
  const [root] = await readRanges(reader, [[0, size]]);
  return root!;
}

/** The inclusion proof of leaf `index` in the tree of `treeSize` leaves, from stored hashes. */
export async function readInclusionProof(reader: HashReader, index: number, treeSize: number): Promise<Hash[]> {
  requireInclusionArgs(index, treeSize);
  const ranges: Array<[number, number]> = [];
  inclusionRanges(index, 0, treeSize, ranges);
  return readRanges(reader, ranges);
}

/** The consistency proof from size1 to size2 (0 < size1 ≤ size2), from stored hashes. */
export async function readConsistencyProof(reader: HashReader, size1: number, size2: number): Promise<Hash[]> {
  requireConsistencyArgs(size1, size2);
  const ranges: Array<[number, number]> = [];
  consistencyRanges(size1, 0, size2, true, ranges);
  return readRanges(reader, ranges);
}

/**
 * A tree held in memory as every perfect-subtree hash, grown through `appendToRightEdge`: for tests, and as
 * the reference a stored log is checked against.
 */
export class MemoryTree {
  private readonly levels: Hash[][] = [];
  private edge: Hash[] = [];
  private count = 0;

  constructor(leafHashes: readonly Hash[] = []) {
    for (const h of leafHashes) this.append(h);
  }

  get size(): number {
    return this.count;
  }

  append(leaf: Hash): StoredNode[] {
    const { edge, nodes } = appendToRightEdge(this.edge, this.count, leaf);
    for (const n of nodes) (this.levels[n.level] ??= [])[n.index] = n.hash;
    this.edge = edge;
    this.count++;
    return nodes;
  }

  root(): Hash {
    return rootFromRightEdge(this.edge);
  }

  hashAt(level: number, index: number): Hash {
    const h = this.levels[level]?.[index];
    if (!h) throw new TlogError('bad-hash-read', `no perfect subtree at level ${level} index ${index} in a tree of size ${this.count}`);
    return h;
  }

  readonly reader: HashReader = async (nodes) => nodes.map((n) => this.hashAt(n.level, n.index));
}
