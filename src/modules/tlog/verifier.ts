/**
 * The verifier: what a regulator, a buyer or a journalist runs against HerbTrace's public endpoints, trusting
 * nothing but the log's verifier key they pinned. It speaks HTTP only (a `fetch`), never to a database:
 *
 *  - `checkpoint()`: the latest checkpoint, its signature checked with the pinned key and its origin;
 *  - `audit()`: every entry bundle and tile of the checkpoint's tree fetched, the tree rebuilt from the
 *    entries, every tile compared with it, the root compared with the checkpoint's;
 *  - `monitor()`: the checkpoint it verified last time (a state it is given back) must be a prefix of the new
 *    one (consistency proof); the new state is handed back only when that holds;
 *  - `witness()`: after `monitor`, cosigns the new checkpoint (C2SP tlog-cosignature) and submits it;
 *  - `lot()`: every event of a lot's provenance, each one proven in the log and its record matching its entry
 *    (SHA-256(salt ‖ RFC 8785 JSON of the record)); entries of the lot whose event the service no longer
 *    answers, and events that entered the log after events recorded later (back-dated), are named.
 *
 * Every check answers findings (what failed, naming the event and its log index where one is at fault) rather
 * than throwing: a verdict lists them all.
 */
import {
  cosignatureVerifier,
  cosigner,
  openCheckpoint,
  parseTlogProof,
  verifyTlogProof,
  type Checkpoint,
  type CosignatureVerifier,
  type OpenedCheckpoint,
} from './checkpoint.js';
import { eventLeafHash } from './commitment.js';
import { EMPTY_ROOT, appendToRightEdge, bytesEqual, checkConsistency, checkInclusion, leafHash, rootFromRightEdge, sha256, type Hash } from './merkle.js';
import { decodeBase64, decodeVerifierKey, encodeBase64, noteVerifier, parseNote, signatureLine, type NoteVerifier } from './note.js';
import { canonicalBytes } from './jcs.js';
import { TILE_HEIGHT, TILE_WIDTH, decodeEntryBundle, decodeTile, entryBundlePath, tilePath, tilesForTreeSize, type Tile } from './tiles.js';

/** The part of the WHATWG fetch the verifier uses (global fetch, or an adapter over app.inject in tests). */
export type VerifierFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface VerifierOptions {
  /** The service's base URL (the log is under /log/ there). */
  baseUrl: string;
  /** The log's verifier key, pinned by whoever runs the verifier (not fetched from the service). */
  verifierKey: string;
  /** The origin the checkpoints must name; by default the verifier key's name (the log names its key so). */
  origin?: string;
  fetch?: VerifierFetch;
  /** Witness verifier keys (cosignature/v1) whose cosignatures are checked and reported. */
  witnesses?: readonly string[];
  /** Requests in flight at once. */
  concurrency?: number;
  /**
   * How much earlier than an event already in the log a later entry's recordedAt may be (transactions commit
   * in another order than they start; a long one is that much late). Beyond it the later one is named as
   * back-dated.
   */
  maxRecordedSkewSeconds?: number;
}

export interface Finding {
  message: string;
  eventId?: string;
  index?: number;
}

/** The monitor's (and witness's) memory between runs: the last checkpoint it verified. */
export interface MonitorState {
  origin: string;
  /** The signed checkpoint note as served (opened again with the pinned key when read back). */
  checkpoint: string;
  size: number;
  root: string;
  verifiedAt: string;
}

export interface MonitorResult {
  findings: Finding[];
  /** The checkpoint of the saved state. */
  previous?: Checkpoint;
  current?: OpenedCheckpoint;
  /** The current checkpoint note as served. */
  note?: string;
  /** The state to save: only when every check held. */
  state?: MonitorState;
}

export interface WitnessResult extends MonitorResult {
  cosigned: boolean;
  cosignatureLine?: string;
}

export class VerifierError extends Error {
  constructor(readonly findings: Finding[]) {
    super(findings.map((f) => f.message).join('; '));
    this.name = 'VerifierError';
  }
}

interface ProofAnswer {
  eventId: string;
  index: number;
  salt: string;
  commitment: string;
  record: Record<string, unknown> & { id?: unknown; recordedAt?: unknown };
  proof: string;
}

