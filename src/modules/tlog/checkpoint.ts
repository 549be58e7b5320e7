/**
 * C2SP tlog-checkpoint (the signed tree head), tlog-cosignature (witnesses' timestamped Ed25519
 * `cosignature/v1`, signature type 0x04) and tlog-proof (an offline-verifiable receipt: checkpoint, index and
 * inclusion path).
 *
 *     <origin>
 *     <tree size, decimal without leading zeros>
 *     <base64 of the 32-byte root hash>
 *     [extension lines, non-empty]
 *
 * ML-DSA-44 cosignatures (type 0x06) are not here: node:crypto of Node 20 has no ML-DSA.
 */
import { HASH_SIZE, TlogError, checkInclusion, isHash, type Hash } from './merkle.js';
import {
  SIGNATURE_TYPE,
  decodeBase64,
  decodeSignerKey,
  decodeVerifierKey,
  ed25519PrivateKey,
  ed25519PublicKeyObject,
  ed25519Verify,
  encodeBase64,
  hasOnlyNoteCharacters,
  parseDecimal,
  parseNote,
  signNote,
  verifyNote,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type VerifiedSignature,
} from './note.js';
import { sign } from 'node:crypto';

export interface Checkpoint {
  /** The log's identity, e.g. `herbtrace.example/log`. */
  origin: string;
  size: number;
  root: Hash;
  /** Opaque extension lines (not recommended by the spec): non-empty, without newlines. */
  extensions: readonly string[];
}

function malformed(why: string): TlogError {
  return new TlogError('malformed-checkpoint', `malformed checkpoint: ${why}`);
}

