import { and, asc, eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/client.js';
import { sites } from '../../db/schema.js';
import { afterPosition, type CursorPosition } from '../../lib/pagination.js';

export type SiteRow = typeof sites.$inferSelect;

export async function insertSite(db: Database, row: typeof sites.$inferInsert): Promise<SiteRow> {
  const [inserted] = await db.insert(sites).values(row).returning();
  return inserted!;
}

// Sites are never changed once registered (there is no update route), so a row read once stays true: the
// cache spares the transformation hot path a query. Bounded; the least recently used go first.
const SITE_CACHE_SIZE = 10_000;
const siteCache = new LRUCache<string, SiteRow>({ max: SITE_CACHE_SIZE });

export async function findSiteById(db: Database, id: string): Promise<SiteRow | undefined> {
  const cached = siteCache.get(id);
  if (cached) return cached;
  const rows = await db.select().from(sites).where(eq(sites.id, id));
  const row = rows[0];
  if (row) siteCache.set(id, row);
  return row;
}

export async function findSiteByGln(db: Database, gln: string): Promise<SiteRow | undefined> {
  const rows = await db.select().from(sites).where(eq(sites.gln, gln));
  return rows[0];
}

export async function listSites(
  db: Database,
  filter: { organizationId?: string | undefined; kind?: string | undefined; after?: CursorPosition | undefined; limit: number },
): Promise<SiteRow[]> {
  const conditions = [];
  if (filter.organizationId) conditions.push(eq(sites.organizationId, filter.organizationId));
  if (filter.kind) conditions.push(eq(sites.kind, filter.kind));
  conditions.push(afterPosition(sites.createdAt, sites.id, filter.after));
  return db
    .select()
    .from(sites)
    .where(and(...conditions))
    .orderBy(asc(sites.createdAt), asc(sites.id))
    .limit(filter.limit);
}