/** Runs `work` over `items` with at most `limit` at once, answering in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

function eventFinding(eventId: string, index: number | undefined, what: string): Finding {
  return { message: `event ${eventId}${index === undefined ? '' : ` (log index ${index})`}: ${what}`, eventId, ...(index === undefined ? {} : { index }) };
}

export class LogVerifier {
  readonly origin: string;
  private readonly base: string;
  private readonly http: VerifierFetch;
  private readonly logVerifier: NoteVerifier;
  private readonly witnesses: CosignatureVerifier[];
  private readonly concurrency: number;
  private readonly skewMs: number;
  private readonly consistencyChecks = new Map<string, Promise<Finding | null>>();

  constructor(options: VerifierOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.http = options.fetch ?? (globalThis.fetch as unknown as VerifierFetch);
    this.logVerifier = noteVerifier(options.verifierKey);
    this.origin = options.origin ?? decodeVerifierKey(options.verifierKey).name;
    this.witnesses = (options.witnesses ?? []).map((k) => cosignatureVerifier(k));
    this.concurrency = options.concurrency ?? 16;
    this.skewMs = (options.maxRecordedSkewSeconds ?? 300) * 1000;
  }

  // -------------------------------------------------------------------------------------------------------
  // HTTP.

  private async request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    // A public route may answer 429 (the service's per-client limit): wait as told and ask again.
    for (let attempt = 0; ; attempt++) {
      const res = await this.http(`${this.base}${path}`, init);
      if (res.status !== 429 || attempt >= 5) return res;
      const wait = Math.min(60, Number(res.headers.get('retry-after')) || 1);
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  }

  private async bytes(path: string): Promise<Uint8Array> {
    const res = await this.request(path);
    if (res.status !== 200) throw new VerifierError([{ message: `GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}` }]);
    return new Uint8Array(await res.arrayBuffer());
  }

  private async json<T>(path: string, token?: string): Promise<{ status: number; body: T | undefined; text: string }> {
    const res = await this.request(path, token ? { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } } : {});
    const text = await res.text();
    let body: T | undefined;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text };
  }

  // -------------------------------------------------------------------------------------------------------
  // Checkpoints.

  /** Opens a signed checkpoint note with the pinned key and the expected origin; refusals throw VerifierError. */
  open(note: string): OpenedCheckpoint {
    try {
      return openCheckpoint(note, { origin: this.origin, logVerifiers: [this.logVerifier], cosigners: this.witnesses });
    } catch (err) {
      throw new VerifierError([{ message: `the checkpoint does not verify with the pinned key for ${this.origin}: ${(err as Error).message}` }]);
    }
  }

  /** GET /log/checkpoint, verified. */
  async checkpoint(): Promise<{ note: string; opened: OpenedCheckpoint }> {
    const res = await this.request('/log/checkpoint');
    const note = await res.text();
    if (res.status !== 200) throw new VerifierError([{ message: `GET /log/checkpoint answered ${res.status}: ${note.slice(0, 200)}` }]);
    return { note, opened: this.open(note) };
  }

  // -------------------------------------------------------------------------------------------------------
  // Full audit.

  /**
   * Rebuilds the tree of `checkpoint` from every entry bundle: each bundle's leaf hashes must be its level-0
   * tile, every tile of every level must be the rebuilt tree's, and the rebuilt root the checkpoint's. Bundles
   * are fetched `concurrency` at a time and folded in order, so memory stays at the tree's right edge and the
   * few hashes the higher tiles are compared with.
   */
  async audit(checkpoint: Checkpoint, onProgress?: (done: number, size: number) => void): Promise<Finding[]> {
    const { size, root } = checkpoint;
    const findings: Finding[] = [];
    const tiles = [...tilesForTreeSize(size)];
    const level0 = tiles.filter((t) => t.level === 0);
    // Hashes at Merkle levels 8, 16, …: what tiles of level 1 and up hold.
    const upper = new Map<number, Hash[]>();
    let edge: Hash[] = [];
    let at = 0;
    const fetchPair = (tile: Tile) => Promise.all([this.bytes(`/log/${entryBundlePath(tile.index, tile.width)}`), this.bytes(`/log/${tilePath(tile)}`)]);
    const window = Math.max(1, this.concurrency);
    const pending: Promise<[Uint8Array, Uint8Array]>[] = [];
    for (let i = 0; i < Math.min(window, level0.length); i++) pending.push(fetchPair(level0[i]!));
    for (let i = 0; i < level0.length; i++) {
      const tile = level0[i]!;
      const [bundleBody, tileBody] = await pending[i]!;
      if (i + window < level0.length) pending.push(fetchPair(level0[i + window]!));
      delete pending[i];
      let entries: Uint8Array[];
      let hashes: Hash[];
      try {
        entries = decodeEntryBundle(bundleBody, tile.width);
        hashes = decodeTile(tileBody, tile.width);
      } catch (err) {
        findings.push({ message: `entry bundle / tile 0/${tile.index}: ${(err as Error).message}` });
        return findings;
      }
      entries.forEach((entry, j) => {
        const leaf = leafHash(entry);
        if (!bytesEqual(leaf, hashes[j]!)) findings.push({ message: `log index ${at}: its entry does not hash to tile 0/${tile.index}'s leaf ${j}`, index: at });
        const appended = appendToRightEdge(edge, at, leaf);
        for (const node of appended.nodes) {
          if (node.level >= TILE_HEIGHT && node.level % TILE_HEIGHT === 0) (upper.get(node.level) ?? upper.set(node.level, []).get(node.level)!)[node.index] = node.hash;
        }
        edge = appended.edge;
        at++;
      });
      onProgress?.(at, size);
    }
    const rebuilt = rootFromRightEdge(edge);
    if (at !== size) findings.push({ message: `the entry bundles hold ${at} entries for a tree of ${size}` });
    else if (!bytesEqual(rebuilt, size === 0 ? EMPTY_ROOT : root)) findings.push({ message: `the tree rebuilt from the ${size} entries does not have the checkpoint's root` });
    for (const tile of tiles.filter((t) => t.level > 0)) {
      const hashes = decodeTile(await this.bytes(`/log/${tilePath(tile)}`), tile.width);
      const mine = upper.get(tile.level * TILE_HEIGHT) ?? [];
      hashes.forEach((h, j) => {
        const want = mine[tile.index * TILE_WIDTH + j];
        if (!want || !bytesEqual(h, want)) findings.push({ message: `tile ${tilePath(tile)}: hash ${j} is not the rebuilt tree's` });
      });
    }
    return findings;
  }

  // -------------------------------------------------------------------------------------------------------
  // Consistency and monitoring.

  /** Whether the tree of `newer` extends the tree of `older` (GET /log/consistency); null when it does. */
  async consistency(older: Checkpoint, newer: Checkpoint): Promise<Finding | null> {
    if (newer.size < older.size) return { message: `the log went back from tree size ${older.size} to ${newer.size}: entries were removed` };
    if (older.size === 0) return null; // the empty tree is a prefix of every tree
    if (older.size === newer.size) {
      return bytesEqual(older.root, newer.root) ? null : { message: `two different trees of size ${older.size}: the log shows two histories` };
    }
    const res = await this.json<{ proof?: unknown }>(`/log/consistency?from=${older.size}&to=${newer.size}`);
    const lines = res.body?.proof;
    if (res.status !== 200 || !Array.isArray(lines)) return { message: `GET /log/consistency?from=${older.size}&to=${newer.size} answered ${res.status}: ${res.text.slice(0, 200)}` };
    const proof = lines.map((l) => (typeof l === 'string' ? decodeBase64(l) : null));
    if (proof.some((p) => !p || p.length !== 32)) return { message: 'the consistency proof is not a list of base64 hashes' };
    const check = checkConsistency(older.size, newer.size, proof as Hash[], older.root, newer.root);
    return check.ok
      ? null
      : { message: `the checkpoint of size ${newer.size} is not consistent with the one of size ${older.size} verified earlier (${check.reason}): the log was rewritten` };
  }

  /** Reads a saved state back: its checkpoint must verify with the pinned key, for this origin. */
  openState(state: MonitorState): OpenedCheckpoint {
    if (state.origin !== this.origin) throw new VerifierError([{ message: `the saved state is of ${state.origin}, not ${this.origin}` }]);
    const opened = this.open(state.checkpoint);
    if (opened.checkpoint.size !== state.size || encodeBase64(opened.checkpoint.root) !== state.root) {
      throw new VerifierError([{ message: 'the saved state does not match its own checkpoint' }]);
    }
    return opened;
  }

  /**
   * Monitor mode: the latest checkpoint, verified, and consistent with the saved one (if any). Answers the new
   * state only when everything holds; the caller saves it.
   */
  async monitor(state: MonitorState | undefined, now = new Date()): Promise<MonitorResult> {
    let previous: Checkpoint | undefined;
    let current: { note: string; opened: OpenedCheckpoint };
    try {
      previous = state ? this.openState(state).checkpoint : undefined;
      current = await this.checkpoint();
    } catch (err) {
      if (err instanceof VerifierError) return { findings: err.findings };
      throw err;
    }
    const finding = previous ? await this.consistency(previous, current.opened.checkpoint) : null;
    if (finding) return { findings: [finding], ...(previous ? { previous } : {}), current: current.opened, note: current.note };
    return {
      findings: [],
      ...(previous ? { previous } : {}),
      current: current.opened,
      note: current.note,
      state: {
        origin: this.origin,
        checkpoint: current.note,
        size: current.opened.checkpoint.size,
        root: encodeBase64(current.opened.checkpoint.root),
        verifiedAt: now.toISOString(),
      },
    };
  }

  /**
   * Witness mode (C2SP tlog-cosignature): the monitor's checks, then the new checkpoint cosigned with the
   * witness's key and submitted to POST /log/cosignatures. A checkpoint inconsistent with the state is refused
   * (not cosigned, nothing submitted), and so is one the service does not accept.
   */
  async witness(state: MonitorState | undefined, witnessSignerKey: string, now = new Date()): Promise<WitnessResult> {
    const result = await this.monitor(state, now);
    if (result.findings.length > 0 || !result.note || !result.state) {
      const { state: _unsaved, ...rest } = result;
      return { ...rest, cosigned: false, findings: [...result.findings, { message: 'the witness refuses to cosign this checkpoint' }] };
    }
    const signer = cosigner(witnessSignerKey, () => Math.floor(now.getTime() / 1000));
    const text = parseNote(result.note).text;
    // The checkpoint as served carries other witnesses' lines too; this one's is added once.
    const line = signatureLine(text, signer);
    const res = await this.request('/log/cosignatures', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint: `${text}\n${line}` }),
    });
    const body = await res.text();
    if (res.status !== 200) {
      const { state: _unsaved, ...rest } = result;
      return { ...rest, cosigned: false, findings: [{ message: `the service refused the cosignature: ${res.status} ${body.slice(0, 300)}` }] };
    }
    return { ...result, cosigned: true, cosignatureLine: line.trimEnd() };
  }

  // -------------------------------------------------------------------------------------------------------
  // A lot's events.

  /** Checks one event's proof answer against `opened` (the verifier's checkpoint); null when it holds. */
  async checkEventProof(answer: ProofAnswer, opened: Checkpoint, expectedIndex?: number): Promise<Finding | null> {
    const { eventId } = answer;
    const salt = decodeBase64(answer.salt);
    if (!salt || salt.length !== 32) return eventFinding(eventId, answer.index, 'the salt is not 32 bytes');
    if (answer.record?.id !== eventId) return eventFinding(eventId, answer.index, `the service answered the record of ${String(answer.record?.id)}`);
    if (expectedIndex !== undefined && answer.index !== expectedIndex) {
      return eventFinding(eventId, expectedIndex, `the service places it at log index ${answer.index}`);
    }
    let leaf: Hash;
    try {
      leaf = eventLeafHash(salt, answer.record);
    } catch (err) {
      return eventFinding(eventId, answer.index, `its record is not canonical JSON: ${(err as Error).message}`);
    }
    let proofCheckpoint: Checkpoint;
    try {
      proofCheckpoint = verifyTlogProof(answer.proof, leaf, { origin: this.origin, logVerifiers: [this.logVerifier], cosigners: this.witnesses }).checkpoint.checkpoint;
    } catch (err) {
      // Which part is wrong: the record (its entry in the log still proves) or the proof itself.
      const served = decodeBase64(answer.commitment);
      const computed = sha256(salt, canonicalBytes(answer.record));
      const entryProves = (() => {
        try {
          const parsed = parseTlogProof(answer.proof);
          // The served entry counts only under a checkpoint signed by the pinned key.
          this.open(parsed.checkpoint);
          return !!served && parsed.index === answer.index && checkInclusion(leafHash(served), parsed.index, parsed.checkpointBody.size, parsed.proof, parsed.checkpointBody.root).ok;
        } catch {
          return false;
        }
      })();
      if (served && entryProves && !bytesEqual(served, computed)) {
        return eventFinding(eventId, answer.index, 'its record does not match its entry in the log: it was changed after it was logged');
      }
      return eventFinding(eventId, answer.index, `its proof does not verify: ${(err as Error).message}`);
    }
    // A proof against another tree than the verifier's must be of the same history.
    const [older, newer] = proofCheckpoint.size <= opened.size ? [proofCheckpoint, opened] : [opened, proofCheckpoint];
    const key = `${older.size}:${encodeBase64(older.root)}:${newer.size}:${encodeBase64(newer.root)}`;
    if (!this.consistencyChecks.has(key)) this.consistencyChecks.set(key, this.consistency(older, newer));
    const split = await this.consistencyChecks.get(key)!;
    if (split) return eventFinding(eventId, answer.index, `its proof's checkpoint is not of the verified history: ${split.message}`);
    return null;
  }

  private async allPages<T>(path: string, token: string): Promise<{ items: T[]; error?: string }> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: { status: number; body: { items?: T[]; nextCursor?: string | null } | undefined; text: string } = await this.json(
        `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      if (res.status !== 200 || !res.body?.items) return { items, error: `GET ${path} answered ${res.status}: ${res.text.slice(0, 200)}` };
      items.push(...res.body.items);
      cursor = res.body.nextCursor ?? null;
    } while (cursor);
    return { items };
  }

  /**
   * Every event of the lot's provenance (the lot and its ancestors: the timeline's events, and the log's own
   * entries of each lot in the graph) proven in the log, each record matching its entry. Named: an entry whose
   * event the service no longer answers (deleted), an event not in the log, a record changed after it was
   * logged, an event that entered the log after others recorded later than it (back-dated).
   */
  async lot(lotId: string, token: string, checkpoint?: Checkpoint): Promise<{ findings: Finding[]; events: number; checkpoint?: Checkpoint }> {
    let opened = checkpoint;
    if (!opened) {
      try {
        opened = (await this.checkpoint()).opened.checkpoint;
      } catch (err) {
        if (err instanceof VerifierError) return { findings: err.findings, events: 0 };
        throw err;
      }
    }
    const findings: Finding[] = [];
    const provenance = await this.json<{ nodes?: { id: string }[] }>(`/v1/lots/${encodeURIComponent(lotId)}/provenance`, token);
    if (provenance.status !== 200 || !provenance.body?.nodes) {
      return { findings: [{ message: `GET /v1/lots/${lotId}/provenance answered ${provenance.status}: ${provenance.text.slice(0, 200)}` }], events: 0, checkpoint: opened };
    }
    const lots = [...new Set([lotId, ...provenance.body.nodes.map((n) => n.id)])];
    const timeline = await this.allPages<{ id: string }>(`/v1/lots/${encodeURIComponent(lotId)}/timeline?scope=lineage`, token);
    if (timeline.error) findings.push({ message: timeline.error });
    const logged = new Map<string, number>(); // event id → log index, from the log's own tables
    const perLot = await mapLimit(lots, this.concurrency, (id) => this.json<{ entries?: { index: number; eventId: string }[] }>(`/v1/lots/${encodeURIComponent(id)}/log-entries`, token));
    perLot.forEach((res, i) => {
      if (res.status !== 200 || !res.body?.entries) findings.push({ message: `GET /v1/lots/${lots[i]}/log-entries answered ${res.status}: ${res.text.slice(0, 200)}` });
      else for (const e of res.body.entries) logged.set(e.eventId, e.index);
    });
    const inTimeline = new Set(timeline.items.map((e) => e.id));
    const ids = [...new Set([...inTimeline, ...logged.keys()])];
    const proven: { eventId: string; index: number; recordedAt: number }[] = [];
    const results = await mapLimit(ids, this.concurrency, async (eventId) => {
      const res = await this.json<ProofAnswer>(`/v1/events/${encodeURIComponent(eventId)}/proof`, token);
      const index = logged.get(eventId);
      if (res.status === 404 && index !== undefined && !inTimeline.has(eventId)) {
        return eventFinding(eventId, index, 'the log holds its entry for this lot, but the service no longer answers the event: it was deleted or hidden');
      }
      if (res.status === 404 && index === undefined) return eventFinding(eventId, undefined, 'in the lot’s provenance, but not in the log (never logged: inserted behind the log’s back?)');
      if (res.status !== 200 || !res.body) return eventFinding(eventId, index, `GET /v1/events/${eventId}/proof answered ${res.status}: ${res.text.slice(0, 200)}`);
      const finding = await this.checkEventProof(res.body, opened!, index);
      if (!finding) proven.push({ eventId, index: res.body.index, recordedAt: Date.parse(String(res.body.record.recordedAt)) });
      return finding;
    });
    for (const f of results) if (f) findings.push(f);
    // Log order is commit order: an event recorded (so it says) well before one already in the log, entering
    // after it, was written later with an earlier date.
    proven.sort((a, b) => a.index - b.index);
    let latest = -Infinity;
    let latestId = '';
    for (const e of proven) {
      if (Number.isFinite(e.recordedAt) && e.recordedAt < latest - this.skewMs) {
        findings.push(
          eventFinding(e.eventId, e.index, `back-dated: recorded ${new Date(e.recordedAt).toISOString()} (so it says), it entered the log after ${latestId}, recorded ${new Date(latest).toISOString()}`),
        );
      }
      if (e.recordedAt > latest) {
        latest = e.recordedAt;
        latestId = e.eventId;
      }
    }
    return { findings, events: ids.length, checkpoint: opened };
  }
}
