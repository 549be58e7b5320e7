import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';

export interface DataDirSecret {
  value: string;
  /** True when it was generated just now (the operator is told). */
  generated: boolean;
  file?: string;
}

/**
 * A secret the service needs at start (the admin token, the secret key): from its environment variable, or, on
 * the embedded database only, generated at first start and kept (mode 0600) in the data directory so restarts
 * keep it. Replicas sharing a PostgreSQL database must agree on it, so there it has to be configured.
 */
export function dataDirSecret(
  config: Config,
  spec: { variable: string; configured: string | undefined; file: string; valid: (text: string) => boolean; generate: () => string; hint: string },
): DataDirSecret {
  if (spec.configured) return { value: spec.configured, generated: false };
  if (config.databaseUrl) throw new ConfigError([`${spec.variable} is required with DATABASE_URL (it is generated only for the embedded database)${spec.hint}`]);
  const file = path.join(config.dataDir, spec.file);
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (spec.valid(value)) return { value, generated: false, file };
    throw new ConfigError([`${file} does not hold a valid ${spec.variable}: restore it from a backup, or remove it to have a new one generated`]);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const value = spec.generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, generated: true, file };
}
