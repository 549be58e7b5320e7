// Merkle trees of the transparency log (src/modules/tlog/merkle.ts): the 196 RFC 6962 / RFC 9162 proof vectors
// of transparency-dev/merkle, the RFC 6962 reference leaves, and generated proofs over every small tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import {
  EMPTY_ROOT,
  MemoryTree,
  appendToRightEdge,
  checkConsistency,
  checkInclusion,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rangeNodes,
  readConsistencyProof,
  readInclusionProof,
  readTreeHash,
  rightEdgeNodes,
  rootFromRightEdge,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  encodeTile,
  encodeTileIndex,
  entryBundleLeafHashes,
  entryBundlePath,
  parseTilePath,
  tileHashReader,
  cachedUpperNodes,
  tileNodes,
  tilePath,
  tilesChangedBetween,
  tilesForTreeSize,
  type Hash,
  type HashReader,
  type Tile,
} from '../../src/modules/tlog/index.js';

const corpus = path.resolve(process.cwd(), '../shared/corpora/tlog/merkle');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return jsonFiles(full);
      return name.endsWith('.json') ? [full] : [];
    });
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const b64 = (s: string): Hash => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');

// RFC 6962's reference leaves (the data the vectors' trees of up to 8 leaves were built from).
const referenceLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  leafHash(Buffer.from(h, 'hex')),
);
const referenceRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

