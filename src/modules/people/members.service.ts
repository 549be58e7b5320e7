import { customAlphabet } from 'nanoid';
import type { Actor, Role } from '../../access/actor.js';
import { requireMemberManager } from '../../access/policy.js';
import type { Database } from '../../db/client.js';
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { sha256Hex } from '../../lib/hash.js';
import { newId } from '../../lib/ids.js';
import { findOrganizationById } from '../organizations/index.js';
import * as repo from './people.repository.js';
import { SETUP_CODE_HOURS, totpRequired, type PeopleSettings } from './people.settings.js';
import { recordSecurityEvent, toSecurityEventView } from './security-events.js';

/**
 * Members of an organisation: the admin creates an organisation's first owner, owners create the rest. A new
 * member gets a one-time setup code, shown once to whoever created them and good for 72 hours; with it the
 * person chooses a password (auth.service.ts setup). Members are never deleted (events name them): they are
 * deactivated, which ends their sessions at once.
 */

// 16 characters of an alphabet without look-alikes, in groups of four: 31¹⁶ ≈ 2⁷⁹, typed once on a phone.
const setupChars = customAlphabet('23456789ABCDEFGHJKMNPQRSTUVWXYZ', 16);
const newSetupCode = () => setupChars().replace(/(.{4})(?=.)/g, '$1-');
/** A setup code as typed: spaces and dashes dropped, upper case, the groups restored (it is then hashed). */
export const normalizeSetupCode = (code: string) =>
  code
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/(.{4})(?=.)/g, '$1-');

export type UserView = ReturnType<typeof toUserView>;

export function toUserView(row: repo.UserRow, settings: PeopleSettings, organizationKinds: readonly string[]) {
  return {
    id: row.id,
    organizationId: row.organizationId,
    login: row.login,
    name: row.name,
    phone: row.phone,
    role: row.role as Role,
    status: row.status as 'pending' | 'active' | 'deactivated',
    twoFactor: { enabled: row.totpEnabledAt !== null, required: totpRequired(settings, row.role as Role, organizationKinds) },
    createdAt: row.createdAt.toISOString(),
    deactivatedAt: row.deactivatedAt ? row.deactivatedAt.toISOString() : null,
  };
}

const actorId = (actor: Actor) => (actor.kind === 'admin' ? 'admin' : (actor.userId ?? actor.keyId ?? 'unknown'));

async function organizationFor(db: Database, actor: Actor, organizationId: string) {
  const organization = await findOrganizationById(db, organizationId);
  if (!organization) throw new NotFoundError(`No organisation ${organizationId}.`);
  requireMemberManager(actor, organizationId);
  return organization;
}

async function memberOf(db: Database, organizationId: string, userId: string, lock = false) {
  const row = lock ? await repo.lockUser(db, userId) : await repo.findUserById(db, userId);
  if (!row || row.organizationId !== organizationId) throw new NotFoundError(`No member ${userId} in organisation ${organizationId}.`);
  return row;
}

function setupCodeFields() {
  const code = newSetupCode();
  const expiresAt = new Date(Date.now() + SETUP_CODE_HOURS * 3_600_000);
  return { code, expiresAt, columns: { setupCodeHash: sha256Hex(code), setupCodeExpiresAt: expiresAt } };
}

export interface NewMember {
  name: string;
  login: string;
  role: Role;
  phone?: string | undefined;
}

/** POST /v1/organizations/{id}/users: the member, and their setup code (shown only in this answer). */
export async function createMember(db: Database, settings: PeopleSettings, actor: Actor, organizationId: string, input: NewMember) {
  const organization = await organizationFor(db, actor, organizationId);
  if (actor.kind === 'admin' && input.role !== 'owner' && (await repo.listUsers(db, organizationId)).length === 0) {
    // Not a rule of access: an organisation's first person is the one who can add the others.
    throw new RuleViolationError('first-member-is-owner', "An organisation's first member is its owner: create an owner, who then adds the others.", [
      { path: 'role', message: 'must be owner for the first member' },
    ]);
  }
  if (await repo.findUserByLogin(db, input.login)) throw new ConflictError(`The login ${input.login} is taken.`, [{ path: 'login', message: 'is taken' }]);
  const setup = setupCodeFields();
  const row = await repo.insertUser(db, {
    id: newId('usr'),
    organizationId,
    login: input.login,
    name: input.name,
    phone: input.phone ?? null,
    role: input.role,
    status: 'pending',
    ...setup.columns,
    createdBy: actorId(actor),
  });
  await recordSecurityEvent(db, { kind: 'member-created', organizationId, userId: row.id, login: row.login, detail: `${input.role}, by ${actorId(actor)}` });
  return { user: toUserView(row, settings, organization.kinds), setupCode: setup.code, setupCodeExpiresAt: setup.expiresAt.toISOString() };
}

export async function listMembers(db: Database, settings: PeopleSettings, actor: Actor, organizationId: string) {
  const organization = await organizationFor(db, actor, organizationId);
  return { items: (await repo.listUsers(db, organizationId)).map((r) => toUserView(r, settings, organization.kinds)) };
}

export async function getMember(db: Database, settings: PeopleSettings, actor: Actor, organizationId: string, userId: string) {
  const organization = await organizationFor(db, actor, organizationId);
  return toUserView(await memberOf(db, organizationId, userId), settings, organization.kinds);
}

