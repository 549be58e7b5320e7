import type { Database } from '../../db/client.js';
import { NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { convert, isMass, massMilligrams, milliToDecimal, parseQuantity, quantityView, toMilli, type Quantity } from '../../lib/quantity.js';
import { formatOffsetTime, parseEventTime } from '../../lib/time.js';
import type { Actor } from '../../access/actor.js';
import { mayReadLot, requireWriter } from '../../access/policy.js';
import * as lotsRepo from '../lots/index.js';
import { assertHolder, assertNotBeforeProduction, assertNotInTransit, assertStageTransition, assertUsable, validateAttributes } from '../lots/index.js';
import type { Stage } from '../lots/index.js';
import { lotNumberConflict, lotNumberOfRace, newLotView, normalizeGtin, requireOwnSite } from '../lots/index.js';
import { findRegions } from '../regions/index.js';
import type { SiteRow } from '../sites/index.js';
import type { CreateTransformationInput, TransformationView } from './transformations.schemas.js';

export const MAX_EDGES_PER_TRANSFORMATION = 10_000;

/**
 * A lot that the caller may not use: 404 when the caller has no business with it at all (ids reveal nothing),
 * otherwise the custody rule.
 */
export async function lockUsableLots(db: Database, actor: Actor, requested: { lotId: string; path: string }[]): Promise<Map<string, lotsRepo.LotRow>> {
  const organizationId = requireWriter(actor).organizationId;
  const locked = await lotsRepo.lockLots(db, requested.map((r) => r.lotId));
  for (const { lotId, path } of requested) {
    const lot = locked.get(lotId);
    // Whoever may not read the lot is told it does not exist; whoever may is told the chain rule it breaks.
    if (!lot || (lot.holderId !== organizationId && !(await mayReadLot(db, actor, lot)))) throw new NotFoundError(`No lot ${lotId} (${path}).`);
    // In transit first: a travelling lot is usable by nobody, the sender (still its holder) and the receiver alike.
    assertNotInTransit(lot, path);
    assertHolder(lot, organizationId, path);
    assertUsable(lot, path);
  }
  return locked;
}

export function assertEnough(lot: lotsRepo.LotRow, drawMilli: bigint, path: string): bigint {
  const remaining = toMilli(lot.remaining);
  if (drawMilli > remaining) {
    throw new RuleViolationError(
      'insufficient-quantity',
      `Lot ${lot.id} has ${milliToDecimal(remaining)} ${lot.unit} remaining; ${milliToDecimal(drawMilli)} ${lot.unit} cannot be drawn from it.`,
      [{ path, message: `more than the ${milliToDecimal(remaining)} ${lot.unit} remaining` }],
    );
  }
  return remaining - drawMilli;
}

/**
 * POST /v1/transformations: planting, harvest, processing, 炮制, manufacture, split and merge in one shape.
 * Inputs are locked, checked (custody, transit, status, stage order, remaining quantity, mass balance) and
 * drawn down; outputs are created with edges from every input; all in one transaction.
 */
export async function createTransformation(db: Database, actor: Actor, input: CreateTransformationInput): Promise<TransformationView> {
  const writer = requireWriter(actor);
  const me = writer.organizationId;
  const occurredAt = parseEventTime(input.occurredAt, 'occurredAt');
  // Every input gets an edge to every output; a split or merge of hundreds is fine, a cartesian blow-up is not.
  if (input.inputs.length * input.outputs.length > MAX_EDGES_PER_TRANSFORMATION) {
    throw new RuleViolationError(
      'transformation-too-large',
      `${input.inputs.length} inputs × ${input.outputs.length} outputs is more than ${MAX_EDGES_PER_TRANSFORMATION} input–output pairs; record it as a merge followed by a split.`,
    );
  }

  const seenLots = new Set<string>();
  const inputs = input.inputs.map((i, n) => {
    const path = `inputs/${n}`;
    if (seenLots.has(i.lotId)) throw ValidationError.field(`${path}/lotId`, 'names a lot already listed as an input');
    seenLots.add(i.lotId);
    return { lotId: i.lotId, quantity: parseQuantity(i.quantity, `${path}/quantity`), path };
  });
  const seenNumbers = new Set<string>();
  const outputs = input.outputs.map((o, n) => {
    const path = `outputs/${n}`;
    if (seenNumbers.has(o.lotNumber)) throw ValidationError.field(`${path}/lotNumber`, 'is used by another output of this request');
    seenNumbers.add(o.lotNumber);
    validateAttributes(o.stage, o.attributes ?? {}, `${path}/attributes`);
    return { ...o, quantity: parseQuantity(o.quantity, `${path}/quantity`), gtin: normalizeGtin(o.stage, o.gtin, `${path}/gtin`), path };
  });

  try {
    const result = await db.transaction(async (tx) => {
      const locked = await lockUsableLots(tx, actor, inputs.map((i) => ({ lotId: i.lotId, path: `${i.path}/lotId` })));

      const draws = inputs.map((i) => {
        const lot = locked.get(i.lotId)!;
        assertNotBeforeProduction(lot, occurredAt.at, 'occurredAt');
        const consumed = convert(i.quantity, lot.unit as Quantity['unit'], `${i.path}/quantity`);
        return { lot, consumed, remainingAfter: assertEnough(lot, consumed, `${i.path}/quantity`), path: i.path };
      });

      for (const o of outputs) {
        for (const d of draws) assertStageTransition(d.lot.stage as Stage, o.stage, `${o.path}/stage`);
      }

      const inputSpecies = [...new Set(draws.map((d) => d.lot.speciesCode))];
      const outputSpecies = outputs.map((o) => {
        const code = o.speciesCode ?? (inputSpecies.length === 1 ? inputSpecies[0]! : undefined);
        if (!code) {
          throw ValidationError.field(`${o.path}/speciesCode`, `is required: the inputs are of several species (${inputSpecies.join(', ')})`);
        }
        if (!inputSpecies.includes(code)) {
          throw new RuleViolationError('species-mismatch', `An output of ${code} cannot be made from inputs of ${inputSpecies.join(', ')}.`, [
            { path: `${o.path}/speciesCode`, message: 'not among the species of the inputs' },
          ]);
        }
        return code;
      });

      // Invariant 2: when everything is mass, no output mass beyond what was consumed.
      if (draws.every((d) => isMass(d.lot.unit)) && outputs.every((o) => isMass(o.quantity.unit))) {
        const inMg = draws.reduce((sum, d) => sum + massMilligrams({ milli: d.consumed, unit: d.lot.unit as Quantity['unit'] }), 0n);
        const outMg = outputs.reduce((sum, o) => sum + massMilligrams(o.quantity), 0n);
        if (outMg > inMg) {
          throw new RuleViolationError(
            'mass-balance',
            `The outputs weigh ${milliToDecimal(outMg)} g in all but only ${milliToDecimal(inMg)} g of input is consumed.`,
            [{ path: 'outputs', message: 'total output mass exceeds consumed input mass' }],
          );
        }
      }

      const outputSites = await resolveOutputSites(tx, me, input.siteId, outputs, draws.map((d) => d.lot));

      // A lot number already in use is caught by the unique index (one query fewer on the hot path).
      const eventId = newId('evt');
      const newLots: lotsRepo.NewLotRow[] = outputs.map((o, n) => ({
        id: newId('lot'),
        lotNumber: o.lotNumber,
        stage: o.stage,
        speciesCode: outputSpecies[n]!,
        producerId: me,
        holderId: me,
        siteId: outputSites[n]!.id,
        quantity: milliToDecimal(o.quantity.milli),
        remaining: milliToDecimal(o.quantity.milli),
        unit: o.quantity.unit,
        status: 'active',
        producedAt: occurredAt.at,
        producedAtOffset: occurredAt.offsetMinutes,
        attributes: o.attributes ?? {},
        origin: { type: 'chain' },
        process: input.process ?? null,
        gtin: o.gtin,
        createdByEventId: eventId,
      }));
      const recordedAt = await lotsRepo.writeChainRecords(tx, actor, {
        lots: newLots,
        event: {
          id: eventId,
          type: 'transformation',
          occurredAt,
          lots: [...draws.map((d) => ({ lotId: d.lot.id, role: 'input' as const })), ...newLots.map((l) => ({ lotId: l.id, role: 'output' as const }))],
          data: {
            inputs: draws.map((d) => ({ lotId: d.lot.id, quantity: quantityView(d.consumed, d.lot.unit) })),
            outputs: newLots.map((l, n) => ({ lotId: l.id, stage: l.stage, quantity: quantityView(outputs[n]!.quantity.milli, l.unit) })),
            ...(input.process ? { process: input.process } : {}),
            ...(input.note ? { note: input.note } : {}),
          },
        },
        edges: draws.flatMap((d) =>
          newLots.map((l) => ({ parentLotId: d.lot.id, childLotId: l.id, parentQuantity: milliToDecimal(d.consumed), parentUnit: d.lot.unit })),
        ),
        remaining: draws.map((d) => ({ id: d.lot.id, remaining: milliToDecimal(d.remainingAfter) })),
      });
      return { eventId, recordedAt, newLots, outputSites, draws };
    });

    // Everything the answer shows is in hand: no read after the commit.
    const regions = await findRegions(db, result.outputSites.map((s) => s.regionCode));
    return {
      id: result.eventId,
      occurredAt: formatOffsetTime(occurredAt.at, occurredAt.offsetMinutes),
      recordedAt: result.recordedAt.toISOString(),
      inputs: result.draws.map((d) => ({
        lotId: d.lot.id,
        consumed: quantityView(d.consumed, d.lot.unit),
        remaining: quantityView(d.remainingAfter, d.lot.unit),
      })),
      outputs: result.newLots.map((l, n) =>
        newLotView(l, { id: me, name: writer.organizationName }, result.outputSites[n]!, regions.get(result.outputSites[n]!.regionCode)?.fullName),
      ),
      process: input.process ?? null,
    };
  } catch (error) {
    const clash = lotNumberOfRace(error);
    if (clash !== undefined) throw lotNumberConflict([clash || outputs.map((o) => o.lotNumber).join(', ')]);
    throw error;
  }
}

/**
 * Each output's site: its own siteId, else the request's siteId, else the site where the inputs now are
 * (where they were received, or produced) when that is one site of the caller's. Every site must be the caller's own.
 */
async function resolveOutputSites(
  db: Database,
  me: string,
  requestSiteId: string | undefined,
  outputs: { siteId?: string | undefined; path: string }[],
  inputLots: lotsRepo.LotRow[],
): Promise<SiteRow[]> {
  const checked = new Map<string, SiteRow>();
  const check = async (siteId: string, path: string) => {
    const site = checked.get(siteId) ?? (await requireOwnSite(db, me, siteId, path));
    checked.set(siteId, site);
    return site;
  };
  let fallback: SiteRow | undefined;
  if (requestSiteId) fallback = await check(requestSiteId, 'siteId');
  else {
    const common = [...new Set(inputLots.map((l) => l.locationSiteId ?? l.siteId))];
    if (common.length === 1 && common[0]) {
      try {
        fallback = await check(common[0], 'siteId');
      } catch {
        fallback = undefined; // the inputs lie at another organisation's site: the caller must name one
      }
    }
  }
  const result: SiteRow[] = [];
  for (const o of outputs) {
    if (o.siteId) result.push(await check(o.siteId, `${o.path}/siteId`));
    else if (fallback) result.push(fallback);
    else throw ValidationError.field(`${o.path}/siteId`, 'is required: name the site where the output lot is (or siteId for the whole transformation)');
  }
  return result;
}
