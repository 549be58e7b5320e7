import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { newSecret } from './ids.js';

export interface ResolvedAdminToken {
  token: string;
  /** True when the token was generated just now and must be shown to the operator once. */
  generated: boolean;
  file?: string;
}

/**
 * The admin token: from HERBTRACE_ADMIN_TOKEN, or, on the embedded database only, generated at first start and
 * kept (mode 0600) in the data directory so restarts keep it. A shared PostgreSQL database has several
 * replicas, which must agree on the token, so there it has to be configured.
 */
export function resolveAdminToken(config: Config): ResolvedAdminToken {
  if (config.adminToken) return { token: config.adminToken, generated: false };
  if (config.databaseUrl) {
    throw new ConfigError(['HERBTRACE_ADMIN_TOKEN is required with DATABASE_URL (it is generated only for the embedded database)']);
  }
  const file = path.join(config.dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 24) return { token, generated: false, file };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const token = `adm_${newSecret()}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true, file };
}