/** The organisation keeps an active owner: the last one cannot be demoted or deactivated. */
async function keepAnOwner(db: Database, member: repo.UserRow, what: string) {
  if (member.role === 'owner' && member.status === 'active' && (await repo.countOtherActiveOwners(db, member.organizationId, member.id)) === 0) {
    throw new RuleViolationError('last-owner', `${member.login} is the organisation's only active owner: make another member owner before ${what}.`);
  }
}

/** PATCH /v1/organizations/{id}/users/{userId}: name, phone, role. A role change ends the member's sessions. */
export async function updateMember(
  db: Database,
  settings: PeopleSettings,
  actor: Actor,
  organizationId: string,
  userId: string,
  input: { name?: string | undefined; phone?: string | null | undefined; role?: Role | undefined },
) {
  const organization = await organizationFor(db, actor, organizationId);
  if (input.name === undefined && input.phone === undefined && input.role === undefined) {
    throw new ValidationError('Send at least one of name, phone, role.', [{ path: '', message: 'has nothing to change' }]);
  }
  const member = await memberOf(db, organizationId, userId, true);
  if (member.status === 'deactivated') throw new RuleViolationError('member-deactivated', `${member.login} is deactivated: nothing about them changes any more.`);
  const roleChanges = input.role !== undefined && input.role !== member.role;
  if (roleChanges && input.role !== 'owner') await keepAnOwner(db, member, 'changing their role');
  const row = await repo.updateUser(db, userId, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(roleChanges ? { role: input.role } : {}),
  });
  // Sessions carry no role (it is read from the user on every request), but a new role is a new start: the
  // member signs in again and meets the new role's two-factor rule there.
  if (roleChanges) await repo.revokeSessions(db, userId, 'role-changed');
  await recordSecurityEvent(db, {
    kind: 'member-updated',
    organizationId,
    userId,
    login: member.login,
    detail: roleChanges ? `role ${member.role} → ${input.role}, by ${actorId(actor)}` : `details, by ${actorId(actor)}`,
  });
  return toUserView(row, settings, organization.kinds);
}

/** POST …/users/{userId}/deactivate: the member can no longer sign in; every session of theirs ends now. */
export async function deactivateMember(db: Database, settings: PeopleSettings, actor: Actor, organizationId: string, userId: string) {
  const organization = await organizationFor(db, actor, organizationId);
  const member = await memberOf(db, organizationId, userId, true);
  if (member.status === 'deactivated') return toUserView(member, settings, organization.kinds);
  await keepAnOwner(db, member, 'deactivating them');
  const row = await repo.updateUser(db, userId, { status: 'deactivated', deactivatedAt: new Date(), setupCodeHash: null, setupCodeExpiresAt: null });
  const ended = await repo.revokeSessions(db, userId, 'deactivated');
  await recordSecurityEvent(db, { kind: 'member-deactivated', organizationId, userId, login: member.login, detail: `${ended} session(s) ended, by ${actorId(actor)}` });
  return toUserView(row, settings, organization.kinds);
}

/**
 * POST …/users/{userId}/setup-code: a new setup code for a member who lost their password or phone. Their
 * password, TOTP enrolment and recovery codes are cleared and their sessions end; they set up again.
 */
export async function resetMember(db: Database, settings: PeopleSettings, actor: Actor, organizationId: string, userId: string) {
  const organization = await organizationFor(db, actor, organizationId);
  const member = await memberOf(db, organizationId, userId, true);
  if (member.status === 'deactivated') throw new RuleViolationError('member-deactivated', `${member.login} is deactivated: a deactivated member gets no setup code.`);
  if (actor.kind === 'organization' && actor.userId === userId) {
    throw new RuleViolationError('reset-self', 'An owner cannot reset their own account: another owner or the admin does it.');
  }
  const setup = setupCodeFields();
  const row = await repo.updateUser(db, userId, {
    status: 'pending',
    passwordHash: null,
    totpSecret: null,
    totpPendingSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
    ...setup.columns,
  });
  await repo.replaceRecoveryCodes(db, userId, []);
  const ended = await repo.revokeSessions(db, userId, 'reset');
  await recordSecurityEvent(db, { kind: 'member-reset', organizationId, userId, login: member.login, detail: `${ended} session(s) ended, by ${actorId(actor)}` });
  return { user: toUserView(row, settings, organization.kinds), setupCode: setup.code, setupCodeExpiresAt: setup.expiresAt.toISOString() };
}

/** DELETE …/users/{userId}/sessions: ends every session of the member (they can sign in again). */
export async function endMemberSessions(db: Database, actor: Actor, organizationId: string, userId: string) {
  await organizationFor(db, actor, organizationId);
  const member = await memberOf(db, organizationId, userId);
  const ended = await repo.revokeSessions(db, userId, 'ended-by-owner');
  await recordSecurityEvent(db, { kind: 'sessions-ended', organizationId, userId, login: member.login, detail: `${ended} session(s), by ${actorId(actor)}` });
  return { ended };
}

/** GET /v1/organizations/{id}/security-events: newest first. */
export async function listSecurityEvents(db: Database, actor: Actor, organizationId: string, query: { limit?: number | undefined; before?: string | undefined }) {
  await organizationFor(db, actor, organizationId);
  const limit = query.limit ?? 100;
  const before = query.before === undefined ? undefined : Number(query.before);
  if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) throw ValidationError.field('before', 'is not an event id');
  const rows = await repo.listSecurityEvents(db, organizationId, limit + 1, before);
  const page = rows.slice(0, limit);
  return { items: page.map(toSecurityEventView), nextBefore: rows.length > limit ? String(page.at(-1)!.id) : null };
}
