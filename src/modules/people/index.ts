// The people module's public API: users of organisations, sign-in, sessions, two-factor, security events.
import { createHmac } from 'node:crypto';
import type { AppConfig } from '../../app.js';
import { SecretBox } from '../../lib/secret-box.js';
import type { PeopleSettings } from './people.settings.js';

export { peopleRoutes } from './people.routes.js';
export { peopleSchemas } from './people.schemas.js';
export { authenticateSession, type SessionAuthentication, type ClientContext } from './auth.service.js';
export { recordSecurityEvent, type SecurityEventKind } from './security-events.js';
export { CsrfTokens } from './csrf.js';
export { SESSION_COOKIE } from './people.routes.js';
export type { PeopleSettings } from './people.settings.js';

/** The module's settings from the app's configuration: one SecretBox, one CSRF key derived from the secret key. */
export function peopleSettingsFrom(config: AppConfig): PeopleSettings {
  const box = new SecretBox(config.secretKey);
  return {
    box,
    csrfKey: createHmac('sha256', Buffer.from(config.secretKey, 'utf8')).update('herbtrace csrf v1').digest(),
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionAbsoluteHours: config.sessionAbsoluteHours,
    deviceSessionIdleDays: config.deviceSessionIdleDays,
    deviceSessionAbsoluteDays: config.deviceSessionAbsoluteDays,
    totpRequiredFor: config.totpRequiredFor,
    loginFailuresPerLogin: config.loginFailuresPerLogin,
    loginFailuresPerAddress: config.loginFailuresPerAddress,
    loginThrottleWindowMinutes: config.loginThrottleWindowMinutes,
  };
}
