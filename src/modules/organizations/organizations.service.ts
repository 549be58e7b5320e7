import type { Database } from '../../db/client.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { validateCreditCode, validateGln } from '../../lib/identifiers.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { findRegions, requireRegion } from '../regions/index.js';
import * as repo from './organizations.repository.js';
import type { CreateOrganizationInput, OrganizationKind, OrganizationView } from './organizations.schemas.js';

export async function createOrganization(db: Database, input: CreateOrganizationInput): Promise<OrganizationView> {
  const errors: FieldError[] = [];
  const creditCodeProblem = validateCreditCode(input.creditCode);
  if (creditCodeProblem) errors.push({ path: 'creditCode', message: creditCodeProblem });
  const glnProblem = input.gln !== undefined ? validateGln(input.gln) : undefined;
  if (glnProblem) errors.push({ path: 'gln', message: glnProblem });
  if (errors.length > 0) throw new ValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const region = await requireRegion(db, input.regionCode, 'regionCode');

  return db.transaction(async (tx) => {
    if (await repo.findOrganizationByCreditCode(tx, input.creditCode)) {
      throw new ConflictError(`An organisation with credit code ${input.creditCode} is already registered.`);
    }
    if (input.gln !== undefined && (await repo.findOrganizationByGln(tx, input.gln))) {
      throw new ConflictError(`An organisation with GLN ${input.gln} is already registered.`);
    }
    const row = await repo.insertOrganization(tx, {
      id: newId('org'),
      name: input.name,
      kinds: [...input.kinds].sort(),
      creditCode: input.creditCode,
      regionCode: input.regionCode,
      address: input.address ?? null,
      gln: input.gln ?? null,
    });
    return toView(row, region.fullName);
  });
}

export async function getOrganization(db: Database, id: string): Promise<OrganizationView> {
  const row = await repo.findOrganizationById(db, id);
  if (!row) throw new NotFoundError(`No organisation ${id}.`);
  const regions = await findRegions(db, [row.regionCode]);
  return toView(row, regions.get(row.regionCode)?.fullName ?? row.regionCode);
}

export async function listOrganizations(
  db: Database,
  query: { kind?: OrganizationKind | undefined; limit?: number | undefined; cursor?: string | undefined },
) {
  const limit = query.limit ?? 50;
  const rows = await repo.listOrganizations(db, { kind: query.kind, after: decodeCursor(query.cursor), limit: limit + 1 });
  const regions = await findRegions(db, rows.map((r) => r.regionCode));
  return toPage(rows, limit, (row) => toView(row, regions.get(row.regionCode)?.fullName ?? row.regionCode));
}

function toView(row: repo.OrganizationRow, regionName: string): OrganizationView {
  return {
    id: row.id,
    name: row.name,
    kinds: row.kinds,
    creditCode: row.creditCode,
    regionCode: row.regionCode,
    regionName,
    address: row.address,
    gln: row.gln,
    createdAt: row.createdAt.toISOString(),
  };
}
