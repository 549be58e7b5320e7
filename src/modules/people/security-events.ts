import type { Database } from '../../db/client.js';
import * as repo from './people.repository.js';

/**
 * Security events: failed and successful sign-ins, refused requests of signed-in people, and what owners did to
 * members. The owner of an organisation reads them (GET /v1/organizations/{id}/security-events); the throttle
 * counts the failures. Never a secret: no password, code or session id is ever part of one.
 */
export type SecurityEventKind =
  | 'login'
  | 'login-failed'
  | 'login-throttled'
  | 'setup'
  | 'setup-failed'
  | 'totp-failed'
  | 'totp-enrolled'
  | 'recovery-code-used'
  | 'password-changed'
  | 'csrf-refused'
  | 'session-refused'
  | 'forbidden'
  | 'not-found'
  | 'member-created'
  | 'member-updated'
  | 'member-deactivated'
  | 'member-reset'
  | 'sessions-ended';

export interface SecurityEventInput {
  kind: SecurityEventKind;
  organizationId?: string | null;
  userId?: string | null;
  login?: string | null;
  address?: string | null;
  detail?: string | null;
}

/** Logins are counted as lower case and cut to the longest a login can be, whatever was typed. */
export const loginKey = (login: string) => login.toLowerCase().slice(0, 64);

export async function recordSecurityEvent(db: Database, event: SecurityEventInput): Promise<void> {
  await repo.insertSecurityEvent(db, {
    kind: event.kind,
    organizationId: event.organizationId ?? null,
    userId: event.userId ?? null,
    login: event.login ? loginKey(event.login) : null,
    address: event.address ?? null,
    detail: event.detail ? event.detail.slice(0, 500) : null,
  });
}

export function toSecurityEventView(row: repo.SecurityEventRow) {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    kind: row.kind,
    userId: row.userId,
    login: row.login,
    address: row.address,
    detail: row.detail,
  };
}