/** The checkpoint's note text, final newline included. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions } = checkpoint;
  if (origin === '' || origin.includes('\n')) throw malformed('the origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw malformed(`the size must be a non-negative safe integer, not ${size}`);
  if (!isHash(root)) throw malformed(`the root must be ${HASH_SIZE} bytes`);
  for (const line of extensions) if (line === '' || line.includes('\n')) throw malformed('extension lines must be non-empty lines');
  const text = [origin, String(size), encodeBase64(root), ...extensions].join('\n') + '\n';
  if (!hasOnlyNoteCharacters(text)) throw malformed('no control characters');
  return text;
}

/**
 * Reads a checkpoint's note text strictly: at least three lines, each ending in a newline and none empty; the
 * size a decimal without leading zeros (below 2^53); the root canonical base64 of exactly 32 bytes.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('the text must end in a newline');
  if (!hasOnlyNoteCharacters(text)) throw malformed('no control characters other than newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('origin, size and root hash lines are required');
  if (lines.some((l) => l === '')) throw malformed('no line may be empty');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  const size = parseDecimal(sizeLine);
  if (size === null) throw malformed(`the size ${JSON.stringify(sizeLine.slice(0, 40))} is not a decimal without leading zeros below 2^53`);
  const root = decodeBase64(rootLine);
  if (!root || root.length !== HASH_SIZE) throw malformed(`the root hash must be canonical base64 of ${HASH_SIZE} bytes`);
  return { origin, size, root, extensions };
}

/** A signed checkpoint note (the log's signer first, by convention named like the origin). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

// ---------------------------------------------------------------------------------------------------------
// Cosignatures (tlog-cosignature, Ed25519 `cosignature/v1`).

const COSIGNATURE_HEADER = 'cosignature/v1';
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** The message a v1 cosignature signs: `cosignature/v1\ntime <t>\n` and the checkpoint's note text. */
export function cosignedMessage(checkpointText: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`a cosignature timestamp is a non-negative safe integer, not ${timestamp}`);
  return Buffer.from(`${COSIGNATURE_HEADER}\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/**
 * The timestamp of a v1 cosignature's `timestamped_signature` (u64 big-endian ‖ 64-byte Ed25519 signature).
 * Refuses another length, and timestamps above 2^63 − 1 (the spec) or 2^53 − 1 (far in the future, which the
 * spec lets verifiers refuse; a JavaScript number holds the rest exactly).
 */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== 8 + 64) throw new TlogError('malformed-cosignature', `a cosignature is 72 bytes, not ${signature.length}`);
  const t = Buffer.from(signature.buffer, signature.byteOffset, 8).readBigUInt64BE(0);
  if (t > MAX_TIMESTAMP || t > BigInt(Number.MAX_SAFE_INTEGER)) throw new TlogError('malformed-cosignature', `cosignature timestamp ${t} is out of range`);
  return Number(t);
}

export interface CosignatureVerifier extends NoteVerifier {
  readonly type: 'cosignature/v1';
}

function requireType(type: number, want: number): void {
  if (type !== want) {
    throw new TlogError('malformed-key', `signature type 0x${type.toString(16).padStart(2, '0')} is not 0x${want.toString(16).padStart(2, '0')}`);
  }
}

/**
 * A witness's cosigner from a `PRIVATE+KEY+<name>+<id>+base64(0x04 ‖ seed)` key (the signer-key form of
 * signed-note with the cosignature type byte), stamping each cosignature with `clock()` (POSIX seconds).
 */
export function cosigner(skey: string, clock: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner {
  const key = decodeSignerKey(skey);
  requireType(key.type, SIGNATURE_TYPE.cosignatureV1);
  const privateKey = ed25519PrivateKey(key.key);
  return {
    name: key.name,
    keyId: key.keyId,
    sign(text) {
      const timestamp = clock();
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(timestamp));
      const signature = sign(null, cosignedMessage(Buffer.from(text).toString('utf8'), timestamp), privateKey);
      return Buffer.concat([stamp, signature]);
    },
  };
}

/** A verifier of v1 cosignatures from a vkey of type 0x04. */
export function cosignatureVerifier(vkey: string): CosignatureVerifier {
  const key = decodeVerifierKey(vkey);
  requireType(key.type, SIGNATURE_TYPE.cosignatureV1);
  const publicKey = ed25519PublicKeyObject(key.key);
  return {
    type: 'cosignature/v1',
    name: key.name,
    keyId: key.keyId,
    verify(text, signature) {
      let timestamp: number;
      try {
        timestamp = cosignatureTimestamp(signature);
      } catch {
        return false;
      }
      return ed25519Verify(publicKey, cosignedMessage(Buffer.from(text).toString('utf8'), timestamp), signature.subarray(8));
    },
  };
}

function isCosignatureVerifier(v: NoteVerifier): v is CosignatureVerifier {
  return (v as Partial<CosignatureVerifier>).type === 'cosignature/v1';
}

// ---------------------------------------------------------------------------------------------------------
// Opening a signed checkpoint.

export interface OpenCheckpointOptions {
  /** The origin the verifier expects: a checkpoint of another log is refused. */
  origin: string;
  /** The log's keys: at least one must have signed. */
  logVerifiers: readonly NoteVerifier[];
  /** Witnesses' cosignature keys known to the verifier. */
  cosigners?: readonly CosignatureVerifier[];
  maxSignatures?: number;
}

export interface VerifiedCosignature {
  name: string;
  keyId: number;
  /** POSIX seconds, as signed by the witness. */
  timestamp: number;
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The checkpoint's note text. */
  text: string;
  logSignatures: VerifiedSignature[];
  cosignatures: VerifiedCosignature[];
  /** Signatures of keys not known, ignored as the note spec says. */
  unknown: NoteSignature[];
}

/**
 * Verifies a signed checkpoint: a well-formed note whose every known signature verifies, signed by a log key,
 * with the expected origin and a strictly formed body. Cosignatures of known witnesses are verified and
 * returned with their timestamps; how many are enough is the caller's policy.
 */
export function openCheckpoint(note: string | Uint8Array, options: OpenCheckpointOptions): OpenedCheckpoint {
  const cosigners = options.cosigners ?? [];
  const opened = verifyNote(note, [...options.logVerifiers, ...cosigners], options.maxSignatures === undefined ? {} : { maxSignatures: options.maxSignatures });
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== options.origin) {
    throw new TlogError('wrong-origin', `the checkpoint is of ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(options.origin)}`);
  }
  const logSet = new Set<NoteVerifier>(options.logVerifiers);
  const logSignatures = opened.verified.filter((s) => logSet.has(s.verifier));
  if (logSignatures.length === 0) throw new TlogError('unverified-note', 'the checkpoint carries no verified signature of the log');
  const cosignatures = opened.verified
    .filter((s) => !logSet.has(s.verifier) && isCosignatureVerifier(s.verifier))
    .map((s) => ({ name: s.name, keyId: s.keyId, timestamp: cosignatureTimestamp(s.signature) }));
  return { checkpoint, text: opened.text, logSignatures, cosignatures, unknown: opened.unknown };
}

// ---------------------------------------------------------------------------------------------------------
// tlog-proof: `c2sp.org/tlog-proof@v1`.

const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  /** Opaque, unauthenticated application data (the `extra` line), if any. */
  extra?: Uint8Array;
  index: number;
  /** The inclusion path, the leaf's sibling first. */
  proof: readonly Hash[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

function malformedProof(why: string): TlogError {
  return new TlogError('malformed-proof', `malformed tlog proof: ${why}`);
}

export function formatTlogProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0) throw malformedProof(`the index must be a non-negative safe integer, not ${proof.index}`);
  if (!proof.proof.every(isHash)) throw malformedProof(`every inclusion proof hash is ${HASH_SIZE} bytes`);
  if (!proof.checkpoint.endsWith('\n')) throw malformedProof('the checkpoint note ends in a newline');
  parseNote(proof.checkpoint);
  const lines = [PROOF_HEADER];
  if (proof.extra && proof.extra.length > 0) lines.push(`extra ${encodeBase64(proof.extra)}`);
  lines.push(`index ${proof.index}`, ...proof.proof.map(encodeBase64), '');
  return lines.join('\n') + '\n' + proof.checkpoint;
}

/**
 * Reads a tlog proof: the header line, an optional `extra <base64>` line (non-empty data: without data the
 * line is left out), `index <decimal>`, zero or more 32-byte base64 hashes, an empty line, then the checkpoint
 * note, whose text must be a well-formed checkpoint. Its signatures are checked by `verifyTlogProof`.
 */
export function parseTlogProof(text: string): TlogProof & { checkpointBody: Checkpoint } {
  if (!hasOnlyNoteCharacters(text)) throw malformedProof('UTF-8 without control characters other than newline');
  const lines = text.split('\n');
  let at = 0;
  if (lines[at++] !== PROOF_HEADER) throw malformedProof(`the first line must be ${PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (lines[at]?.startsWith('extra ')) {
    const bytes = decodeBase64(lines[at]!.slice('extra '.length));
    if (!bytes || bytes.length === 0) throw malformedProof('the extra line carries canonical base64 of non-empty data');
    extra = bytes;
    at++;
  }
  const indexLine = lines[at++] ?? '';
  const index = indexLine.startsWith('index ') ? parseDecimal(indexLine.slice('index '.length)) : null;
  if (index === null) throw malformedProof('an index line `index <decimal without leading zeros>` is required');
  const proof: Hash[] = [];
  for (;;) {
    const line = lines[at++];
    if (line === undefined) throw malformedProof('an empty line must end the inclusion proof');
    if (line === '') break;
    const hash = decodeBase64(line);
    if (!hash || hash.length !== HASH_SIZE) throw malformedProof(`inclusion proof lines are canonical base64 of ${HASH_SIZE} bytes`);
    proof.push(hash);
  }
  const checkpoint = lines.slice(at).join('\n');
  const split = checkpoint.lastIndexOf('\n\n');
  if (split < 0 || !checkpoint.endsWith('\n')) throw malformedProof('the checkpoint must be a signed note');
  const checkpointBody = parseCheckpoint(checkpoint.slice(0, split + 1));
  return { ...(extra ? { extra } : {}), index, proof, checkpoint, checkpointBody };
}

