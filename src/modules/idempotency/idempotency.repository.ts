import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema.js';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

/** Claims the key for this request; returns false when a record already exists. */
export async function claimKey(db: Database, principal: string, key: string, requestHash: string): Promise<boolean> {
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ principal, key, requestHash, state: 'pending' })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return inserted.length === 1;
}

export async function findKey(db: Database, principal: string, key: string): Promise<IdempotencyRecord | undefined> {
  const rows = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
  return rows[0];
}

/** Replaces a record older than `olderThan` (expired, or pending from a crashed request) with a fresh claim. */
export async function reclaimStaleKey(
  db: Database,
  principal: string,
  key: string,
  requestHash: string,
  olderThan: Date,
): Promise<boolean> {
  const updated = await db
    .update(idempotencyKeys)
    .set({ requestHash, state: 'pending', createdAt: sql`now()`, completedAt: null, responseStatus: null, responseBody: null, responseContentType: null, responseLocation: null })
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, olderThan)))
    .returning({ key: idempotencyKeys.key });
  return updated.length === 1;
}

export async function completeKey(
  db: Database,
  principal: string,
  key: string,
  response: { status: number; body: string; contentType: string; location: string | null },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      state: 'done',
      responseStatus: response.status,
      responseBody: response.body,
      responseContentType: response.contentType,
      responseLocation: response.location,
      completedAt: sql`now()`,
    })
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
}

export async function releaseKey(db: Database, principal: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
}

export async function deleteExpiredKeys(db: Database, olderThan: Date): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, olderThan))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
