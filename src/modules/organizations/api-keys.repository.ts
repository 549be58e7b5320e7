import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, organizations } from '../../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(db: Database, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [inserted] = await db.insert(apiKeys).values(row).returning();
  return inserted!;
}

export async function listApiKeys(db: Database, organizationId: string): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.organizationId, organizationId)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

export async function findApiKey(db: Database, organizationId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId)));
  return rows[0];
}

/** Sets revokedAt once; a second revocation keeps the first time. */
export async function revokeApiKey(db: Database, organizationId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId), isNull(apiKeys.revokedAt)));
  return findApiKey(db, organizationId, keyId);
}

/** The live key with this id and its organisation's kinds, for authentication. */
export async function findActiveKeyWithOrganization(db: Database, keyId: string) {
  const rows = await db
    .select({
      id: apiKeys.id,
      secretHash: apiKeys.secretHash,
      organizationId: apiKeys.organizationId,
      organizationName: organizations.name,
      kinds: organizations.kinds,
      role: apiKeys.role,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.organizationId))
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
  return rows[0];
}
