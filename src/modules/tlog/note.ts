/**
 * C2SP signed-note: text signed by one or more keys, with Ed25519 signatures (signature type 0x01), keys in
 * the note formats — verifier `<name>+<hex key id>+<base64(type ‖ public key)>` and signer
 * `PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ 32-byte seed)>` (golang.org/x/mod/sumdb/note's form) — and
 * key ids SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4].
 *
 *     <text ending in a newline>
 *     <blank line>
 *     — <key name> base64(key id ‖ signature)
 *     …
 *
 * `verifyNote` follows the spec: signatures from unknown keys (name and id not both known) are ignored and
 * reported; a known key's signature must verify or the note is refused; at least one must verify.
 * Everything refused throws a TlogError.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { TlogError, sha256 } from './merkle.js';

/** Signature type bytes of signed-note. */
export const SIGNATURE_TYPE = { ed25519: 0x01, cosignatureV1: 0x04 } as const;

/** Verifiers must accept at least 16 signatures; like sumdb/note, this refuses more than 100 by default. */
export const DEFAULT_MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// ---------------------------------------------------------------------------------------------------------
// Strict encodings shared by the formats of this module.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Standard base64 (RFC 4648 §4) with padding, canonical only (no stray bits, no whitespace); else null. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

/** An ASCII decimal without leading zeros (`0` itself allowed) that is a safe integer; else null. */
export function parseDecimal(text: string): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** No ASCII control characters but the newline, and no lone surrogate (so the UTF-8 is exact). */
export function hasOnlyNoteCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0009\u000b-\u001f]/.test(text) && !/\p{Cs}/u.test(text);
}

/** Key names: non-empty, no Unicode space, no `+`, and (so a note can carry them) no control character. */
export function isValidKeyName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && !/[\p{White_Space}+\u0000-\u001f]/u.test(name) && !/\p{Cs}/u.test(name);
}

// ---------------------------------------------------------------------------------------------------------
// Keys.

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian uint32. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(Buffer.from(`${name}\n`, 'utf8'), Uint8Array.of(type), publicKey);
  return Buffer.from(digest).readUInt32BE(0);
}

export function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

export interface DecodedKey {
  name: string;
  keyId: number;
  type: number;
  /** The public key (verifier) or the 32-byte Ed25519 seed (signer). */
  key: Uint8Array;
}

function malformedKey(why: string): TlogError {
  return new TlogError('malformed-key', `malformed note key: ${why}`);
}

function cut(text: string, separator: string): [string, string] | null {
  const at = text.indexOf(separator);
  return at < 0 ? null : [text.slice(0, at), text.slice(at + separator.length)];
}

function decodeKeyParts(text: string, what: string): { name: string; id: number; type: number; material: Uint8Array } {
  const first = cut(text, '+');
  const second = first && cut(first[1], '+');
  if (!first || !second) throw malformedKey(`a ${what} is <name>+<key id>+<base64 key>`);
  const [name, [idHex, keyBase64]] = [first[0], second];
  if (!isValidKeyName(name)) throw malformedKey(`${JSON.stringify(name)} is not a key name`);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw malformedKey('the key id must be 8 lowercase hex digits');
  const bytes = decodeBase64(keyBase64);
  if (!bytes || bytes.length < 2) throw malformedKey('the key is not canonical base64 of a type byte and key material');
  return { name, id: parseInt(idHex, 16), type: bytes[0]!, material: bytes.subarray(1) };
}

/** Reads a verifier key, checking its key id against its name and public key. */
export function decodeVerifierKey(vkey: string): DecodedKey {
  const { name, id, type, material } = decodeKeyParts(vkey, 'verifier key');
  if (keyId(name, type, material) !== id) throw malformedKey('the key id does not match the name and public key');
  return { name, keyId: id, type, key: new Uint8Array(material) };
}

