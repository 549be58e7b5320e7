// What a verifier does with the log's public endpoints, for the log tests: open the checkpoint with the pinned
// key, rebuild the tree from the tiles and entry bundles, check an event's proof and commitment.
import type { FastifyInstance } from 'fastify';
import {
  MemoryTree,
  bytesEqual,
  decodeBase64,
  decodeEntryBundle,
  decodeTile,
  entryBundleLeafHashes,
  entryBundlePath,
  eventLeafHash,
  noteVerifier,
  openCheckpoint,
  readTreeHash,
  tileHashReader,
  tilePath,
  tilesForTreeSize,
  verifyTlogProof,
  type OpenedCheckpoint,
} from '../src/modules/tlog/index.js';

type App = Pick<FastifyInstance, 'inject'>;

export const ORIGIN = 'trace.example.cn/log';

export async function fetchKey(app: App): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/log/key' });
  if (res.statusCode !== 200) throw new Error(`GET /log/key → ${res.statusCode}`);
  return res.body.trim();
}

export async function fetchCheckpoint(app: App, vkey: string): Promise<OpenedCheckpoint> {
  const res = await app.inject({ method: 'GET', url: '/log/checkpoint' });
  if (res.statusCode !== 200) throw new Error(`GET /log/checkpoint → ${res.statusCode}`);
  return openCheckpoint(res.body, { origin: ORIGIN, logVerifiers: [noteVerifier(vkey)] });
}

async function fetchBytes(app: App, path: string): Promise<Uint8Array> {
  const res = await app.inject({ method: 'GET', url: `/log/${path}` });
  if (res.statusCode !== 200) throw new Error(`GET /log/${path} → ${res.statusCode}: ${res.body.slice(0, 200)}`);
  return new Uint8Array(res.rawPayload);
}

/**
 * The full audit: every entry bundle of the checkpoint's size, their leaf hashes against the level-0 tiles, the
 * tree rebuilt from the entries, and the root read through the tiles: both must be the checkpoint's root.
 */
export async function auditTree(app: App, opened: OpenedCheckpoint): Promise<{ entries: Uint8Array[]; problems: string[] }> {
  const { size, root } = opened.checkpoint;
  const problems: string[] = [];
  const entries: Uint8Array[] = [];
  for (const tile of tilesForTreeSize(size)) {
    if (tile.level !== 0) continue;
    const bundle = decodeEntryBundle(await fetchBytes(app, entryBundlePath(tile.index, tile.width)), tile.width);
    const hashes = decodeTile(await fetchBytes(app, tilePath(tile)), tile.width);
    const leaves = entryBundleLeafHashes(bundle);
    if (!leaves.every((h, i) => bytesEqual(h, hashes[i]!))) problems.push(`entry bundle ${tile.index} does not match tile 0/${tile.index}`);
    entries.push(...bundle);
  }
  if (entries.length !== size) problems.push(`${entries.length} entries for a tree of ${size}`);
  const rebuilt = new MemoryTree(entryBundleLeafHashes(entries)).root();
  if (!bytesEqual(rebuilt, root)) problems.push('the tree rebuilt from the entries does not have the checkpoint root');
  const viaTiles = await readTreeHash(
    tileHashReader(size, (tile) => fetchBytes(app, tilePath(tile))),
    size,
  );
  if (!bytesEqual(viaTiles, root)) problems.push('the root read through the tiles is not the checkpoint root');
  return { entries, problems };
}

export interface ProofAnswer {
  eventId: string;
  index: number;
  salt: string;
  commitment: string;
  record: Record<string, unknown>;
  proof: string;
}

/** What a verifier concludes from an event's proof answer: null when it holds, else why, naming the event. */
export function checkEventProof(answer: ProofAnswer, vkey: string): string | null {
  const salt = decodeBase64(answer.salt);
  if (!salt || salt.length !== 32) return `${answer.eventId}: the salt is not 32 bytes`;
  try {
    verifyTlogProof(answer.proof, eventLeafHash(salt, answer.record), { origin: ORIGIN, logVerifiers: [noteVerifier(vkey)] });
    return null;
  } catch (err) {
    return `${answer.eventId}: its record does not match its entry in the log (${(err as Error).message})`;
  }
}
