import { randomBytes } from 'node:crypto';
import type { OrganizationActor, Role } from '../../access/actor.js';
import type { Database } from '../../db/client.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, TooManyRequestsError, UnauthorizedError } from '../../lib/errors.js';
import { digestsEqual, sha256Hex } from '../../lib/hash.js';
import { newId } from '../../lib/ids.js';
import { findOrganizationById } from '../organizations/index.js';
import { normalizeSetupCode, toUserView } from './members.service.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import * as repo from './people.repository.js';
import { totpRequired, type PeopleSettings } from './people.settings.js';
import { loginKey, recordSecurityEvent, type SecurityEventInput } from './security-events.js';
import { acceptedTotpStep, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpEnrolment } from './totp.js';

/**
 * Signing in (design.md §9, OWASP ASVS 5.0 V6 and V7): setup with a one-time code, password sign-in with a
 * second factor where required, server-side sessions that can be listed and ended, TOTP enrolment. Failures say
 * the same for an unknown login as for a wrong password, take as long (a decoy hash is verified), are recorded
 * as security events and throttled per login and per client address.
 *
 * Failures are recorded on `db` directly, outside any transaction of the request, so a refusal that changes
 * nothing else still leaves its record; what a success changes happens in one transaction.
 */

/**
 * A refusal decided inside a transaction whose security event must outlive the rollback: thrown out of the
 * transaction, recorded after it (on PGlite the transaction holds the only connection), then the refusal goes on.
 */
class RecordedRefusal extends Error {
  constructor(
    readonly event: SecurityEventInput,
    readonly refusal: Error,
  ) {
    super(refusal.message);
  }
}

async function transactionRecordingRefusals<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if (!(error instanceof RecordedRefusal)) throw error;
    await recordSecurityEvent(db, error.event);
    throw error.refusal;
  }
}

/** Where a request came from, for the records and the throttle. */
export interface ClientContext {
  address: string;
  userAgent: string | undefined;
}

// The cookie holds 256 random bits; the database holds only their SHA-256, so a copy of the table signs nobody in.
const newSessionToken = () => randomBytes(32).toString('base64url');
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const TOTP_PURPOSE = (userId: string) => `totp:${userId}`;

export type SessionKind = 'office' | 'device';

export interface NewSession {
  /** The cookie value: sent once in Set-Cookie, never stored. */
  token: string;
  session: repo.SessionRow;
  user: repo.UserRow;
  organization: { id: string; name: string; kinds: string[] };
}

function sessionView(session: repo.SessionRow, current?: string) {
  const idleEnds = new Date(Math.min(session.lastSeenAt.getTime() + session.idleSeconds * 1000, session.expiresAt.getTime()));
  return {
    id: session.id,
    kind: session.kind as SessionKind,
    method: session.method,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    idleExpiresAt: idleEnds.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    address: session.address,
    current: session.id === current,
  };
}

/** The answer of setup, login and GET /v1/auth/session (the route adds the CSRF token). */
export function signedInView(settings: PeopleSettings, s: { session: repo.SessionRow; user: repo.UserRow; organization: { id: string; name: string; kinds: string[] } }) {
  const user = toUserView(s.user, settings, s.organization.kinds);
  return {
    user,
    organization: { id: s.organization.id, name: s.organization.name, kinds: s.organization.kinds },
    session: sessionView(s.session, s.session.id),
    // Owed two-factor enrolment: until it is done the session may only enrol (and sign out).
    twoFactorEnrolmentRequired: user.twoFactor.required && !user.twoFactor.enabled,
  };
}

