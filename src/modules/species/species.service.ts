import type { Database } from '../../db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import * as repo from './species.repository.js';
import type { SpeciesView } from './species.schemas.js';

export async function listSpecies(db: Database, kind: string | undefined) {
  // The catalogue is a few dozen rows: one page, but in the list shape every list uses.
  return { items: (await repo.listSpecies(db, kind)).map(toView), nextCursor: null };
}

export async function getSpecies(db: Database, code: string): Promise<SpeciesView> {
  const row = await repo.findSpecies(db, code);
  if (!row) throw new NotFoundError(`No species ${code} in the catalogue; GET /v1/species lists them.`);
  return toView(row);
}

function toView(row: repo.SpeciesRow): SpeciesView {
  return {
    code: row.code,
    nameZh: row.nameZh,
    pinyin: row.pinyin,
    nameEn: row.nameEn,
    latinName: row.latinName,
    sourceSpecies: row.sourceSpecies as SpeciesView['sourceSpecies'],
    kind: row.kind as SpeciesView['kind'],
    medicinalPart: { zh: row.medicinalPartZh, en: row.medicinalPartEn },
    catalogueVersion: row.catalogueVersion,
  };
}