/** Reads a signer key (an Ed25519 seed of one of this module's types), checking its key id. */
export function decodeSignerKey(skey: string): DecodedKey {
  if (!skey.startsWith(SIGNER_KEY_PREFIX)) throw malformedKey(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  const { name, id, type, material } = decodeKeyParts(skey.slice(SIGNER_KEY_PREFIX.length), 'signer key');
  if (material.length !== 32) throw malformedKey('an Ed25519 seed is 32 bytes');
  if (keyId(name, type, ed25519PublicKey(material)) !== id) throw malformedKey('the key id does not match the name and key');
  return { name, keyId: id, type, key: new Uint8Array(material) };
}

export function encodeVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw malformedKey(`${JSON.stringify(name)} is not a key name`);
  return `${name}+${keyIdHex(keyId(name, type, publicKey))}+${encodeBase64(Buffer.concat([Uint8Array.of(type), publicKey]))}`;
}

export function encodeSignerKey(name: string, type: number, seed: Uint8Array): string {
  if (!isValidKeyName(name)) throw malformedKey(`${JSON.stringify(name)} is not a key name`);
  if (seed.length !== 32) throw malformedKey('an Ed25519 seed is 32 bytes');
  const id = keyId(name, type, ed25519PublicKey(seed));
  return `${SIGNER_KEY_PREFIX}${name}+${keyIdHex(id)}+${encodeBase64(Buffer.concat([Uint8Array.of(type), seed]))}`;
}

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw malformedKey('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw malformedKey('an Ed25519 public key is 32 bytes');
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    throw malformedKey('not an Ed25519 public key');
  }
}

/** The raw 32-byte public key of an Ed25519 seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(ed25519PrivateKey(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

export function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === 64 && verify(null, message, publicKey, signature);
}

/** A new Ed25519 key of the given signature type, as a signer key and its verifier key. */
export function generateNoteKey(name: string, type: number = SIGNATURE_TYPE.ed25519): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw malformedKey(`${JSON.stringify(name)} is not a key name`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = new Uint8Array(pkcs8.subarray(pkcs8.length - 32));
  return { signerKey: encodeSignerKey(name, type, seed), verifierKey: encodeVerifierKey(name, type, ed25519PublicKey(seed)) };
}

// ---------------------------------------------------------------------------------------------------------
// Signers and verifiers.

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The signature over the note text's UTF-8 bytes (without the key id, which the line adds). */
  sign(text: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** Whether `signature` (without the key id) is this key's over the note text's UTF-8 bytes. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** An Ed25519 note signer from a `PRIVATE+KEY+…` signer key of type 0x01. */
export function noteSigner(skey: string): NoteSigner {
  const key = decodeSignerKey(skey);
  if (key.type !== SIGNATURE_TYPE.ed25519) throw malformedKey(`signature type 0x${key.type.toString(16).padStart(2, '0')} is not Ed25519 (0x01)`);
  const privateKey = ed25519PrivateKey(key.key);
  return { name: key.name, keyId: key.keyId, sign: (text) => new Uint8Array(sign(null, text, privateKey)) };
}

/** An Ed25519 note verifier from a verifier key of type 0x01. */
export function noteVerifier(vkey: string): NoteVerifier {
  const key = decodeVerifierKey(vkey);
  if (key.type !== SIGNATURE_TYPE.ed25519) throw malformedKey(`signature type 0x${key.type.toString(16).padStart(2, '0')} is not Ed25519 (0x01)`);
  const publicKey = ed25519PublicKeyObject(key.key);
  return { name: key.name, keyId: key.keyId, verify: (text, signature) => ed25519Verify(publicKey, text, signature) };
}

// ---------------------------------------------------------------------------------------------------------
// Notes.

function malformedNote(why: string): TlogError {
  return new TlogError('malformed-note', `malformed note: ${why}`);
}

function requireNoteText(text: string): void {
  if (!text.endsWith('\n')) throw malformedNote('the text must end in a newline');
  if (!hasOnlyNoteCharacters(text)) throw malformedNote('the text must be UTF-8 without control characters other than newline');
}

/** One signature line, `— <name> base64(key id ‖ signature)\n`, of `signer` over `text`. */
export function signatureLine(text: string, signer: NoteSigner): string {
  requireNoteText(text);
  if (!isValidKeyName(signer.name)) throw malformedKey(`${JSON.stringify(signer.name)} is not a key name`);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  const signature = signer.sign(Buffer.from(text, 'utf8'));
  return `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([id, signature]))}\n`;
}

/** The signed note: `text` (ending in a newline), a blank line, one signature line per signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  requireNoteText(text);
  if (signers.length === 0) throw new RangeError('a signed note needs at least one signer');
  return `${text}\n${signers.map((s) => signatureLine(text, s)).join('')}`;
}

/** `note` with one more signature line per signer over its text (the note is checked for form first). */
export function addSignatures(note: string, signers: readonly NoteSigner[]): string {
  const { text } = parseNote(note);
  return note + signers.map((s) => signatureLine(text, s)).join('');
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key id. */
  signature: Uint8Array;
  /** The signature line as it is in the note, without its newline. */
  line: string;
}

export interface ParsedNote {
  /** The note text, final newline included. */
  text: string;
  signatures: NoteSignature[];
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') return note;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw malformedNote('not UTF-8');
  }
}

