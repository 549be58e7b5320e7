import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, secretKeyBytes, type Config } from '../config.js';
import { dataDirSecret } from './data-dir-secret.js';

/**
 * Secrets the service must read back (a TOTP seed has to be known to check a code, so it cannot be hashed) are
 * stored sealed: AES-256-GCM under the configured key, a fresh 96-bit nonce each time, and the purpose bound as
 * additional data so a sealed value cannot be moved to another column or user. The text stored is
 * `v1.<nonce>.<ciphertext+tag>` in base64url. Whoever reads the database without the key learns nothing.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: string) {
    const bytes = secretKeyBytes(key);
    if (!bytes) throw new ConfigError(['the secret key must be 32 bytes written as 64 hex digits or as base64']);
    this.key = bytes;
  }

  seal(plaintext: string, purpose: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The plaintext, or null when the value was not sealed by this key for this purpose (or was changed). */
  open(sealed: string, purpose: string): string | null {
    const [version, nonceText, bodyText] = sealed.split('.');
    if (version !== 'v1' || !nonceText || !bodyText) return null;
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== 12 || body.length < 16) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
      decipher.setAAD(Buffer.from(purpose, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

export interface ResolvedSecretKey {
  key: string;
  /** True when the key was generated just now (the operator is told where it is kept). */
  generated: boolean;
  file?: string;
}

/**
 * The secret key: HERBTRACE_SECRET_KEY, or generated into the data directory on the embedded database. Losing it
 * makes stored TOTP enrolments unreadable (their users then need a reset by an owner).
 */
export function resolveSecretKey(config: Config): ResolvedSecretKey {
  const { value, ...rest } = dataDirSecret(config, {
    variable: 'HERBTRACE_SECRET_KEY',
    configured: config.secretKey,
    file: 'secret-key',
    valid: (text) => secretKeyBytes(text) !== null,
    generate: () => randomBytes(32).toString('hex'),
    hint: ': openssl rand -hex 32',
  });
  return { key: value, ...rest };
}
