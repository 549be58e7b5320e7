import type { Database } from '../../db/client.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { validateGln, validateLatitude, validateLongitude } from '../../lib/identifiers.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { readsEverything, type Actor } from '../../access/actor.js';
import { mayListFor, mayReadSite, requireWriter } from '../../access/policy.js';
import { findRegions, requireRegion } from '../regions/index.js';
import * as repo from './sites.repository.js';
import type { CreateSiteInput, SiteListInput, SiteView } from './sites.schemas.js';

const AREA_PATTERN = /^\d+(\.\d{1,3})?$/;

export async function createSite(db: Database, actor: Actor, input: CreateSiteInput): Promise<SiteView> {
  const organizationId = requireWriter(actor).organizationId;
  const errors: FieldError[] = [];
  if (input.location) {
    const latProblem = validateLatitude(input.location.lat);
    if (latProblem) errors.push({ path: 'location/lat', message: latProblem });
    const lonProblem = validateLongitude(input.location.lon);
    if (lonProblem) errors.push({ path: 'location/lon', message: lonProblem });
  }
  // numeric(14,3) would round a fourth decimal away; refuse rather than alter what was sent.
  if (input.areaMu !== undefined && !AREA_PATTERN.test(String(input.areaMu))) {
    errors.push({ path: 'areaMu', message: 'must be a positive number with at most 3 decimals' });
  }
  const glnProblem = input.gln !== undefined ? validateGln(input.gln) : undefined;
  if (glnProblem) errors.push({ path: 'gln', message: glnProblem });
  if (errors.length > 0) throw new ValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const region = await requireRegion(db, input.regionCode, 'regionCode');

  return db.transaction(async (tx) => {
    if (input.gln !== undefined && (await repo.findSiteByGln(tx, input.gln))) {
      throw new ConflictError(`A site with GLN ${input.gln} is already registered.`);
    }
    const row = await repo.insertSite(tx, {
      id: newId('site'),
      organizationId,
      kind: input.kind,
      name: input.name,
      regionCode: input.regionCode,
      lat: input.location?.lat ?? null,
      lon: input.location?.lon ?? null,
      areaMu: input.areaMu !== undefined ? String(input.areaMu) : null,
      gln: input.gln ?? null,
    });
    return toView(row, region.fullName);
  });
}

/** Admin and regulators read every site; an organisation reads its own (access/policy.ts). Others get 404, not 403. */
export async function getSite(db: Database, actor: Actor, id: string): Promise<SiteView> {
  const row = await repo.findSiteById(db, id);
  if (!row || !mayReadSite(actor, row)) throw new NotFoundError(`No site ${id}.`);
  const regions = await findRegions(db, [row.regionCode]);
  return toView(row, regions.get(row.regionCode)?.fullName ?? row.regionCode);
}

export async function listSites(db: Database, actor: Actor, query: SiteListInput) {
  if (!mayListFor(actor, query.organizationId)) throw new ForbiddenError("Only regulators and the admin list other organisations' sites.");
  // Without a filter an organisation lists its own; regulators and the admin list all.
  const organizationId = query.organizationId ?? (readsEverything(actor) || actor.kind !== 'organization' ? undefined : actor.organizationId);
  const limit = query.limit ?? 50;
  const rows = await repo.listSites(db, { organizationId, kind: query.kind, after: decodeCursor(query.cursor), limit: limit + 1 });
  const regions = await findRegions(db, rows.map((r) => r.regionCode));
  return toPage(rows, limit, (row) => toView(row, regions.get(row.regionCode)?.fullName ?? row.regionCode));
}

function toView(row: repo.SiteRow, regionName: string): SiteView {
  return {
    id: row.id,
    organizationId: row.organizationId,
    kind: row.kind,
    name: row.name,
    regionCode: row.regionCode,
    regionName,
    location: row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null,
    areaMu: row.areaMu !== null ? Number(row.areaMu) : null,
    gln: row.gln,
    createdAt: row.createdAt.toISOString(),
  };
}
