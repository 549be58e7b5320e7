import { and, arrayContains, asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { organizations } from '../../db/schema.js';
import { afterPosition, type CursorPosition } from '../../lib/pagination.js';

export type OrganizationRow = typeof organizations.$inferSelect;

export async function insertOrganization(db: Database, row: typeof organizations.$inferInsert): Promise<OrganizationRow> {
  const [inserted] = await db.insert(organizations).values(row).returning();
  return inserted!;
}

export async function findOrganizationById(db: Database, id: string): Promise<OrganizationRow | undefined> {
  const rows = await db.select().from(organizations).where(eq(organizations.id, id));
  return rows[0];
}

export async function findOrganizationByCreditCode(db: Database, creditCode: string): Promise<OrganizationRow | undefined> {
  const rows = await db.select().from(organizations).where(eq(organizations.creditCode, creditCode));
  return rows[0];
}

export async function findOrganizationByGln(db: Database, gln: string): Promise<OrganizationRow | undefined> {
  const rows = await db.select().from(organizations).where(eq(organizations.gln, gln));
  return rows[0];
}

export async function listOrganizations(
  db: Database,
  filter: { kind?: string | undefined; after?: CursorPosition | undefined; limit: number },
): Promise<OrganizationRow[]> {
  const conditions = [];
  if (filter.kind) conditions.push(arrayContains(organizations.kinds, [filter.kind]));
  conditions.push(afterPosition(organizations.createdAt, organizations.id, filter.after));
  return db
    .select()
    .from(organizations)
    .where(and(...conditions))
    .orderBy(asc(organizations.createdAt), asc(organizations.id))
    .limit(filter.limit);
}
