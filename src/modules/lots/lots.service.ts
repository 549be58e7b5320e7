import { inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { lots as lotsTable } from '../../db/schema.js';
import { pgConstraintName, pgErrorCode, pgErrorDetail, UNIQUE_VIOLATION } from '../../lib/db-errors.js';
import { ConflictError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { toGtin14, validateCreditCode, validateGtin } from '../../lib/identifiers.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { milliToDecimal, parseQuantity, quantityView, toMilli } from '../../lib/quantity.js';
import { formatOffsetTime, parseEventTime } from '../../lib/time.js';
import { readsEverything, type Actor } from '../../access/actor.js';
import { authorizeLot, requireWriter, type LotAction } from '../../access/policy.js';
import { recordEvent } from '../../events/index.js';
import { findRegions } from '../regions/index.js';
import { findSiteById, type SiteRow } from '../sites/index.js';
import { findSpecies } from '../species/index.js';
import * as repo from './lots.repository.js';
import { assertHolder, assertNotBeforeProduction, validateAttributes } from './lots.rules.js';
import type {
  CommissionLotInput,
  LotEventView,
  LotListInput,
  LotStatus,
  LotView,
  ObservationInput,
  Stage,
  StatusChangeInput,
} from './lots.schemas.js';


/** Lot rows with names → the API's lot shape. */
export async function toLotViews(db: Database, rows: repo.LotDetailRow[]): Promise<LotView[]> {
  const regions = await findRegions(
    db,
    rows.flatMap((r) => (r.siteRegionCode ? [r.siteRegionCode] : [])),
  );
  return rows.map((r) => ({
    id: r.lot.id,
    lotNumber: r.lot.lotNumber,
    stage: r.lot.stage,
    speciesCode: r.lot.speciesCode,
    producer: { id: r.lot.producerId, name: r.producerName },
    holder: { id: r.lot.holderId, name: r.holderName },
    site:
      r.lot.siteId && r.siteName && r.siteKind && r.siteRegionCode
        ? {
            id: r.lot.siteId,
            name: r.siteName,
            kind: r.siteKind,
            regionCode: r.siteRegionCode,
            regionName: regions.get(r.siteRegionCode)?.fullName ?? r.siteRegionCode,
            location: r.siteLat !== null && r.siteLon !== null ? { lat: r.siteLat, lon: r.siteLon } : null,
          }
        : null,
    currentSite: r.lot.locationSiteId && r.locationName ? { id: r.lot.locationSiteId, name: r.locationName } : null,
    quantity: quantityView(toMilli(r.lot.quantity), r.lot.unit),
    remaining: quantityView(toMilli(r.lot.remaining), r.lot.unit),
    status: r.lot.status as LotStatus,
    inTransit:
      r.lot.shipmentId && r.shipmentToOrganizationId ? { shipmentId: r.lot.shipmentId, toOrganizationId: r.shipmentToOrganizationId } : null,
    producedAt: formatOffsetTime(r.lot.producedAt, r.lot.producedAtOffset),
    attributes: r.lot.attributes as Record<string, unknown>,
    origin: r.lot.origin as Record<string, unknown>,
    gtin: r.lot.gtin,
    createdAt: r.lot.createdAt.toISOString(),
  }));
}

export async function lotViewsById(db: Database, ids: string[]): Promise<LotView[]> {
  if (ids.length === 0) return [];
  const views = await toLotViews(db, await repo.lotDetails(db, inArray(lotsTable.id, ids)));
  const byId = new Map(views.map((v) => [v.id, v]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

/**
 * The lot with its names, when the actor may do `action` to it (access/policy.ts: 404 for a lot the actor has
 * no business with, 403 for one it sees but may not do this to).
 */
export async function readableLotRow(db: Database, actor: Actor, id: string, action: LotAction = 'read'): Promise<repo.LotDetailRow> {
  await authorizeLot(db, actor, id, action);
  const [row] = await repo.lotDetails(db, inArray(lotsTable.id, [id]));
  return row!;
}

export async function getLot(db: Database, actor: Actor, id: string): Promise<LotView> {
  const [view] = await toLotViews(db, [await readableLotRow(db, actor, id)]);
  return view!;
}

export async function listLots(db: Database, actor: Actor, query: LotListInput) {
  const limit = query.limit ?? 50;
  const where = repo.lotListConditions({
    visibleTo: readsEverything(actor) || actor.kind !== 'organization' ? undefined : actor.organizationId,
    stage: query.stage,
    speciesCode: query.speciesCode,
    lotNumber: query.lotNumber,
    producerId: query.producer,
    holderId: query.holder,
    status: query.status,
    after: decodeCursor(query.cursor),
  });
  const rows = await repo.lotDetails(db, where, limit + 1);
  const page = toPage(
    rows.map((r) => ({ ...r, id: r.lot.id, createdAt: r.lot.createdAt })),
    limit,
    (r) => r,
  );
  return { items: await toLotViews(db, page.items), nextCursor: page.nextCursor };
}

/**
 * Checks a site for a lot of `organizationId`: it must exist and belong to that organisation. An unknown site
 * and another organisation's site get the same answer (422 site-ownership, the same detail), so site ids
 * reveal nothing.
 */
export async function requireOwnSite(db: Database, organizationId: string, siteId: string, path: string) {
  const site = await findSiteById(db, siteId);
  if (!site || site.organizationId !== organizationId) {
    throw new RuleViolationError('site-ownership', `Site ${siteId} is not one of your sites; record lots at your own sites.`, [
      { path, message: 'not your site' },
    ]);
  }
  return site;
}

export async function requireSpecies(db: Database, code: string, path: string) {
  const species = await findSpecies(db, code);
  if (!species) throw ValidationError.field(path, `${code} is not in the species catalogue (GET /v1/species)`);
  return species;
}

/** GTIN rules shared by commissioning and transformation outputs: product lots only, check digit valid. */
export function normalizeGtin(stage: Stage, gtin: string | undefined, path: string): string | null {
  if (gtin === undefined) return null;
  if (stage !== 'product') {
    throw new RuleViolationError('gtin-product-only', 'Only product lots carry a GTIN.', [{ path, message: 'only for stage product' }]);
  }
  const problem = validateGtin(gtin);
  if (problem) throw ValidationError.field(path, problem);
  return toGtin14(gtin);
}

/** Lot numbers are unique per producer: a clash is a 409 naming the number. */
export function lotNumberConflict(lotNumbers: string[]): ConflictError {
  return new ConflictError(`Lot number ${lotNumbers.join(', ')} is already used by your organisation.`);
}

/**
 * For a unique violation of (producer, lot number): the clashing lot number ('' when the driver does not
 * say); otherwise undefined.
 */
export function lotNumberOfRace(error: unknown): string | undefined {
  if (pgErrorCode(error) !== UNIQUE_VIOLATION || pgConstraintName(error) !== 'lots_producer_lot_number_key') return undefined;
  // PostgreSQL's detail: Key (producer_id, lot_number)=(org_…, JL-2024-01) already exists.
  const detail = pgErrorDetail(error) ?? '';
  return /\)=\([^,]+, (.*)\) already exists/.exec(detail)?.[1] ?? '';
}

/** The view of a lot just created by the caller, built from what is in hand (no read back). */
export function newLotView(lot: repo.NewLotRow, owner: { id: string; name: string }, site: SiteRow, regionName: string | undefined): LotView {
  return {
    id: lot.id,
    lotNumber: lot.lotNumber,
    stage: lot.stage,
    speciesCode: lot.speciesCode,
    producer: owner,
    holder: owner,
    site: {
      id: site.id,
      name: site.name,
      kind: site.kind,
      regionCode: site.regionCode,
      regionName: regionName ?? site.regionCode,
      location: site.lat !== null && site.lon !== null ? { lat: site.lat, lon: site.lon } : null,
    },
    currentSite: null,
    quantity: quantityView(toMilli(lot.quantity), lot.unit),
    remaining: quantityView(toMilli(lot.remaining), lot.unit),
    status: (lot.status ?? 'active') as LotStatus,
    inTransit: null,
    producedAt: formatOffsetTime(lot.producedAt, lot.producedAtOffset),
    attributes: lot.attributes as Record<string, unknown>,
    origin: lot.origin as Record<string, unknown>,
    gtin: lot.gtin ?? null,
    createdAt: new Date().toISOString(),
  };
}

/** POST /v1/lots: a root lot. Only seed lots start the chain; any other stage must declare an external origin. */
export async function commissionLot(db: Database, actor: Actor, input: CommissionLotInput): Promise<LotView> {
  const me = requireWriter(actor).organizationId;
  const quantity = parseQuantity(input.quantity, 'quantity');
  const origin = input.origin ?? { type: 'chain' as const };
  if (origin.type === 'chain' && input.stage !== 'seed') {
    throw new RuleViolationError(
      'no-material-from-nowhere',
      `Only seed lots are commissioned without inputs; a ${input.stage} lot comes from a transformation, or declares origin {"type": "external", …} when bought from outside the system.`,
      [{ path: 'origin', message: 'required as external for a root lot that is not seed' }],
    );
  }
  validateAttributes(input.stage, input.attributes ?? {}, 'attributes');
  if (origin.type === 'external' && origin.supplierCreditCode !== undefined) {
    const problem = validateCreditCode(origin.supplierCreditCode);
    if (problem) throw ValidationError.field('origin/supplierCreditCode', problem);
  }
  const gtin = normalizeGtin(input.stage, input.gtin, 'gtin');
  await requireSpecies(db, input.speciesCode, 'speciesCode');
  await requireOwnSite(db, me, input.siteId, 'siteId');
  const producedAt = parseEventTime(input.producedAt, 'producedAt');

  try {
    const id = await db.transaction(async (tx) => {
      if ((await repo.existingLotNumbers(tx, me, [input.lotNumber])).length > 0) throw lotNumberConflict([input.lotNumber]);
      const lotId = newId('lot');
      // The lot names its creating event and the event's lot link needs the lot row: lot first, same id.
      const eventId = newId('evt');
      await repo.insertLots(tx, [
        {
          id: lotId,
          lotNumber: input.lotNumber,
          stage: input.stage,
          speciesCode: input.speciesCode,
          producerId: me,
          holderId: me,
          siteId: input.siteId,
          quantity: milliToDecimal(quantity.milli),
          remaining: milliToDecimal(quantity.milli),
          unit: quantity.unit,
          status: 'active',
          producedAt: producedAt.at,
          producedAtOffset: producedAt.offsetMinutes,
          attributes: input.attributes ?? {},
          origin,
          gtin,
          createdByEventId: eventId,
        },
      ]);
      await recordEvent(tx, actor, {
        id: eventId,
        type: 'commissioned',
        occurredAt: producedAt,
        data: { stage: input.stage, lotNumber: input.lotNumber, quantity: quantityView(quantity.milli, quantity.unit), origin },
        lots: [{ lotId, role: 'output' }],
      });
      return lotId;
    });
    return (await lotViewsById(db, [id]))[0]!;
  } catch (error) {
    if (lotNumberOfRace(error) !== undefined) throw lotNumberConflict([input.lotNumber]);
    throw error;
  }
}

/** POST /v1/lots/{id}/events: an observation recorded by the holder. */
export async function recordObservation(db: Database, actor: Actor, lotId: string, input: ObservationInput): Promise<LotEventView> {
  const me = requireWriter(actor);
  const lot = await authorizeLot(db, actor, lotId, 'record');
  assertHolder(lot, me.organizationId, 'lotId');
  const occurredAt = parseEventTime(input.occurredAt, 'occurredAt');
  assertNotBeforeProduction(lot, occurredAt.at, 'occurredAt');
  const event = await recordEvent(db, actor, {
    type: input.type,
    occurredAt,
    data: input.data as Record<string, unknown>,
    lots: [{ lotId, role: 'subject' }],
  });
  return {
    id: event.id,
    type: input.type,
    role: 'subject',
    organization: { id: me.organizationId, name: me.organizationName },
    occurredAt: formatOffsetTime(occurredAt.at, occurredAt.offsetMinutes),
    recordedAt: event.recordedAt.toISOString(),
    data: input.data as Record<string, unknown>,
  };
}

/** Allowed status changes: from → to. Destroyed is final; a recall is lifted only by destroying the lot. */
const STATUS_TRANSITIONS: Record<LotStatus, readonly LotStatus[]> = {
  active: ['hold', 'recalled', 'destroyed'],
  hold: ['active', 'recalled', 'destroyed'],
  recalled: ['destroyed'],
  destroyed: [],
};

/**
 * POST /v1/lots/{id}/status: hold, release, recall or destroy, by the holder or a regulator. A recall
 * marks every descendant lot recalled too, in the same transaction, with an event naming the cause.
 */
export async function changeStatus(db: Database, actor: Actor, lotId: string, input: StatusChangeInput) {
  await authorizeLot(db, actor, lotId, 'change-status');
  const occurredAt = parseEventTime(input.occurredAt ?? new Date().toISOString(), 'occurredAt');

  const result = await db.transaction(async (tx) => {
    const locked = (await repo.lockLots(tx, [lotId])).get(lotId)!;
    const from = locked.status as LotStatus;
    if (!STATUS_TRANSITIONS[from].includes(input.status)) {
      throw new RuleViolationError('status-transition', `A ${from} lot cannot be set to ${input.status}.`, [
        { path: 'status', message: `not allowed from ${from}` },
      ]);
    }
    await repo.setStatus(tx, [lotId], input.status);
    const cascaded: string[] = [];
    if (input.status === 'recalled') {
      // Lock every descendant, then look again: a transformation or split that held one of them while we
      // waited has committed new lots made from it, which must be recalled too. Once all are locked, no new
      // descendant can appear, so this ends.
      const descendants = new Map<string, repo.LotRow>();
      for (;;) {
        const found = (await repo.descendantIds(tx, lotId)).filter((id) => id !== lotId && !descendants.has(id));
        if (found.length === 0) break;
        for (const [id, row] of await repo.lockLots(tx, found)) descendants.set(id, row);
      }
      cascaded.push(...[...descendants.values()].filter((d) => d.status !== 'recalled' && d.status !== 'destroyed').map((d) => d.id));
      await repo.setStatus(tx, cascaded, 'recalled');
    }
    const event = await recordEvent(tx, actor, {
      type: 'status_changed',
      occurredAt,
      data: { from, to: input.status, reason: input.reason, ...(cascaded.length > 0 ? { cascadedTo: cascaded } : {}) },
      lots: [{ lotId, role: 'subject' }, ...cascaded.map((id) => ({ lotId: id, role: 'cascade' as const }))],
    });
    return { eventId: event.id, cascaded };
  });
  return { eventId: result.eventId, lot: (await lotViewsById(db, [lotId]))[0]!, cascaded: result.cascaded };
}
