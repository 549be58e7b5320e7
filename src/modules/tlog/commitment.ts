import type { EventRecord } from '../../events/index.js';
import { canonicalBytes } from './jcs.js';
import { leafHash, sha256, type Hash } from './merkle.js';

/**
 * The log entry of an event: its salted commitment SHA-256(salt ‖ RFC 8785 JSON of the record). The salt (32
 * random bytes, kept with the entry and handed only to who may read the event) makes the public entry
 * reveal nothing, not even which of a few guessable records it is. Pure: the sequencer and the verifier share it.
 */
export function eventCommitment(salt: Uint8Array, record: EventRecord | Record<string, unknown>): Hash {
  return sha256(salt, canonicalBytes(record));
}

/** The Merkle leaf hash of an event's entry (the commitment is the entry). */
export function eventLeafHash(salt: Uint8Array, record: EventRecord | Record<string, unknown>): Hash {
  return leafHash(eventCommitment(salt, record));
}
