import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';
import { organizations } from '../../db/schema.js';
import { securityEvents, sessions, userRecoveryCodes, users } from '../../db/schema.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

// ---- users ------------------------------------------------------------------------------------------------------

export async function insertUser(db: Database, row: typeof users.$inferInsert): Promise<UserRow> {
  const [inserted] = await db.insert(users).values(row).returning();
  return inserted!;
}

export async function findUserById(db: Database, id: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(eq(users.id, id)))[0];
}

/** Logins are unique without regard to case. */
export async function findUserByLogin(db: Database, login: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(sql`lower(${users.login}) = lower(${login})`))[0];
}

/** The user row locked for the rest of the transaction (setup, sign-in counters, TOTP steps). */
export async function lockUser(db: Database, id: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(eq(users.id, id)).for('update'))[0];
}

export async function listUsers(db: Database, organizationId: string): Promise<UserRow[]> {
  return db.select().from(users).where(eq(users.organizationId, organizationId)).orderBy(asc(users.createdAt), asc(users.id));
}

export async function updateUser(db: Database, id: string, set: Partial<typeof users.$inferInsert>): Promise<UserRow> {
  const [row] = await db.update(users).set(set).where(eq(users.id, id)).returning();
  return row!;
}

/** Active owners of the organisation other than `exceptUserId` (an organisation keeps at least one). */
export async function countOtherActiveOwners(db: Database, organizationId: string, exceptUserId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.role, 'owner'), eq(users.status, 'active'), sql`${users.id} <> ${exceptUserId}`));
  return Number(row?.n ?? 0);
}

// ---- recovery codes ---------------------------------------------------------------------------------------------

export async function replaceRecoveryCodes(db: Database, userId: string, codeHashes: string[]): Promise<void> {
  await db.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  if (codeHashes.length > 0) await db.insert(userRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
}

/** Marks an unused recovery code used; false when there is none with that hash. */
export async function useRecoveryCode(db: Database, userId: string, codeHash: string): Promise<boolean> {
  const rows = await db
    .update(userRecoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(userRecoveryCodes.userId, userId), eq(userRecoveryCodes.codeHash, codeHash), isNull(userRecoveryCodes.usedAt)))
    .returning({ userId: userRecoveryCodes.userId });
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

// ---- sessions ---------------------------------------------------------------------------------------------------

export async function insertSession(db: Database, row: typeof sessions.$inferInsert): Promise<SessionRow> {
  const [inserted] = await db.insert(sessions).values(row).returning();
  return inserted!;
}

export interface LiveSession {
  session: SessionRow;
  user: UserRow;
  organizationName: string;
  organizationKinds: string[];
}

/**
 * The session a cookie names, with its user and organisation, if it is live: not revoked, not past its absolute
 * expiry or its idle timeout. The user's status is checked by the caller (a deactivated user's session is
 * refused and ended, and the refusal recorded).
 */
export async function findLiveSession(db: Database, tokenHash: string): Promise<LiveSession | undefined> {
  const rows = await db
    .select({ session: sessions, user: users, organizationName: organizations.name, organizationKinds: organizations.kinds })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        eq(sessions.tokenHash, tokenHash),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        sql`${sessions.lastSeenAt} + make_interval(secs => ${sessions.idleSeconds}) > now()`,
      ),
    );
  return rows[0];
}

export async function findSessionById(db: Database, id: string): Promise<SessionRow | undefined> {
  return (await db.select().from(sessions).where(eq(sessions.id, id)))[0];
}

/** The session seen now, written at most once a minute (idle timeouts are counted in minutes). */
export async function touchSession(db: Database, id: string): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: sql`now()` })
    .where(and(eq(sessions.id, id), lt(sessions.lastSeenAt, sql`now() - interval '1 minute'`)));
}

export async function updateSession(db: Database, id: string, set: Partial<typeof sessions.$inferInsert>): Promise<void> {
  await db.update(sessions).set(set).where(eq(sessions.id, id));
}

/** Ends sessions: one (`sessionId`), all of a user's, or all but one (`exceptSessionId`). Returns how many. */
export async function revokeSessions(db: Database, userId: string, reason: string, options: { sessionId?: string; exceptSessionId?: string } = {}): Promise<number> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        options.sessionId ? eq(sessions.id, options.sessionId) : undefined,
        options.exceptSessionId ? sql`${sessions.id} <> ${options.exceptSessionId}` : undefined,
      ),
    )
    .returning({ id: sessions.id });
  return rows.length;
}

/** A user's sessions that are still live, newest first. */
export async function listLiveSessions(db: Database, userId: string): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        sql`${sessions.lastSeenAt} + make_interval(secs => ${sessions.idleSeconds}) > now()`,
      ),
    )
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
}

// ---- security events --------------------------------------------------------------------------------------------

export type SecurityEventRow = typeof securityEvents.$inferSelect;

export async function insertSecurityEvent(db: Database, row: typeof securityEvents.$inferInsert): Promise<void> {
  await db.insert(securityEvents).values(row);
}

/** Failed sign-ins within the window for the login and for the address, and the oldest of each (for Retry-After). */
export async function recentFailures(db: Database, login: string, address: string, windowMinutes: number) {
  const [row] = await queryRows<{ by_login: number; by_address: number; login_oldest: string | Date | null; address_oldest: string | Date | null }>(
    db,
    sql`select
        count(*) filter (where login = ${login})::int as by_login,
        count(*) filter (where address = ${address})::int as by_address,
        min(at) filter (where login = ${login}) as login_oldest,
        min(at) filter (where address = ${address}) as address_oldest
      from ${securityEvents}
      where kind in ('login-failed', 'setup-failed', 'totp-failed')
        and (login = ${login} or address = ${address})
        and at > now() - make_interval(mins => ${windowMinutes}::int)`,
  );
  const date = (v: string | Date | null | undefined) => (v ? new Date(v) : null);
  return { byLogin: Number(row?.by_login ?? 0), byAddress: Number(row?.by_address ?? 0), loginOldest: date(row?.login_oldest), addressOldest: date(row?.address_oldest) };
}

/** An organisation's security events, newest first, keyset-paged on the id. */
export async function listSecurityEvents(db: Database, organizationId: string, limit: number, beforeId?: number): Promise<SecurityEventRow[]> {
  return db
    .select()
    .from(securityEvents)
    .where(and(eq(securityEvents.organizationId, organizationId), beforeId === undefined ? undefined : lt(securityEvents.id, beforeId)))
    .orderBy(desc(securityEvents.id))
    .limit(limit);
}

