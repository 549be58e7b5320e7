import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { species } from '../../db/schema.js';

export type SpeciesRow = typeof species.$inferSelect;

export async function listSpecies(db: Database, kind: string | undefined): Promise<SpeciesRow[]> {
  const query = db.select().from(species);
  return (kind ? query.where(eq(species.kind, kind)) : query).orderBy(asc(species.code));
}

export async function findSpecies(db: Database, code: string): Promise<SpeciesRow | undefined> {
  const rows = await db.select().from(species).where(eq(species.code, code));
  return rows[0];
}
