import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Actor } from '../../access/actor.js';
import type { Database } from '../../db/client.js';
import { drainEvents } from '../../events/index.js';
import { readEvent } from '../../events/event-store.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { requireProvenanceReader, type GraphLimits } from '../provenance/index.js';
import { cosignatureTimestamp, cosignatureVerifier, formatTlogProof, parseCheckpoint, signCheckpoint, type CosignatureVerifier } from './checkpoint.js';
import { eventCommitment } from './commitment.js';
import * as repo from './log.repository.js';
import {
  HASH_SIZE,
  TlogError,
  appendToRightEdge,
  leafHash,
  readConsistencyProof,
  readInclusionProof,
  rootFromRightEdge,
  type Hash,
} from './merkle.js';
import {
  decodeSignerKey,
  ed25519PublicKey,
  encodeBase64,
  encodeVerifierKey,
  keyIdHex,
  generateNoteKey,
  noteSigner,
  noteVerifier,
  parseNote,
  verifyNote,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  decodeEntryBundle,
  batchTileHashReader,
  cachedUpperNodes,
  decodeTile,
  encodeEntryBundle,
  encodeTile,
  parseTilePath,
  tilesChangedBetween,
  type Tile,
} from './tiles.js';

/** The queue consumer that feeds the log (events/queue.ts). */
export const LOG_CONSUMER = 'verifiable-log';

/** The log's origin line: the host of the public base URL and `/log`, unless configured. */
export function logOrigin(publicBaseUrl: string, configured?: string): string {
  return configured ?? `${new URL(publicBaseUrl).host}/log`;
}

export interface LogOptions {
  origin: string;
  /** The signed-note private key (`PRIVATE+KEY+<name>+<id>+…`), Ed25519. */
  signerKey: string;
  /** Most events one sequencing step appends (one transaction, one checkpoint). */
  batchSize?: number;
  /** Witnesses whose cosignatures the log accepts and serves: verifier keys of type 0x04 (cosignature/v1). */
  witnesses?: readonly string[];
  /** Bounds of the lineage walk behind a lot's read rule (GET /v1/lots/{id}/log-entries). */
  limits?: GraphLimits;
  onError?: (err: unknown) => void;
}

export interface StepResult {
  appended: number;
  size: number;
}

function splitEdge(edge: Uint8Array): Hash[] {
  const out: Hash[] = [];
  for (let at = 0; at < edge.length; at += HASH_SIZE) out.push(edge.subarray(at, at + HASH_SIZE));
  return out;
}

function tooFar(what: string): NotFoundError {
  return new NotFoundError(`The log has no ${what}.`);
}

/**
 * The verifiable log: a sequencer (one at a time across replicas, through the queue consumer's advisory lock)
 * that appends every event, in commit order, as a leaf; and the reads the public endpoints answer.
 */
export class VerifiableLog {
  readonly origin: string;
  readonly verifierKey: string;
  private readonly signer: NoteSigner;
  private readonly batchSize: number;
  private readonly logVerifier: NoteVerifier;
  private readonly witnesses: CosignatureVerifier[];
  private readonly limits: GraphLimits;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checked = false;
  private latest: { size: number; at: Date } | undefined;
  /**
   * The hashes of the tree's upper nodes (Merkle level ≥ 8) that proofs have read: they never change. 65,536
   * of them are the whole upper tree of an 8M-entry log, ≈ 8 MB.
   */
  private readonly upperNodes = new LRUCache<string, Hash>({ max: 65_536 });

  constructor(
    private readonly db: Database,
    private readonly options: LogOptions,
  ) {
    this.origin = options.origin;
    this.signer = noteSigner(options.signerKey);
    this.verifierKey = verifierKeyOf(options.signerKey);
    this.batchSize = options.batchSize ?? 1000;
    this.logVerifier = noteVerifier(this.verifierKey);
    this.witnesses = (options.witnesses ?? []).map((vkey) => cosignatureVerifier(vkey));
    this.limits = options.limits ?? { maxNodes: 50_000, maxDepth: 200 };
  }

  // -------------------------------------------------------------------------------------------------------
  // Sequencing.

