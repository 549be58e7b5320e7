import { ConfigError, type Config } from '../../config.js';
import { dataDirSecret } from '../../lib/data-dir-secret.js';
import { logOrigin, newLogKey, verifierKeyOf } from './log.service.js';
import { noteSigner } from './note.js';

export interface ResolvedLogKey {
  signerKey: string;
  /** Public: printed, served at /log/key, pinned by verifiers. */
  verifierKey: string;
  /** True when the key was generated just now (the operator is shown its verifier key). */
  generated: boolean;
  file?: string;
}

function isLogSignerKey(text: string): boolean {
  try {
    noteSigner(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The log's signing key: HERBTRACE_LOG_KEY (a C2SP signed-note private key, Ed25519), or, on the embedded
 * database only, generated at first start into the data directory. Losing it does not lose the log (a new key
 * signs the same tree), but verifiers that pinned the old verifier key must be told the new one.
 */
export function resolveLogKey(config: Config): ResolvedLogKey {
  const origin = logOrigin(config.publicBaseUrl, config.logOrigin);
  if (config.logKey !== undefined && !isLogSignerKey(config.logKey)) {
    throw new ConfigError(['HERBTRACE_LOG_KEY must be a signed-note Ed25519 private key (PRIVATE+KEY+<name>+<key id>+<base64 of 0x01 and the 32-byte seed>)']);
  }
  const { value, ...rest } = dataDirSecret(config, {
    variable: 'HERBTRACE_LOG_KEY',
    configured: config.logKey,
    file: 'log-key',
    valid: isLogSignerKey,
    generate: () => newLogKey(origin).signerKey,
    hint: ': a signed-note Ed25519 private key, PRIVATE+KEY+<name>+<id>+<base64>',
  });
  return { signerKey: value, verifierKey: verifierKeyOf(value), ...rest };
}