t.test('the RFC 6962 reference tree: MTH of every size 1..8 and of the empty tree', async (t) => {
  t.equal(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.equal(hex(rootOf([])), hex(EMPTY_ROOT));
  for (let n = 1; n <= 8; n++) t.equal(hex(rootOf(referenceLeaves.slice(0, n))), referenceRoots[n - 1], `MTH of ${n} leaves`);
  t.throws(() => rootOf([new Uint8Array(31)]), RangeError, 'a leaf hash must be 32 bytes');
  t.throws(() => nodeHash(new Uint8Array(32), new Uint8Array(33)), RangeError);
});

t.test('the transparency-dev/merkle proof vectors: every happy path verifies, every mutation is refused', async (t) => {
  // Fail, do not skip, when the corpus is missing: readdirSync throws.
  const inclusionFiles = jsonFiles(path.join(corpus, 'inclusion'));
  const consistencyFiles = jsonFiles(path.join(corpus, 'consistency'));
  t.comment(`vectors: ${inclusionFiles.length} inclusion + ${consistencyFiles.length} consistency = ${inclusionFiles.length + consistencyFiles.length}`);
  t.equal(inclusionFiles.length + consistencyFiles.length, 196, 'all 196 vectors are there');

  const tally = { happy: 0, refused: 0, sameProofAsGenerated: 0 };
  const reasons = new Map<string, number>();
  const count = (reason: string): void => void reasons.set(reason, (reasons.get(reason) ?? 0) + 1);

  for (const file of inclusionFiles) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
    const name = path.relative(corpus, file);
    const proof = (v.proof ?? []).map(b64);
    const check = checkInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root));
    t.equal(verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, proof, b64(v.root)), check.ok);
    if (v.wantErr) {
      t.notOk(check.ok, `refused: ${name}`);
      if (!check.ok) count(check.reason);
      tally.refused++;
    } else {
      t.ok(check.ok, `verifies: ${name}`);
      tally.happy++;
      // Trees of up to 8 reference leaves: the proof we generate is the vector's, hash for hash.
      if (v.treeSize <= 8 && hex(b64(v.root)) === referenceRoots[v.treeSize - 1]) {
        t.strictSame(inclusionProof(referenceLeaves.slice(0, v.treeSize), v.leafIdx).map(hex), proof.map(hex), `same proof: ${name}`);
        tally.sameProofAsGenerated++;
      }
    }
  }
  for (const file of consistencyFiles) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
    const name = path.relative(corpus, file);
    const proof = (v.proof ?? []).map(b64);
    const check = checkConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2));
    t.equal(verifyConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2)), check.ok);
    if (v.wantErr) {
      t.notOk(check.ok, `refused: ${name}`);
      if (!check.ok) count(check.reason);
      tally.refused++;
    } else {
      t.ok(check.ok, `verifies: ${name}`);
      tally.happy++;
      if (v.size2 <= 8 && hex(b64(v.root2)) === referenceRoots[v.size2 - 1]) {
        t.strictSame(consistencyProof(referenceLeaves, v.size1, v.size2).map(hex), proof.map(hex), `same proof: ${name}`);
        tally.sameProofAsGenerated++;
      }
    }
  }
  t.comment(`happy paths verified: ${tally.happy}; mutations refused: ${tally.refused}; happy proofs equal to ours: ${tally.sameProofAsGenerated}`);
  t.comment(`refusals by reason: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);
  t.equal(tally.happy + tally.refused, 196);
  t.ok(tally.sameProofAsGenerated > 0, 'some vector proofs were compared with generated ones');
});

// Every tree of 1..40 leaves, every index and every size pair: proofs from the leaves and proofs from stored
// hashes are the same, they verify, and each mutation of them is refused. (40 reaches perfect subtrees of 32 and
// every shape of right edge below them; 70 cost five times as long for no new shape. Larger sizes are the
// fast-check property's and the 70,000-leaf tile test's.)
const MAX = 40;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(Buffer.from(`HerbTrace leaf ${i}`)));
const full = new MemoryTree(leaves);

function flipBit(h: Hash, bit: number): Hash {
  const copy = Uint8Array.from(h);
  copy[(bit >> 3) % copy.length]! ^= 1 << (bit & 7);
  return copy;
}

function mutations(proof: readonly Hash[]): Array<[string, Hash[]]> {
  const out: Array<[string, Hash[]]> = [];
  proof.forEach((_, i) => out.push([`entry ${i} flipped`, proof.map((h, j) => (j === i ? flipBit(h, i * 7 + 3) : h))]));
  if (proof.length > 0) {
    out.push(['last entry removed', proof.slice(0, -1)]);
    out.push(['first entry removed', proof.slice(1)]);
    out.push(['entry truncated', [proof[0]!.slice(0, 31), ...proof.slice(1)]]);
  }
  out.push(['extra entry appended', [...proof, leaves[0]!]]);
  out.push(['extra entry prepended', [leaves[0]!, ...proof]]);
  if (proof.length > 1) out.push(['entries swapped', [proof[1]!, proof[0]!, ...proof.slice(2)]]);
  return out;
}

t.test(`generated proofs over every tree of 1..${MAX} leaves`, async (t) => {
  const problems: string[] = [];
  let checked = 0;
  let refused = 0;
  const tree = new MemoryTree();
  for (let n = 1; n <= MAX; n++) {
    tree.append(leaves[n - 1]!);
    const root = rootOf(leaves.slice(0, n));
    if (hex(tree.root()) !== hex(root)) problems.push(`size ${n}: right-edge root differs`);
    if (hex(await readTreeHash(full.reader, n)) !== hex(root)) problems.push(`size ${n}: stored-hash root differs`);
    if (hex(rootFromRightEdge(await full.reader(rightEdgeNodes(n)))) !== hex(root)) problems.push(`size ${n}: edge root differs`);

    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(leaves.slice(0, n), i);
      const stored = await readInclusionProof(full.reader, i, n);
      if (proof.map(hex).join() !== stored.map(hex).join()) problems.push(`inclusion ${i}/${n}: stored-hash proof differs`);
      checked++;
      if (!verifyInclusion(leaves[i]!, i, n, proof, root)) problems.push(`inclusion ${i}/${n} does not verify`);
      const refuse = (what: string, ok: boolean): void => {
        if (ok) problems.push(`inclusion ${i}/${n} with ${what} verifies`);
        else refused++;
      };
      refuse('another leaf', verifyInclusion(leaves[(i + 1) % MAX]!, i, n, proof, root));
      refuse('index + 1', verifyInclusion(leaves[i]!, i + 1, n, proof, root));
      if (i > 0) refuse('index - 1', verifyInclusion(leaves[i]!, i - 1, n, proof, root));
      refuse('size * 2', verifyInclusion(leaves[i]!, i, n * 2, proof, root));
      // The size is not hashed into the proof: a proof still verifies with another size of the same shape.
      // Against the real root of another size it must verify exactly when it is that size's proof too.
      for (const other of [n - 1, n + 1, n + 2]) {
        if (other <= i || other > MAX) continue;
        const same = proof.map(hex).join() === inclusionProof(leaves.slice(0, other), i).map(hex).join();
        const ok = verifyInclusion(leaves[i]!, i, other, proof, rootOf(leaves.slice(0, other)));
        if (ok !== same) problems.push(`inclusion ${i}/${n} against the tree of ${other}: ${ok ? 'verifies' : 'refused'}`);
        else if (!ok) refused++;
      }
      refuse('index = size', verifyInclusion(leaves[i]!, n, n, proof, root));
      refuse('another root', verifyInclusion(leaves[i]!, i, n, proof, flipBit(root, 5)));
      for (const [what, mutated] of mutations(proof)) refuse(what, verifyInclusion(leaves[i]!, i, n, mutated, root));
    }

    for (let m = 1; m <= n; m++) {
      const root1 = rootOf(leaves.slice(0, m));
      const proof = consistencyProof(leaves.slice(0, n), m, n);
      const stored = await readConsistencyProof(full.reader, m, n);
      if (proof.map(hex).join() !== stored.map(hex).join()) problems.push(`consistency ${m}→${n}: stored-hash proof differs`);
      checked++;
      if (!verifyConsistency(m, n, proof, root1, root)) problems.push(`consistency ${m}→${n} does not verify`);
      const refuse = (what: string, ok: boolean): void => {
        if (ok) problems.push(`consistency ${m}→${n} with ${what} verifies`);
        else refused++;
      };
      refuse('another root1', verifyConsistency(m, n, proof, flipBit(root1, 9), root));
      refuse('another root2', verifyConsistency(m, n, proof, root1, flipBit(root, 9)));
      if (m < n) {
        refuse('swapped roots', verifyConsistency(m, n, proof, root, root1));
        refuse('sizes swapped', verifyConsistency(n, m, proof, root1, root));
        refuse('size2 * 2', verifyConsistency(m, n * 2, proof, root1, root));
        // Against the real roots of other sizes: verifies exactly when it is those sizes' proof too.
        for (const [m2, n2] of [
          [m + 1, n],
          [m - 1, n],
          [m, n + 1],
          [m, n - 1],
        ] as const) {
          if (m2 < 1 || m2 > n2 || n2 > MAX) continue;
          const same = proof.map(hex).join() === consistencyProof(leaves.slice(0, n2), m2, n2).map(hex).join();
          const ok = verifyConsistency(m2, n2, proof, rootOf(leaves.slice(0, m2)), rootOf(leaves.slice(0, n2)));
          if (ok !== same) problems.push(`consistency ${m}→${n} against ${m2}→${n2}: ${ok ? 'verifies' : 'refused'}`);
          else if (!ok) refused++;
        }
        for (const [what, mutated] of mutations(proof)) refuse(what, verifyConsistency(m, n, mutated, root1, root));
      } else {
        refuse('a non-empty proof between equal sizes', verifyConsistency(m, n, [leaves[0]!], root1, root));
      }
      refuse('size1 = 0', verifyConsistency(0, n, proof, EMPTY_ROOT, root));
    }
  }
  t.comment(`${checked} generated proofs verified; ${refused} mutations of them refused`);
  t.strictSame(problems, [], 'no generated proof fails, no mutation verifies');
});

t.test('proof building refuses arguments outside the tree', async (t) => {
  t.throws(() => inclusionProof(leaves.slice(0, 4), 4), RangeError);
  t.throws(() => inclusionProof([], 0), RangeError);
  t.throws(() => inclusionProof(leaves.slice(0, 4), -1), RangeError);
  t.throws(() => inclusionProof(leaves.slice(0, 4), 1.5), RangeError);
  t.throws(() => consistencyProof(leaves.slice(0, 4), 0, 4), RangeError, 'from the empty tree');
  t.throws(() => consistencyProof(leaves.slice(0, 4), 3, 2), RangeError);
  t.throws(() => consistencyProof(leaves.slice(0, 4), 2, 5), RangeError);
  t.strictSame(consistencyProof(leaves.slice(0, 4), 4, 4), [], 'equal sizes: the empty proof');
  await t.rejects(readInclusionProof(full.reader, MAX, MAX), RangeError);
  await t.rejects(readConsistencyProof(full.reader, 0, 3), RangeError);
  await t.rejects(readTreeHash(full.reader, 71), { code: 'bad-hash-read' }, 'the store does not have it');
  const short: HashReader = async (nodes) => nodes.slice(1).map(() => leaves[0]!);
  await t.rejects(readTreeHash(short, 3), { code: 'bad-hash-read' }, 'a reader that answers too few hashes');
  const bad: HashReader = async (nodes) => nodes.map(() => new Uint8Array(31));
  await t.rejects(readTreeHash(bad, 3), { code: 'bad-hash-read' }, 'a reader that answers a 31-byte hash');
  t.strictSame(checkInclusion(leaves[0]!, 0, Number.MAX_SAFE_INTEGER + 1, [], leaves[0]!), { ok: false, reason: 'invalid-size' });
  t.strictSame(checkConsistency(1, 2.5, [leaves[0]!], leaves[0]!, leaves[0]!), { ok: false, reason: 'invalid-size' });
});

t.test('the right edge: decomposition, appends, stored nodes', async (t) => {
  t.strictSame(rightEdgeNodes(0), []);
  t.strictSame(rightEdgeNodes(13), [
    { level: 3, index: 0 },
    { level: 2, index: 2 },
    { level: 0, index: 12 },
  ]);
  t.strictSame(rangeNodes(8, 13), [
    { level: 2, index: 2 },
    { level: 0, index: 12 },
  ]);
  t.throws(() => rangeNodes(3, 7), RangeError, '[3, 7) is no node of the tree');
  t.equal(hex(rootFromRightEdge([])), hex(EMPTY_ROOT));
  // Appending leaf 7 to a tree of 7 completes the perfect subtrees (0,7), (1,3), (2,1) and (3,0).
  const seven = new MemoryTree(leaves.slice(0, 7));
  const edge = await seven.reader(rightEdgeNodes(7));
  const { edge: next, nodes } = appendToRightEdge(edge, 7, leaves[7]!);
  t.strictSame(
    nodes.map((n) => [n.level, n.index]),
    [
      [0, 7],
      [1, 3],
      [2, 1],
      [3, 0],
    ],
  );
  t.equal(next.length, 1);
  t.equal(hex(next[0]!), hex(rootOf(leaves.slice(0, 8))));
  t.throws(() => appendToRightEdge(edge.slice(1), 7, leaves[7]!), RangeError, 'an edge of the wrong length');
});

// A tree whose leaves are all the same hash has the same hash for every perfect subtree of a level, so a
// reader can answer for trees of any size up to 2^53 − 1: the bit arithmetic beyond 32 bits is exercised.
const sameLeaf = leafHash(Buffer.from('same'));
const perLevel: Hash[] = [sameLeaf];
for (let l = 1; l < 54; l++) perLevel.push(nodeHash(perLevel[l - 1]!, perLevel[l - 1]!));
const uniform: HashReader = async (nodes) => nodes.map((n) => perLevel[n.level]!);

t.test('huge trees (up to 2^53 − 1 leaves) through a stored-hash reader', async (t) => {
  const size = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  await fc.assert(
    fc.asyncProperty(size, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (n, at) => {
      const i = Math.min(n - 1, Math.floor(at * n));
      const root = await readTreeHash(uniform, n);
      const proof = await readInclusionProof(uniform, i, n);
      return (
        verifyInclusion(sameLeaf, i, n, proof, root) &&
        !verifyInclusion(sameLeaf, i, n, [...proof, sameLeaf], root) &&
        (proof.length === 0 || !verifyInclusion(sameLeaf, i, n, proof.slice(1), root))
      );
    }),
    { numRuns: 300 },
  );
  await fc.assert(
    fc.asyncProperty(size, size, async (a, b) => {
      const [m, n] = a <= b ? [a, b] : [b, a];
      const proof = await readConsistencyProof(uniform, m, n);
      const ok = verifyConsistency(m, n, proof, await readTreeHash(uniform, m), await readTreeHash(uniform, n));
      return ok && (m === n || !verifyConsistency(m, n, proof.slice(0, -1), await readTreeHash(uniform, m), await readTreeHash(uniform, n)));
    }),
    { numRuns: 300 },
  );
  const n = 2 ** 40 + 2 ** 33 + 5;
  const proof = await readInclusionProof(uniform, 2 ** 39 + 7, n);
  t.equal(proof.length, 41);
  t.ok(verifyInclusion(sameLeaf, 2 ** 39 + 7, n, proof, await readTreeHash(uniform, n)));
});

// tlog-tiles: paths, the tiles of a tree, a tile-backed hash reader, entry bundles.
t.test('tile paths: the spec examples, round trips, strict parsing', async (t) => {
  t.equal(encodeTileIndex(1234067), 'x001/x234/067', 'the spec example');
  t.equal(encodeTileIndex(0), '000');
  t.equal(encodeTileIndex(999), '999');
  t.equal(encodeTileIndex(1000), 'x001/000');
  t.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
  t.equal(tilePath({ level: 2, index: 5, width: 17 }), 'tile/2/005.p/17');
  t.equal(entryBundlePath(1234067), 'tile/entries/x001/x234/067');
  t.equal(entryBundlePath(273, 112), 'tile/entries/273.p/112');
  t.throws(() => tilePath({ level: 64, index: 0, width: 256 }), RangeError);
  t.throws(() => tilePath({ level: 0, index: 0, width: 0 }), RangeError);
  t.throws(() => tilePath({ level: 0, index: -1, width: 256 }), RangeError);
  t.throws(() => entryBundlePath(0, 257), RangeError);

  for (const index of [0, 1, 999, 1000, 1001, 999_999, 1_000_000, 1234067, Number.MAX_SAFE_INTEGER]) {
    for (const width of [1, 255, 256]) {
      for (const level of [0, 1, 63]) t.strictSame(parseTilePath(tilePath({ level, index, width })), { kind: 'tile', level, index, width });
      t.strictSame(parseTilePath(entryBundlePath(index, width)), { kind: 'entries', index, width });
    }
  }
  const bad = [
    '',
    'tile',
    'tile/0',
    '/tile/0/000',
    'tiles/0/000',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/-1/000',
    'tile/a/000',
    'tile/0/00',
    'tile/0/0000',
    'tile/0/1',
    'tile/0/x000',
    'tile/0/x001',
    'tile/0/001/002',
    'tile/0/x000/001',
    'tile/0/x1/001',
    'tile/0/X001/001',
    'tile/0/000/',
    'tile/0/000.p',
    'tile/0/000.p/',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/010',
    'tile/0/000.p/1/2',
    'tile/0/000.p/x1',
    'tile/0/x001.p/1',
    'tile/0/000.q/1',
    'tile/0/+01',
    'tile/0/ 01',
    'tile/entries/x000/001',
    'tile/entries/0001',
    'tile/entries',
    'tile/entries/000.p/256',
    `tile/0/${'x999/'.repeat(6)}999`,
  ];
  for (const p of bad) t.throws(() => parseTilePath(p), { code: 'malformed-tile-path' }, `refused: ${JSON.stringify(p)}`);
});

t.test('the tiles of a tree: the spec sizes 70,000 and 256, and growth', async (t) => {
  const all = [...tilesForTreeSize(70_000)];
  const at = (level: number) => all.filter((tile) => tile.level === level);
  t.equal(at(0).filter((x) => x.width === 256).length, 273, '273 full level-0 tiles');
  t.strictSame(at(0).filter((x) => x.width < 256), [{ level: 0, index: 273, width: 112 }], 'a partial level-0 tile of width 112');
  t.strictSame(at(1), [
    { level: 1, index: 0, width: 256 },
    { level: 1, index: 1, width: 17 },
  ]);
  t.strictSame(at(2), [{ level: 2, index: 0, width: 1 }]);
  t.equal(all.length, 273 + 1 + 2 + 1);
  t.strictSame([...tilesForTreeSize(256)], [
    { level: 0, index: 0, width: 256 },
    { level: 1, index: 0, width: 1 },
  ]);
  t.strictSame([...tilesForTreeSize(0)], []);
  t.strictSame([...tilesForTreeSize(1)], [{ level: 0, index: 0, width: 1 }]);
  t.strictSame([...tilesChangedBetween(256, 256)], []);
  t.strictSame([...tilesChangedBetween(250, 600)], [
    { level: 0, index: 0, width: 256 },
    { level: 0, index: 1, width: 256 },
    { level: 0, index: 2, width: 88 },
    { level: 1, index: 0, width: 2 },
  ]);
  t.strictSame([...tilesChangedBetween(600, 601)], [{ level: 0, index: 2, width: 89 }], 'the level-1 tile does not change');
  t.throws(() => [...tilesChangedBetween(2, 1)], RangeError);
  // Growing in steps writes exactly the tiles of the final size (the last write of each tile wins).
  const written = new Map<string, Tile>();
  let size = 0;
  for (const next of [1, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000]) {
    for (const tile of tilesChangedBetween(size, next)) written.set(`${tile.level}/${tile.index}`, tile);
    size = next;
  }
  t.strictSame(
    [...written.values()].sort((a, b) => a.level - b.level || a.index - b.index),
    all,
  );
  t.strictSame(tileNodes({ level: 1, index: 2, width: 3 }), [
    { level: 8, index: 512 },
    { level: 8, index: 513 },
    { level: 8, index: 514 },
  ]);
});

t.test('a tile-backed hash reader gives the same roots and proofs as the tree (70,000 leaves, three tile levels)', async (t) => {
  const big = new MemoryTree();
  const bigLeaves: Hash[] = [];
  const store = new Map<string, Uint8Array>();
  const sizes = [1, 255, 256, 257, 4_000, 65_536, 70_000];
  let size = 0;
  for (const next of sizes) {
    while (big.size < next) {
      const h = leafHash(Buffer.from(`tiled leaf ${big.size}`));
      bigLeaves.push(h);
      big.append(h);
    }
    // What a log writes at each checkpoint: the tiles that changed, hashes from its own store.
    for (const tile of tilesChangedBetween(size, next)) store.set(tilePath(tile), encodeTile(await big.reader(tileNodes(tile))));
    size = next;
  }
  const fetched: string[] = [];
  const fetchTile = async (tile: Tile): Promise<Uint8Array> => {
    fetched.push(tilePath(tile));
    const data = store.get(tilePath(tile));
    if (!data) throw new Error(`no tile ${tilePath(tile)}`);
    return data;
  };
  for (const n of [1, 256, 65_536, 70_000]) {
    const reader = tileHashReader(n, fetchTile);
    t.equal(hex(await readTreeHash(reader, n)), hex(await readTreeHash(big.reader, n)), `root of ${n} from tiles`);
    for (const i of new Set([0, 1, Math.floor(n / 3), n - 1].filter((i) => i < n))) {
      const proof = await readInclusionProof(reader, i, n);
      t.strictSame(proof.map(hex), (await readInclusionProof(big.reader, i, n)).map(hex));
      t.ok(verifyInclusion(bigLeaves[i]!, i, n, proof, await readTreeHash(big.reader, n)), `inclusion ${i} of ${n}`);
    }
  }
  const reader = tileHashReader(70_000, fetchTile);
  for (const [m, n] of [
    [1, 70_000],
    [256, 70_000],
    [4_000, 65_536],
    [65_536, 70_000],
    [69_999, 70_000],
  ] as const) {
    const proof = await readConsistencyProof(reader, m, n);
    t.strictSame(proof.map(hex), (await readConsistencyProof(big.reader, m, n)).map(hex));
    t.ok(verifyConsistency(m, n, proof, await readTreeHash(big.reader, m), await readTreeHash(big.reader, n)), `consistency ${m}→${n}`);
  }
  fetched.length = 0;
  await readInclusionProof(reader, 12_345, 70_000);
  t.ok(fetched.length <= 4, `an inclusion proof in 70,000 leaves reads ${fetched.length} tiles`);
  t.equal(new Set(fetched).size, fetched.length, 'each tile once per read');
  await t.rejects(readTreeHash(tileHashReader(300, fetchTile), 300), 'no partial tile of width 44 was written for 300');
  await t.rejects(readTreeHash(tileHashReader(10, async () => new Uint8Array(31)), 10), { code: 'malformed-tile' });
  await t.rejects(readTreeHash(tileHashReader(10, async () => new Uint8Array(9 * 32)), 10), { code: 'malformed-tile' }, 'a tile of the wrong width');
  await t.rejects(tileHashReader(10, fetchTile)([{ level: 4, index: 0 }]), { code: 'bad-hash-read' }, 'a node beyond the tree');
  t.throws(() => decodeTile(new Uint8Array(257 * 32)), { code: 'malformed-tile' });
  t.throws(() => encodeTile([]), RangeError);

  // The upper levels kept in memory (as the log service keeps them): the same proofs, and once the upper nodes
  // are kept, only level-0 tiles are read.
  const kept = new Map<string, Hash>();
  const cached = cachedUpperNodes(tileHashReader(70_000, fetchTile), kept, 70_000);
  for (const i of [0, 12_345, 65_535, 65_536, 69_999]) {
    const proof = await readInclusionProof(cached, i, 70_000);
    t.strictSame(proof.map(hex), (await readInclusionProof(big.reader, i, 70_000)).map(hex), `inclusion ${i} of 70,000 through the kept upper nodes`);
  }
  t.ok(kept.size > 0 && [...kept.keys()].every((k) => Number(k.split('/')[0]) >= 8), `only nodes of level ≥ 8 are kept (${kept.size})`);
  // 70,000 leaves: level-1 tile 0 is full (65,536 leaves) and was brought in whole by the first proof.
  for (let k = 0; k < 8; k++) t.ok(kept.has(`${8 + k}/${(256 >> k) - 1}`), `the last node of level ${8 + k} in the full level-1 tile is kept`);
  fetched.length = 0;
  const again = await readInclusionProof(cached, 12_345, 70_000);
  t.strictSame(again.map(hex), (await readInclusionProof(big.reader, 12_345, 70_000)).map(hex));
  t.ok(fetched.length > 0 && fetched.every((p) => p.startsWith('tile/0/')), `a second proof reads level-0 tiles only (${fetched.join(', ')})`);
  t.strictSame(
    (await readConsistencyProof(cached, 4_000, 65_536)).map(hex),
    (await readConsistencyProof(big.reader, 4_000, 65_536)).map(hex),
    'a consistency proof through the kept upper nodes',
  );
  // A kept hash is a copy: changing what the inner reader answered does not change it.
  const [first] = [...kept.values()];
  const before = hex(first!);
  for (const tile of store.values()) tile.fill(0);
  t.equal(hex([...kept.values()][0]!), before, 'kept hashes do not share bytes with tile bodies');
});

t.test('entry bundles: uint16 length prefixes, strict decoding', async (t) => {
  const entries = [new Uint8Array(0), Buffer.from('人参'), new Uint8Array(65_535).fill(7)];
  const bundle = encodeEntryBundle(entries);
  t.equal(bundle.length, 2 + 0 + 2 + 6 + 2 + 65_535);
  t.strictSame([...bundle.subarray(0, 4)], [0, 0, 0, 6], 'big-endian lengths');
  t.strictSame(
    decodeEntryBundle(bundle).map((e) => Buffer.from(e).toString('hex')),
    entries.map((e) => Buffer.from(e).toString('hex')),
  );
  t.equal(decodeEntryBundle(bundle, 3).length, 3);
  t.strictSame(entryBundleLeafHashes(entries).map(hex), entries.map((e) => hex(leafHash(e))));
  t.throws(() => encodeEntryBundle([new Uint8Array(65_536)]), RangeError, 'too long for a uint16 length');
  t.throws(() => encodeEntryBundle([]), RangeError);
  t.throws(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(1))), RangeError);
  t.throws(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1)), { code: 'malformed-entry-bundle' }, 'a cut entry');
  t.throws(() => decodeEntryBundle(Buffer.concat([bundle, Buffer.from([0])])), { code: 'malformed-entry-bundle' }, 'a cut length prefix');
  t.throws(() => decodeEntryBundle(new Uint8Array(0)), { code: 'malformed-entry-bundle' }, 'empty');
  t.throws(() => decodeEntryBundle(bundle, 2), { code: 'malformed-entry-bundle' }, 'another count than the tile width');
  t.equal(decodeEntryBundle(Buffer.alloc(256 * 2)).length, 256, '256 empty entries');
  t.throws(() => decodeEntryBundle(Buffer.alloc(257 * 2)), { code: 'malformed-entry-bundle' }, 'more than 256 entries');
});
