import { RuleViolationError, ValidationError, type FieldError } from '../../lib/errors.js';
import { freeFormProblem, FREE_FORM_LIMITS } from '../../lib/strict-json.js';
import { isCalendarDate } from '../../lib/time.js';
import type { LotRow } from './lots.repository.js';
import type { Stage } from './lots.schemas.js';

/**
 * Design invariant 1: stages only move forward. Same-stage transformations are splits, merges and repacks
 * (a cooperative merging 24 households' harvests, a trader splitting a processed lot), so every stage may
 * also become itself.
 */
export const NEXT_STAGES: Record<Stage, readonly Stage[]> = {
  seed: ['seed', 'cultivation'],
  cultivation: ['cultivation', 'seed', 'harvest'],
  harvest: ['harvest', 'processed', 'decoction_piece'],
  processed: ['processed', 'decoction_piece', 'product'],
  decoction_piece: ['decoction_piece', 'product'],
  product: ['product'],
};

export function assertStageTransition(from: Stage, to: Stage, path: string): void {
  if (!NEXT_STAGES[from].includes(to)) {
    throw new RuleViolationError(
      'stage-order',
      `A ${from} lot cannot become a ${to} lot: stages only move forward (${from} → ${NEXT_STAGES[from].join(', ')}).`,
      [{ path, message: `${to} cannot be made from ${from}` }],
    );
  }
}

/** Invariant 3: only the holder uses a lot, and nobody while it travels. */
export function assertHolder(lot: LotRow, organizationId: string, path: string): void {
  if (lot.holderId !== organizationId) {
    throw new RuleViolationError('custody', `Lot ${lot.id} is held by another organisation; only its holder may use it.`, [
      { path, message: 'not held by you' },
    ]);
  }
}

export function assertNotInTransit(lot: LotRow, path: string): void {
  if (lot.shipmentId) {
    throw new RuleViolationError(
      'in-transit',
      `Lot ${lot.id} is in transit in shipment ${lot.shipmentId}; nobody may use it until it is received or refused.`,
      [{ path, message: 'in transit' }],
    );
  }
}

/** Invariant 4: a lot on hold, recalled or destroyed cannot be an input, be shipped or get codes. */
export function assertUsable(lot: LotRow, path: string): void {
  if (lot.status !== 'active') {
    throw new RuleViolationError('blocked-lot', `Lot ${lot.id} is ${lot.status} and cannot be used, shipped or coded.`, [
      { path, message: `lot is ${lot.status}` },
    ]);
  }
}

/** Material cannot be used before it exists: an event on a lot may not predate the lot's production. */
export function assertNotBeforeProduction(lot: LotRow, at: Date, path: string): void {
  if (at.getTime() < lot.producedAt.getTime()) {
    throw new RuleViolationError(
      'chronology',
      `Lot ${lot.id} was produced at ${lot.producedAt.toISOString()}; it cannot be used at ${at.toISOString()}, before it existed.`,
      [{ path, message: 'before the lot was produced' }],
    );
  }
}

type AttributeCheck = (value: unknown) => string | undefined;
const str: AttributeCheck = (v) => (typeof v === 'string' && v.length > 0 && v.length <= 500 ? undefined : 'must be a non-empty string');
const int =
  (min: number, max: number): AttributeCheck =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be a whole number from ${min} to ${max}`;
const num =
  (min: number, max: number): AttributeCheck =>
  (v) =>
    typeof v === 'number' && v >= min && v <= max ? undefined : `must be a number from ${min} to ${max}`;
const oneOf =
  (...values: string[]): AttributeCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`;
const strings: AttributeCheck = (v) =>
  Array.isArray(v) && v.length <= 1000 && v.every((s) => typeof s === 'string' && s.length > 0) ? undefined : 'must be a list of strings';
const date: AttributeCheck = (v) =>
  typeof v === 'string' && isCalendarDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)) ? undefined : 'must be a date (YYYY-MM-DD, years 1900–2200)';

export const CULTIVATION_MODES = ['生态种植', '仿生栽培', '野生抚育', '人工养殖'];

/** Known keys of each stage's attributes and their checks; other keys are kept as sent. */
const STAGE_ATTRIBUTES: Record<Stage, Record<string, AttributeCheck>> = {
  seed: { variety: str, germplasmOrigin: str, seedCertificate: str, germinationRatePct: num(0, 100), ageYears: int(0, 30) },
  cultivation: { plot: str, beds: strings, mode: oneOf(...CULTIVATION_MODES), households: int(1, 100000), sownAt: date, transplantedAt: date },
  harvest: { rootAgeYears: int(1, 100), antlerGrade: str, deerId: str },
  processed: { form: str },
  decoction_piece: { spec: str, executingStandard: str },
  product: { name: str, category: str, approvalNumber: str, expiryDate: date },
};

const MAX_ATTRIBUTES_BYTES = 16_384;

export function validateAttributes(stage: Stage, attributes: Record<string, unknown>, path: string): void {
  const errors: FieldError[] = [];
  for (const [key, check] of Object.entries(STAGE_ATTRIBUTES[stage])) {
    if (attributes[key] === undefined) continue;
    const problem = check(attributes[key]);
    if (problem) errors.push({ path: `${path}/${key}`, message: problem });
  }
  // Measured without recursion: JSON.stringify of 10,000 nested arrays overflows the stack.
  const tooLarge = freeFormProblem(attributes, { ...FREE_FORM_LIMITS, maxBytes: MAX_ATTRIBUTES_BYTES });
  if (tooLarge) errors.push({ path, message: tooLarge });
  if (errors.length > 0) throw new ValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}
