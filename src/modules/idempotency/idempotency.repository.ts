import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema.js';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

/**
 * Claims the key inside the caller's transaction; false when another request holds it. A record older than
 * `expiredBefore` is taken over. On PostgreSQL a concurrent claim of the same key waits here until the first
 * transaction ends: it then sees the committed record (false) or, if that one rolled back, claims the key.
 */
export async function claimKey(db: Database, scope: string, key: string, requestHash: string, expiredBefore: Date): Promise<boolean> {
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ principal: scope, key, requestHash, state: 'pending' })
    .onConflictDoUpdate({
      target: [idempotencyKeys.principal, idempotencyKeys.key],
      set: { ...EMPTY_RESPONSE, requestHash, state: 'pending', createdAt: sql`now()` },
      setWhere: lt(idempotencyKeys.createdAt, expiredBefore),
    })
    .returning({ key: idempotencyKeys.key });
  return claimed.length === 1;
}

const EMPTY_RESPONSE = {
  completedAt: null,
  responseStatus: null,
  responseBody: null,
  responseReplay: null,
  responseContentType: null,
  responseLocation: null,
};

export async function findKey(db: Database, scope: string, key: string): Promise<IdempotencyRecord | undefined> {
  const rows = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.principal, scope), eq(idempotencyKeys.key, key)));
  return rows[0];
}

/** Completes a claimed key with its answer, in the transaction of the write it protects. */
export async function completeKey(
  db: Database,
  scope: string,
  key: string,
  response: { status: number; body: string | null; replay: unknown; contentType: string; location: string | null },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      state: 'done',
      responseStatus: response.status,
      responseBody: response.body,
      responseReplay: response.replay ?? null,
      responseContentType: response.contentType,
      responseLocation: response.location,
      completedAt: sql`now()`,
    })
    .where(and(eq(idempotencyKeys.principal, scope), eq(idempotencyKeys.key, key)));
}

/** Keeps a refusal (409/422) for replay; a record another request stored meanwhile wins. */
export async function storeRefusal(
  db: Database,
  scope: string,
  key: string,
  requestHash: string,
  expiredBefore: Date,
  response: { status: number; body: string; contentType: string },
): Promise<void> {
  const values = {
    requestHash,
    state: 'done',
    responseStatus: response.status,
    responseBody: response.body,
    responseContentType: response.contentType,
    responseReplay: null,
    responseLocation: null,
  };
  await db
    .insert(idempotencyKeys)
    .values({ principal: scope, key, ...values, completedAt: sql`now()` })
    .onConflictDoUpdate({
      target: [idempotencyKeys.principal, idempotencyKeys.key],
      set: { ...values, createdAt: sql`now()`, completedAt: sql`now()` },
      setWhere: lt(idempotencyKeys.createdAt, expiredBefore),
    });
}

export async function deleteExpiredKeys(db: Database, olderThan: Date): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, olderThan))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
