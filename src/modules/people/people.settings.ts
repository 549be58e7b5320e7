import type { Role } from '../../access/actor.js';
import type { Config } from '../../config.js';
import type { SecretBox } from '../../lib/secret-box.js';

/** What the people module reads from configuration, passed in once by the app. */
export interface PeopleSettings {
  box: SecretBox;
  /** HMAC key of the CSRF tokens (derived from the secret key). */
  csrfKey: Buffer;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  deviceSessionIdleDays: number;
  deviceSessionAbsoluteDays: number;
  totpRequiredFor: Config['totpRequiredFor'];
  loginFailuresPerLogin: number;
  loginFailuresPerAddress: number;
  loginThrottleWindowMinutes: number;
}

/** Setup codes are good for 72 hours (design.md §9). */
export const SETUP_CODE_HOURS = 72;

/** Must this user sign in with a second factor? Their role, or their organisation being a regulator. */
export function totpRequired(settings: PeopleSettings, role: Role, organizationKinds: readonly string[]): boolean {
  return settings.totpRequiredFor.includes(role) || (settings.totpRequiredFor.includes('regulator') && organizationKinds.includes('regulator'));
}