  /**
   * Appends every event ready in the queue (in batches: one transaction and one checkpoint each) and returns
   * what it did. Calls in one process run one after another; replicas take turns on the advisory lock.
   */
  sequence(): Promise<StepResult> {
    const run = this.running.then(async () => {
      if (!this.checked) {
        await this.ensureCheckpoint();
        this.checked = true;
      }
      let appended = 0;
      for (;;) {
        const n = await this.step();
        appended += n;
        if (n < this.batchSize) break;
      }
      const state = await repo.readState(this.db);
      if (state) this.latest = { size: state.size, at: state.updatedAt };
      return { appended, size: state?.size ?? 0 };
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  /**
   * The latest checkpoint this process knows (tree size, when it was signed), held in memory: refreshed by each
   * sequencing step here (every replica runs the sequencer's timer, so it sees the others' checkpoints too), so
   * the consumer page can name it without a database round trip per scan.
   */
  latestCheckpoint(): { size: number; at: Date } | undefined {
    return this.latest;
  }

  /**
   * The latest checkpoint, read from the database when none held in memory covers leaf `index` yet (the
   * sequencer commits entries and their checkpoint together, so a stored entry always has one).
   */
  async checkpointCovering(index: number): Promise<{ size: number; at: Date } | undefined> {
    if (!this.latest || this.latest.size <= index) {
      const state = await repo.readState(this.db);
      if (state && (!this.latest || state.size > this.latest.size)) this.latest = { size: state.size, at: state.updatedAt };
    }
    return this.latest && this.latest.size > index ? this.latest : undefined;
  }

  /** Runs `sequence` every `intervalMs` (after the previous one ended) until `stop`. */
  start(intervalMs: number): void {
    this.stopped = false;
    const tick = async () => {
      try {
        await this.sequence();
      } catch (err) {
        this.options.onError?.(err);
      }
      if (!this.stopped) this.timer = setTimeout(tick, intervalMs).unref();
    };
    // Unref'd: the timer alone never keeps a process alive (the server's listening socket does).
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  /** Stops the timer and waits for a sequencing step under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** The first checkpoint (the empty tree), or the current one signed again when the log's key changed. */
  private async ensureCheckpoint(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await repo.lockSequencer(tx, LOG_CONSUMER);
      const state = await repo.readState(tx);
      if (state) {
        const signatures = parseNote(state.checkpoint).signatures;
        if (signatures.some((s) => s.name === this.signer.name && s.keyId === this.signer.keyId)) return;
      }
      const size = state?.size ?? 0;
      const edge = state?.edge ?? new Uint8Array(0);
      const root = rootFromRightEdge(splitEdge(edge));
      await repo.saveState(tx, { size, root, edge, checkpoint: this.sign(size, root) });
    });
  }

  private sign(size: number, root: Hash): string {
    return signCheckpoint({ origin: this.origin, size, root, extensions: [] }, [this.signer]);
  }

  /** One sequencing step: drain a batch → append leaves → write tiles and bundles → tree state → checkpoint. */
  private async step(): Promise<number> {
    return drainEvents(
      this.db,
      LOG_CONSUMER,
      async (tx, records) => {
        const state = await repo.readState(tx);
        const oldSize = state?.size ?? 0;
        let edge = splitEdge(state?.edge ?? new Uint8Array(0));
        let size = oldSize;

        // Tiles as they are now (the partial ones), grown in memory.
        const tiles = new Map<string, Hash[]>();
        const key = (level: number, index: number) => `${level}/${index}`;
        for (const p of await repo.readPartialTiles(tx)) tiles.set(key(p.level, p.index), decodeTile(p.data, p.width));
        const bundles = new Map<number, Uint8Array[]>();
        const partialBundle = await repo.readPartialBundle(tx);
        if (partialBundle) bundles.set(partialBundle.index, decodeEntryBundle(partialBundle.data, partialBundle.width));

        const entries: repo.NewEntry[] = [];
        const entryLots: { lotId: string; index: number }[] = [];
        for (const record of records) {
          const salt = new Uint8Array(randomBytes(32));
          const commitment = eventCommitment(salt, record);
          const appended = appendToRightEdge(edge, size, leafHash(commitment));
          for (const node of appended.nodes) {
            if (node.level % TILE_HEIGHT !== 0) continue;
            const level = node.level / TILE_HEIGHT;
            const k = key(level, Math.floor(node.index / TILE_WIDTH));
            const hashes = tiles.get(k) ?? [];
            hashes[node.index % TILE_WIDTH] = node.hash;
            tiles.set(k, hashes);
          }
          const bundle = bundles.get(Math.floor(size / TILE_WIDTH)) ?? [];
          bundle[size % TILE_WIDTH] = commitment;
          bundles.set(Math.floor(size / TILE_WIDTH), bundle);
          entries.push({ index: size, eventId: record.id, salt, commitment });
          for (const lotId of new Set(record.lots.map((l) => l.lotId))) entryLots.push({ lotId, index: size });
          edge = appended.edge;
          size++;
        }

        await repo.insertEntries(tx, entries);
        await repo.insertEntryLots(tx, entryLots);
        for (const tile of tilesChangedBetween(oldSize, size)) {
          const hashes = tiles.get(key(tile.level, tile.index));
          if (!hashes || hashes.length !== tile.width) throw new Error(`sequencer: tile ${key(tile.level, tile.index)} has ${hashes?.length} hashes, not ${tile.width}`);
          const full = tile.width === TILE_WIDTH;
          await repo.writeTile(tx, tile, encodeTile(hashes), full);
          if (tile.level === 0) await repo.writeBundle(tx, tile.index, tile.width, encodeEntryBundle(bundles.get(tile.index)!), full);
        }
        const root = rootFromRightEdge(edge);
        await repo.saveState(tx, { size, root, edge: Buffer.concat(edge), checkpoint: this.sign(size, root) });
      },
      this.batchSize,
    );
  }

  // -------------------------------------------------------------------------------------------------------
  // Reads.

  /** The latest signed checkpoint, with the witnesses' cosignatures of it stored so far. */
  async checkpoint(): Promise<string> {
    let state = await repo.readState(this.db);
    if (!state) {
      await this.sequence();
      state = await repo.readState(this.db);
    }
    const cosignatures = await repo.readCosignatureLines(this.db, state!.size);
    return state!.checkpoint + cosignatures.map((line) => `${line}\n`).join('');
  }

  private async currentSize(): Promise<number> {
    return (await repo.readState(this.db))?.size ?? 0;
  }

  /** The body of a tile or entry-bundle path (`tile/…`), as of the current tree; full tiles never change. */
  async tile(path: string): Promise<{ body: Uint8Array; full: boolean }> {
    let resource;
    try {
      resource = parseTilePath(path);
    } catch {
      throw new NotFoundError(`No tile ${path.slice(0, 200)}: not a tile path (C2SP tlog-tiles).`);
    }
    const size = await this.currentSize();
    const full = resource.width === TILE_WIDTH;
    if (resource.kind === 'entries') {
      const have = Math.min(TILE_WIDTH, size - resource.index * TILE_WIDTH);
      if (have < resource.width || (full && have < TILE_WIDTH)) throw tooFar(`entry bundle ${path}`);
      const body = await repo.readBundleBody(this.db, resource.index);
      if (!body) throw tooFar(`entry bundle ${path}`);
      const entries = decodeEntryBundle(body);
      return { body: entries.length === resource.width ? body : encodeEntryBundle(entries.slice(0, resource.width)), full };
    }
    const have = Math.min(TILE_WIDTH, Math.floor(size / TILE_WIDTH ** resource.level) - resource.index * TILE_WIDTH);
    if (have < resource.width) throw tooFar(`tile ${path}`);
    const body = await repo.readTileBody(this.db, resource.level, resource.index);
    if (!body || body.length < resource.width * HASH_SIZE) throw tooFar(`tile ${path}`);
    return { body: body.subarray(0, resource.width * HASH_SIZE), full };
  }

  /**
   * A HashReader over the stored tiles, good for any node of the tree up to `size` (the current size), with the
   * upper nodes from memory once read; `levelZero` holds level-0 tile bodies already read (by tile index).
   */
  private reader(size: number, levelZero: ReadonlyMap<number, Uint8Array> = new Map()) {
    const fromTiles = batchTileHashReader(size, async (tiles: readonly Tile[]) => {
      const known = tiles.map((tile) => {
        const body = tile.level === 0 ? levelZero.get(tile.index) : undefined;
        return body && body.length >= tile.width * HASH_SIZE ? body : undefined;
      });
      const missing = tiles.filter((_, i) => !known[i]);
      const read = missing.length === 0 ? [] : await repo.readTileBodies(this.db, missing);
      let next = 0;
      return tiles.map((tile, i) => {
        const body = known[i] ?? read[next++];
        if (!body || body.length < tile.width * HASH_SIZE) throw new Error(`tile ${tile.level}/${tile.index} of width ${tile.width} is not stored`);
        return body.subarray(0, tile.width * HASH_SIZE);
      });
    });
    return cachedUpperNodes(fromTiles, this.upperNodes, size);
  }

  /** The entry of an event, once the sequencer has appended it; undefined before. */
  async entry(eventId: string) {
    return repo.findEntry(this.db, eventId);
  }

  /**
   * GET /v1/events/{id}/proof: for whoever may read the event (the event store's read rule, 404 otherwise),
   * its record, its salt and a C2SP tlog-proof of its entry in the latest checkpoint. An event recorded a
   * moment ago is waited for (a sequencing step is run now) for up to `waitMs`.
   */
  async proof(actor: Actor, eventId: string, waitMs = 3000) {
    // Side by side (two connections): the entry and its tiles are read while the read rule is checked, and
    // nothing of them is answered unless the rule lets the caller see the event.
    const [record, found] = await Promise.all([readEvent(this.db, actor, eventId), repo.findEntryAndState(this.db, eventId)]);
    let { entry, state, levelZeroTiles } = found;
    const deadline = Date.now() + waitMs;
    while (!entry && Date.now() < deadline) {
      await this.sequence();
      ({ entry, state, levelZeroTiles } = await repo.findEntryAndState(this.db, eventId));
      if (!entry) await new Promise((r) => setTimeout(r, 50));
    }
    if (!entry || !state) throw new NotFoundError(`Event ${eventId} is not in the log yet: events enter it within a second or two; ask again.`);
    const proof = await readInclusionProof(this.reader(state.size, levelZeroTiles), entry.index, state.size);
    return {
      eventId,
      index: entry.index,
      salt: encodeBase64(entry.salt),
      commitment: encodeBase64(entry.commitment),
      record,
      proof: formatTlogProof({ index: entry.index, proof, checkpoint: state.checkpoint }),
    };
  }

  /** GET /v1/lots/{id}/log-entries: the log entries of the lot's events, for whoever may read its provenance. */
  async lotEntries(actor: Actor, lotId: string) {
    await requireProvenanceReader(this.db, actor, lotId, this.limits);
    return { lotId, entries: await repo.findLotEntries(this.db, lotId) };
  }

  /**
   * Stores the cosignatures of configured witnesses on a checkpoint this log published (C2SP
   * tlog-cosignature): the note must be that checkpoint's text, and each stored line verify under a witness key.
   */
  async addCosignatures(note: string, now = Math.floor(Date.now() / 1000)) {
    if (this.witnesses.length === 0) throw new ForbiddenError('This log accepts cosignatures only from the witnesses it is configured with (HERBTRACE_LOG_WITNESSES), and none are configured.');
    let text: string;
    let size: number;
    try {
      text = parseNote(note).text;
      size = parseCheckpoint(text).size;
    } catch (err) {
      throw ValidationError.field('body/checkpoint', `not a cosigned checkpoint note: ${(err as Error).message}`);
    }
    const published = await repo.findCheckpoint(this.db, size);
    if (!published || parseNote(published).text !== text) {
      throw new NotFoundError(
        `This log never published that checkpoint (origin ${this.origin}, tree size ${size} with that root): a witness cosigns only checkpoints it fetched from /log/checkpoint.`,
      );
    }
    let verified;
    try {
      verified = verifyNote(note, [this.logVerifier, ...this.witnesses]).verified;
    } catch (err) {
      if (err instanceof TlogError && err.code === 'invalid-signature') throw new ForbiddenError(`Refused: ${err.message}.`);
      if (err instanceof TlogError && err.code === 'unverified-note') throw new ForbiddenError('Refused: no signature line is a cosignature of a witness this log is configured with.');
      throw ValidationError.field('body/checkpoint', `not a cosigned checkpoint note: ${(err as Error).message}`);
    }
    const witnessSet = new Set<NoteVerifier>(this.witnesses);
    const cosignatures = verified
      .filter((s) => witnessSet.has(s.verifier))
      .map((s) => ({ size, keyName: s.name, keyId: s.keyId, signedAt: cosignatureTimestamp(s.signature), line: s.line }));
    if (cosignatures.length === 0) throw new ForbiddenError('Refused: no signature line is a cosignature of a witness this log is configured with.');
    const ahead = cosignatures.find((c) => c.signedAt > now + 600);
    if (ahead) throw ValidationError.field('body/checkpoint', `the cosignature of ${ahead.keyName} is dated ${ahead.signedAt}, more than 10 minutes in the future`);
    const stored = await repo.insertCosignatures(this.db, cosignatures);
    return { size, stored, cosignatures: cosignatures.map((c) => ({ name: c.keyName, keyId: keyIdHex(c.keyId), timestamp: c.signedAt })) };
  }

  /** A consistency proof from tree size `from` to `to` (1 ≤ from ≤ to ≤ the current size). */
  async consistency(from: number, to: number) {
    const size = await this.currentSize();
    if (to > size) throw ValidationError.field('querystring/to', `the log has ${size} entries; to must be at most that`);
    if (from > to) throw ValidationError.field('querystring/from', 'from must be at most to');
    const proof = await readConsistencyProof(this.reader(size), from, to);
    return { from, to, proof: proof.map(encodeBase64) };
  }
}

/** The verifier key of a signer key (public: anyone checking checkpoints pins it). */
export function verifierKeyOf(signerKey: string): string {
  const key = decodeSignerKey(signerKey);
  return encodeVerifierKey(key.name, key.type, ed25519PublicKey(key.key));
}

/** A fresh log key (when none is configured): the signer key and its verifier key. */
export function newLogKey(origin: string): { signerKey: string; verifierKey: string } {
  return generateNoteKey(origin);
}