export interface VerifyTlogProofOptions extends OpenCheckpointOptions {
  /** How many known witnesses' cosignatures are required (default 0). */
  minCosignatures?: number;
}

export interface VerifiedTlogProof {
  index: number;
  extra?: Uint8Array;
  checkpoint: OpenedCheckpoint;
}

/**
 * Verifies a tlog proof offline for the leaf hash the caller computed from the logged data: the checkpoint is
 * the expected log's and signed by it, at least `minCosignatures` known witnesses cosigned it, and the
 * inclusion path binds the leaf hash at the index to the checkpoint's root.
 */
export function verifyTlogProof(text: string, leaf: Hash, options: VerifyTlogProofOptions): VerifiedTlogProof {
  const parsed = parseTlogProof(text);
  const opened = openCheckpoint(parsed.checkpoint, options);
  const need = options.minCosignatures ?? 0;
  if (opened.cosignatures.length < need) {
    throw new TlogError('not-enough-cosignatures', `${opened.cosignatures.length} known witnesses cosigned the checkpoint; ${need} are required`);
  }
  const check = checkInclusion(leaf, parsed.index, opened.checkpoint.size, parsed.proof, opened.checkpoint.root);
  if (!check.ok) throw new TlogError('proof-failed', `the inclusion proof does not verify (${check.reason})`);
  return { index: parsed.index, ...(parsed.extra ? { extra: parsed.extra } : {}), checkpoint: opened };
}