async function throttle(db: Database, settings: PeopleSettings, login: string, context: ClientContext) {
  const window = settings.loginThrottleWindowMinutes;
  const f = await repo.recentFailures(db, loginKey(login), context.address, window);
  const byLogin = f.byLogin >= settings.loginFailuresPerLogin;
  const byAddress = f.byAddress >= settings.loginFailuresPerAddress;
  if (!byLogin && !byAddress) return;
  const oldest = (byLogin ? f.loginOldest : f.addressOldest) ?? new Date();
  const retryAfter = Math.max(1, Math.ceil((oldest.getTime() + window * 60_000 - Date.now()) / 1000));
  await recordSecurityEvent(db, { kind: 'login-throttled', login, address: context.address, detail: byLogin ? 'per login' : 'per address' });
  throw new TooManyRequestsError(
    `Too many failed sign-ins ${byLogin ? 'for this login' : 'from this address'} in ${window} minutes: try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
    retryAfter,
  );
}

async function organizationOfUser(db: Database, user: repo.UserRow) {
  const organization = await findOrganizationById(db, user.organizationId);
  if (!organization) throw new Error(`user ${user.id} has no organisation`);
  return { id: organization.id, name: organization.name, kinds: organization.kinds };
}

async function startSession(
  db: Database,
  settings: PeopleSettings,
  user: repo.UserRow,
  organization: NewSession['organization'],
  kind: SessionKind,
  method: string,
  context: ClientContext,
): Promise<NewSession> {
  const token = newSessionToken();
  const idleSeconds = kind === 'device' ? settings.deviceSessionIdleDays * 86_400 : settings.sessionIdleMinutes * 60;
  const lifetimeMs = kind === 'device' ? settings.deviceSessionAbsoluteDays * 86_400_000 : settings.sessionAbsoluteHours * 3_600_000;
  const session = await repo.insertSession(db, {
    id: newId('ses'),
    tokenHash: sha256Hex(token),
    userId: user.id,
    kind,
    method,
    idleSeconds,
    expiresAt: new Date(Date.now() + lifetimeMs),
    userAgent: context.userAgent?.slice(0, 300) ?? null,
    address: context.address,
  });
  return { token, session, user, organization };
}

function requireDeviceAllowed(settings: PeopleSettings, user: repo.UserRow, organizationKinds: string[], kind: SessionKind) {
  if (kind === 'device' && totpRequired(settings, user.role as Role, organizationKinds)) {
    // Accounts that must use two factors are the powerful ones: their sessions keep the office timeouts.
    throw new RuleViolationError('device-session-not-allowed', 'Staying signed in on a device is for recorders and viewers; this account keeps the office session timeouts.', [
      { path: 'remember', message: 'is not allowed for this account' },
    ]);
  }
}

/** POST /v1/auth/setup: a new member (or one reset by an owner) sets a password with their setup code and is signed in. */
export async function setup(
  db: Database,
  settings: PeopleSettings,
  input: { login: string; setupCode: string; password: string; remember?: boolean | undefined },
  context: ClientContext,
): Promise<NewSession> {
  await throttle(db, settings, input.login, context);
  const user = await repo.findUserByLogin(db, input.login);
  const codeHash = sha256Hex(normalizeSetupCode(input.setupCode));
  const codeMatches = !!user?.setupCodeHash && user.status === 'pending' && digestsEqual(user.setupCodeHash, codeHash);
  if (!user || !codeMatches) {
    await recordSecurityEvent(db, { kind: 'setup-failed', organizationId: user?.organizationId, userId: user?.id, login: input.login, address: context.address, detail: 'wrong or used setup code' });
    throw new UnauthorizedError('The login or the setup code is wrong, or the code was already used. Ask an owner of your organisation for a new code.');
  }
  if (!user.setupCodeExpiresAt || user.setupCodeExpiresAt.getTime() <= Date.now()) {
    await recordSecurityEvent(db, { kind: 'setup-failed', organizationId: user.organizationId, userId: user.id, login: input.login, address: context.address, detail: 'expired setup code' });
    throw new UnauthorizedError('This setup code has expired (codes are good for 72 hours). Ask an owner of your organisation for a new one.');
  }
  const problem = passwordProblem(input.password, user);
  if (problem) throw new RuleViolationError('password-policy', problem, [{ path: 'password', message: problem }]);
  const organization = await organizationOfUser(db, user);
  const kind: SessionKind = input.remember ? 'device' : 'office';
  requireDeviceAllowed(settings, user, organization.kinds, kind);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const locked = await repo.lockUser(tx, user.id);
    // Two setups racing with one code: only the first finds it.
    if (!locked?.setupCodeHash || !digestsEqual(locked.setupCodeHash, codeHash)) throw new UnauthorizedError('This setup code was already used.');
    const updated = await repo.updateUser(tx, user.id, { status: 'active', passwordHash, passwordChangedAt: new Date(), setupCodeHash: null, setupCodeExpiresAt: null });
    await recordSecurityEvent(tx, { kind: 'setup', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address });
    return startSession(tx, settings, updated, organization, kind, 'setup-code+password', context);
  });
}

/**
 * POST /v1/auth/login. With TOTP enrolled the answer to a right password without a code is a 401 naming the
 * `totp` field; the code (or a recovery code) is then sent with the password again.
 */
export async function login(
  db: Database,
  settings: PeopleSettings,
  input: { login: string; password: string; totp?: string | undefined; recoveryCode?: string | undefined; remember?: boolean | undefined },
  context: ClientContext,
): Promise<NewSession> {
  await throttle(db, settings, input.login, context);
  const user = await repo.findUserByLogin(db, input.login);
  const passwordOk = await verifyPassword(user?.status === 'active' ? user.passwordHash : null, input.password);
  if (!user || !passwordOk) {
    await recordSecurityEvent(db, { kind: 'login-failed', organizationId: user?.organizationId, userId: user?.id, login: input.login, address: context.address, detail: user ? `wrong password (${user.status})` : 'unknown login' });
    throw new UnauthorizedError('The login or the password is wrong.');
  }
  const organization = await organizationOfUser(db, user);
  const kind: SessionKind = input.remember ? 'device' : 'office';
  requireDeviceAllowed(settings, user, organization.kinds, kind);

  return transactionRecordingRefusals(db, async (tx) => {
    const locked = (await repo.lockUser(tx, user.id))!;
    let method = 'password';
    if (locked.totpSecret) {
      const secret = settings.box.open(locked.totpSecret, TOTP_PURPOSE(user.id));
      if (secret === null) throw new Error(`the TOTP seed of ${user.id} cannot be opened with this secret key`);
      if (input.totp !== undefined) {
        const step = acceptedTotpStep(secret, input.totp, locked.totpLastStep);
        if (step === null) {
          throw new RecordedRefusal(
            { kind: 'totp-failed', organizationId: user.organizationId, userId: user.id, login: input.login, address: context.address, detail: 'wrong or reused code at sign-in' },
            new UnauthorizedError('The two-factor code is wrong or was already used: wait for the next code of your authenticator app.', [{ path: 'totp', message: 'is wrong or already used' }]),
          );
        }
        await repo.updateUser(tx, user.id, { totpLastStep: step });
        method = 'password+totp';
      } else if (input.recoveryCode !== undefined) {
        if (!(await repo.useRecoveryCode(tx, user.id, sha256Hex(normalizeRecoveryCode(input.recoveryCode))))) {
          throw new RecordedRefusal(
            { kind: 'totp-failed', organizationId: user.organizationId, userId: user.id, login: input.login, address: context.address, detail: 'wrong or used recovery code' },
            new UnauthorizedError('The recovery code is wrong or was already used.', [{ path: 'recoveryCode', message: 'is wrong or already used' }]),
          );
        }
        await recordSecurityEvent(tx, { kind: 'recovery-code-used', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address });
        method = 'password+recovery-code';
      } else {
        throw new UnauthorizedError('This account signs in with a two-factor code: send the code of your authenticator app as totp (or a recovery code).', [
          { path: 'totp', message: 'is required for this account' },
        ]);
      }
    }
    await recordSecurityEvent(tx, { kind: 'login', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address, detail: method });
    return startSession(tx, settings, locked, organization, kind, method, context);
  });
}

/** What a session cookie stands for on one request. */
export interface SessionAuthentication {
  actor: OrganizationActor;
  sessionId: string;
  /** Two-factor enrolment owed: the session may only enrol, read its session and sign out. */
  enrolmentRequired: boolean;
}

/**
 * The session a cookie names, or null (unknown, ended, timed out, or its user deactivated: the last is ended
 * and recorded). Touches the session (idle timeout) at most once a minute.
 */
export async function authenticateSession(db: Database, settings: PeopleSettings, token: string, context: ClientContext): Promise<SessionAuthentication | null> {
  if (!SESSION_TOKEN_PATTERN.test(token)) return null;
  const live = await repo.findLiveSession(db, sha256Hex(token));
  if (!live) return null;
  const { session, user } = live;
  if (user.status !== 'active') {
    await repo.revokeSessions(db, user.id, user.status, { sessionId: session.id });
    await recordSecurityEvent(db, { kind: 'session-refused', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address, detail: `session of a ${user.status} member` });
    return null;
  }
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) await repo.touchSession(db, session.id);
  const role = user.role as Role;
  return {
    actor: {
      kind: 'organization',
      organizationId: user.organizationId,
      organizationName: live.organizationName,
      organizationKinds: live.organizationKinds,
      role,
      keyId: null,
      userId: user.id,
    },
    sessionId: session.id,
    enrolmentRequired: totpRequired(settings, role, live.organizationKinds) && user.totpEnabledAt === null,
  };
}

/** GET /v1/auth/session: the signed-in user, organisation and session. */
export async function currentSession(db: Database, settings: PeopleSettings, auth: SessionAuthentication) {
  const user = (await repo.findUserById(db, auth.actor.userId!))!;
  const session = (await repo.listLiveSessions(db, user.id)).find((s) => s.id === auth.sessionId);
  if (!session) throw new UnauthorizedError('This session has ended.');
  return signedInView(settings, { session, user, organization: { id: auth.actor.organizationId, name: auth.actor.organizationName, kinds: auth.actor.organizationKinds } });
}

export async function logout(db: Database, auth: SessionAuthentication): Promise<void> {
  await repo.revokeSessions(db, auth.actor.userId!, 'signed-out', { sessionId: auth.sessionId });
}

export async function listOwnSessions(db: Database, auth: SessionAuthentication) {
  return { items: (await repo.listLiveSessions(db, auth.actor.userId!)).map((s) => sessionView(s, auth.sessionId)) };
}

/** DELETE /v1/auth/sessions/{id}: ends one of one's own sessions (another's id is not found). */
export async function endOwnSession(db: Database, auth: SessionAuthentication, sessionId: string): Promise<{ ended: number }> {
  const ended = await repo.revokeSessions(db, auth.actor.userId!, 'ended-by-user', { sessionId });
  if (ended === 0) throw new NotFoundError(`No live session ${sessionId} of yours.`);
  return { ended };
}

/** POST /v1/auth/totp: a new TOTP seed to enrol (replaces an unconfirmed one); refused once TOTP is enrolled. */
export async function startTotpEnrolment(db: Database, settings: PeopleSettings, auth: SessionAuthentication) {
  const user = (await repo.findUserById(db, auth.actor.userId!))!;
  if (user.totpEnabledAt) throw new ConflictError('Two-factor sign-in is already enrolled. To move it to a new phone, ask an owner to reset your account.');
  const secret = newTotpSecret();
  await repo.updateUser(db, user.id, { totpPendingSecret: settings.box.seal(secret, TOTP_PURPOSE(user.id)) });
  const { uri, qrSvg } = await totpEnrolment(secret, `${user.login} (${auth.actor.organizationName})`);
  return { secret, uri, qrSvg };
}

/**
 * POST /v1/auth/totp/confirm: the first code from the app proves the enrolment; the answer carries ten
 * recovery codes, shown only here. The session is replaced by a new one (new id, no longer owing enrolment).
 */
export async function confirmTotp(db: Database, settings: PeopleSettings, auth: SessionAuthentication, code: string, context: ClientContext) {
  return transactionRecordingRefusals(db, async (tx) => {
    const user = (await repo.lockUser(tx, auth.actor.userId!))!;
    if (user.totpEnabledAt) throw new ConflictError('Two-factor sign-in is already enrolled.');
    if (!user.totpPendingSecret) throw new RuleViolationError('no-enrolment', 'Start the enrolment first (POST /v1/auth/totp), then confirm it with a code.');
    const secret = settings.box.open(user.totpPendingSecret, TOTP_PURPOSE(user.id));
    const step = secret === null ? null : acceptedTotpStep(secret, code, null);
    if (step === null) {
      throw new RecordedRefusal(
        { kind: 'totp-failed', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address, detail: 'wrong code at enrolment' },
        new RuleViolationError('totp-code-wrong', 'The code does not match: check the phone’s clock and enter the code the app shows now.', [{ path: 'code', message: 'does not match' }]),
      );
    }
    const recoveryCodes = newRecoveryCodes();
    const updated = await repo.updateUser(tx, user.id, { totpSecret: user.totpPendingSecret, totpPendingSecret: null, totpEnabledAt: new Date(), totpLastStep: step });
    await repo.replaceRecoveryCodes(tx, user.id, recoveryCodes.map((c) => sha256Hex(c)));
    await repo.revokeSessions(tx, user.id, 'two-factor-enrolled', { sessionId: auth.sessionId });
    await recordSecurityEvent(tx, { kind: 'totp-enrolled', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address });
    const organization = { id: auth.actor.organizationId, name: auth.actor.organizationName, kinds: auth.actor.organizationKinds };
    const previous = (await repo.findSessionById(tx, auth.sessionId))!;
    const next = await startSession(tx, settings, updated, organization, previous.kind as SessionKind, `${previous.method}+totp-enrolled`, context);
    return { ...next, recoveryCodes };
  });
}

/** POST /v1/auth/password: the current password and a new one; every other session of the user ends. */
export async function changePassword(db: Database, settings: PeopleSettings, auth: SessionAuthentication, input: { currentPassword: string; newPassword: string }, context: ClientContext) {
  const user = (await repo.findUserById(db, auth.actor.userId!))!;
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordSecurityEvent(db, { kind: 'login-failed', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address, detail: 'wrong current password at password change' });
    throw new ForbiddenError('The current password is wrong.');
  }
  const problem = passwordProblem(input.newPassword, user);
  if (problem) throw new RuleViolationError('password-policy', problem, [{ path: 'newPassword', message: problem }]);
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await repo.updateUser(tx, user.id, { passwordHash, passwordChangedAt: new Date() });
    await repo.revokeSessions(tx, user.id, 'password-changed', { exceptSessionId: auth.sessionId });
    await recordSecurityEvent(tx, { kind: 'password-changed', organizationId: user.organizationId, userId: user.id, login: user.login, address: context.address });
  });
  return { changed: true };
}
