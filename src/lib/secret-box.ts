import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, secretKeyBytes, type Config } from '../config.js';

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
 * The secret key: from HERBTRACE_SECRET_KEY, or, on the embedded database only, generated at first start and kept
 * (mode 0600) in the data directory. Replicas sharing a PostgreSQL database must agree on it, so there it has to
 * be configured. Losing it makes stored TOTP enrolments unreadable (their users then need a reset by an owner).
 */
export function resolveSecretKey(config: Config): ResolvedSecretKey {
  if (config.secretKey) return { key: config.secretKey, generated: false };
  if (config.databaseUrl) {
    throw new ConfigError(['HERBTRACE_SECRET_KEY is required with DATABASE_URL (it is generated only for the embedded database): openssl rand -hex 32']);
  }
  const file = path.join(config.dataDir, 'secret-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (secretKeyBytes(key)) return { key, generated: false, file };
    throw new ConfigError([`${file} does not hold a 32-byte key (64 hex digits); restore it from a backup or remove it (stored TOTP enrolments are then lost)`]);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true, file };
}