/**
 * The text and signature lines of a note, checked for form only (nothing verified): UTF-8 without control
 * characters but newlines, the text separated from the signatures by the last blank line, every signature
 * line `— <valid name> <canonical base64 of at least 5 bytes>` ending in a newline, at most `maxSignatures`.
 */
export function parseNote(note: string | Uint8Array, maxSignatures: number = DEFAULT_MAX_SIGNATURES): ParsedNote {
  const msg = decodeNote(note);
  if (!hasOnlyNoteCharacters(msg)) throw malformedNote('a note is UTF-8 without control characters other than newline');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformedNote('no blank line before the signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw malformedNote('the signatures must be lines ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) throw new TlogError('too-many-signatures', `a note may carry at most ${maxSignatures} signatures, this one has ${lines.length}`);
  const signatures = lines.map((line): NoteSignature => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformedNote('a signature line starts with an em dash and a space');
    const parts = cut(line.slice(SIGNATURE_PREFIX.length), ' ');
    if (!parts || !isValidKeyName(parts[0])) throw malformedNote('a signature line is — <key name> <base64 signature>');
    const bytes = decodeBase64(parts[1]);
    if (!bytes || bytes.length < 5) throw malformedNote('a signature is canonical base64 of a key id and at least one byte');
    return { name: parts[0], keyId: Buffer.from(bytes).readUInt32BE(0), signature: bytes.subarray(4), line };
  });
  return { text, signatures };
}

export interface VerifiedSignature extends NoteSignature {
  verifier: NoteVerifier;
}

export interface VerifiedNote {
  text: string;
  /** The known keys' signatures, each key once, in the note's order. */
  verified: VerifiedSignature[];
  /** Signatures of keys not known (name and id not both matching a verifier), identical lines once. */
  unknown: NoteSignature[];
}

export interface VerifyNoteOptions {
  maxSignatures?: number;
}

/**
 * Verifies a signed note against known keys. Refuses (TlogError) a malformed note or too many signatures, a
 * known key's signature that does not verify, and a note with no verified signature at all.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[], options: VerifyNoteOptions = {}): VerifiedNote {
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const key = `${v.name}\n${v.keyId}`;
    if (known.has(key)) throw new RangeError(`two verifiers share the name ${v.name} and key id ${keyIdHex(v.keyId)}`);
    known.set(key, v);
  }
  const { text, signatures } = parseNote(note, options.maxSignatures ?? DEFAULT_MAX_SIGNATURES);
  const bytes = Buffer.from(text, 'utf8');
  const verified: VerifiedSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seenKeys = new Set<string>();
  const seenLines = new Set<string>();
  for (const sig of signatures) {
    const key = `${sig.name}\n${sig.keyId}`;
    const verifier = known.get(key);
    if (!verifier) {
      if (!seenLines.has(sig.line)) unknown.push(sig);
      seenLines.add(sig.line);
      continue;
    }
    // Every line of a known key is checked, a repeated one too; the key is counted once.
    if (!verifier.verify(bytes, sig.signature)) {
      throw new TlogError('invalid-signature', `the signature of ${sig.name} (${keyIdHex(sig.keyId)}) does not verify`);
    }
    if (!seenKeys.has(key)) verified.push({ ...sig, verifier });
    seenKeys.add(key);
  }
  if (verified.length === 0) throw new TlogError('unverified-note', 'no signature of a known key');
  return { text, verified, unknown };
}
