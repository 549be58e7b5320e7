import type { Config } from '../config.js';
import { dataDirSecret } from './data-dir-secret.js';
import { newSecret } from './ids.js';

export interface ResolvedAdminToken {
  token: string;
  /** True when the token was generated just now and must be shown to the operator once. */
  generated: boolean;
  file?: string;
}

/** The admin token: HERBTRACE_ADMIN_TOKEN, or generated into the data directory on the embedded database. */
export function resolveAdminToken(config: Config): ResolvedAdminToken {
  const { value, ...rest } = dataDirSecret(config, {
    variable: 'HERBTRACE_ADMIN_TOKEN',
    configured: config.adminToken,
    file: 'admin-token',
    valid: (text) => text.length >= 24,
    generate: () => `adm_${newSecret()}`,
    hint: '',
  });
  return { token: value, ...rest };
}
