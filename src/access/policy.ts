import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import type { Database } from '../db/client.js';
import { isRegulatorOrg, readsEverything, type Actor, type OrganizationActor } from './actor.js';
import * as facts from './access.repository.js';

/**
 * The access policy: the one place that answers "may this actor do this to this lot, site, shipment, code,
 * report, certificate or event". Services ask it before they read or write; routes only say who may call them
 * at all (auth plugin). A caller with no business with an object is told it does not exist (404), so ids reveal
 * nothing; a caller who may see it but not do this gets 403. Chain rules that are not about who you are
 * (custody, in transit, blocked lots) stay with the chain (lots.rules.ts) and answer 422.
 */

/** How an organisation stands to a lot. */
export type LotRelation = 'producer' | 'holder' | 'receiver' | 'past-custodian' | 'downstream-holder' | 'granted-lab';

export type LotAction =
  /** The lot itself, its events, its lab reports. */
  | 'read'
  /** Provenance, the lineage timeline, the verification report: the lot and all it was made from. */
  | 'read-lineage'
  /** Descendants: the recall question. */
  | 'read-descendants'
  /** Transform, ship, observe, issue codes, grant labs, claim a GI: custody itself is the chain's rule. */
  | 'record'
  /** See and void its codes, see its scans. */
  | 'manage-codes'
  /** Hold, release, recall, destroy. */
  | 'change-status'
  /** Submit a lab report. */
  | 'submit-lab-results'
  /** Its lab reports: lineage readers and the labs authorised for it. */
  | 'read-lab-results';

const WRITES: ReadonlySet<LotAction> = new Set(['record', 'change-status', 'submit-lab-results']);

const SEES: readonly LotRelation[] = ['producer', 'holder', 'receiver', 'past-custodian'];

/** The pure rule: may an actor standing in these relations to a lot do the action? */
export function mayOnLot(actor: Actor, action: LotAction, relations: ReadonlySet<LotRelation>): boolean {
  if (WRITES.has(action) && !canWrite(actor)) return false;
  const has = (...r: LotRelation[]) => r.some((x) => relations.has(x));
  switch (action) {
    case 'read':
      return readsEverything(actor) || has(...SEES);
    case 'read-lineage':
      return readsEverything(actor) || has(...SEES, 'downstream-holder');
    case 'read-descendants':
      return readsEverything(actor) || has('producer', 'holder', 'past-custodian');
    case 'record':
      // Whoever sees the lot gets past here; custody (only the holder records) is the chain's rule, a 422.
      return readsEverything(actor) || has(...SEES);
    case 'manage-codes':
      return has('producer', 'holder');
    case 'change-status':
      return isRegulatorOrg(actor) || has('holder');
    case 'submit-lab-results':
      return has('holder', 'granted-lab');
    case 'read-lab-results':
      return readsEverything(actor) || has(...SEES, 'downstream-holder', 'granted-lab');
  }
}

/** Owners and recorders write; viewers only read; the admin writes installation data only (organisations, keys). */
export function canWrite(actor: Actor): actor is OrganizationActor {
  return actor.kind === 'organization' && actor.role !== 'viewer';
}

/** A write by an organisation actor: refused for viewers and for the admin token. */
export function requireWriter(actor: Actor): OrganizationActor {
  if (actor.kind !== 'organization') throw new ForbiddenError('This acts as an organisation: use an organisation key or sign in.');
  if (!canWrite(actor)) throw new ForbiddenError('This key or account has the viewer role: it reads only.');
  return actor;
}

export type LotRow = facts.LotRow;

const DENIED: Record<LotAction, string> = {
  read: '',
  'read-lineage': '',
  'read-descendants': 'Only the producer, the holders and past custodians of a lot, and regulators, see what was made from it.',
  record: '',
  'manage-codes': 'Only the holder or producer of the lot sees and manages its codes and scans.',
  'change-status': 'Only the holder of the lot or a regulator changes its status.',
  'submit-lab-results': 'Only the holder of the lot, or a lab it authorised (POST /v1/lots/{id}/lab-grants), submits lab results.',
  'read-lab-results': '',
};

/**
 * The lot, when the actor may do the action on it; otherwise 404 (no business with the lot, or no such lot)
 * or 403 (may see it, but not do this). An unknown id runs the same queries as another organisation's lot, so
 * the time of a 404 does not tell them apart. `lineageLimit` bounds the downstream walk of 'read-lineage'.
 */
export async function authorizeLot(
  db: Database,
  actor: Actor,
  lotId: string,
  action: LotAction,
  options: { lineageLimit?: number } = {},
): Promise<LotRow> {
  const lot = await facts.findLot(db, lotId);
  const relations = await lotRelations(db, actor, lotId, lot, action, options.lineageLimit);
  if (lot && mayOnLot(actor, action, relations)) return lot;
  const sees = lot !== undefined && (readsEverything(actor) || SEES.some((r) => relations.has(r)) || relations.has('granted-lab'));
  if (sees && DENIED[action]) throw new ForbiddenError(DENIED[action]);
  if (sees && WRITES.has(action) && !canWrite(actor)) throw new ForbiddenError('This key or account has the viewer role: it reads only.');
  throw new NotFoundError(`No lot ${lotId}.`);
}

/** May the actor read the lot? For answers that list many lots, with the relations already known. */
export async function mayReadLot(db: Database, actor: Actor, lot: LotRow): Promise<boolean> {
  return mayOnLot(actor, 'read', await lotRelations(db, actor, lot.id, lot, 'read', undefined));
}

async function lotRelations(
  db: Database,
  actor: Actor,
  lotId: string,
  lot: LotRow | undefined,
  action: LotAction,
  lineageLimit: number | undefined,
): Promise<Set<LotRelation>> {
  const relations = new Set<LotRelation>();
  if (actor.kind !== 'organization') return relations;
  const me = actor.organizationId;
  if (lot?.producerId === me) relations.add('producer');
  if (lot?.holderId === me) relations.add('holder');
  const labAction = action === 'submit-lab-results' || action === 'read-lab-results';
  if (readsEverything(actor) || relations.size > 0) {
    if (labAction && lot && (await facts.grantedByHolder(db, lot, me))) relations.add('granted-lab');
    return relations;
  }
  // From here every query runs whether or not the lot exists (on no rows), for equal timing.
  if (await facts.isShipmentReceiver(db, lot?.shipmentId ?? null, me)) relations.add('receiver');
  if (await facts.actedOnLot(db, me, lotId)) relations.add('past-custodian');
  if (labAction && (await facts.grantedByHolder(db, lot ?? { id: lotId, holderId: '' }, me))) relations.add('granted-lab');
  if ((action === 'read-lineage' || action === 'read-lab-results') && relations.size === 0 && (await facts.holdsDescendant(db, lotId, me, lineageLimit ?? 50_000))) {
    relations.add('downstream-holder');
  }
  return relations;
}

/** Sites: the owning organisation reads and uses its own; regulators and the admin read all. */
export function mayReadSite(actor: Actor, site: { organizationId: string }): boolean {
  return readsEverything(actor) || (actor.kind === 'organization' && actor.organizationId === site.organizationId);
}

/** Lists of another organisation's records (sites, certificates): regulators and the admin only. */
export function mayListFor(actor: Actor, organizationId: string | undefined): boolean {
  return readsEverything(actor) || organizationId === undefined || (actor.kind === 'organization' && actor.organizationId === organizationId);
}

type ShipmentParties = { fromOrganizationId: string; toOrganizationId: string };

/** The sender or the receiver of a shipment: they act on it (receive, refuse); nobody else is told it exists. */
export function isShipmentParty(actor: Actor, shipment: ShipmentParties): boolean {
  return actor.kind === 'organization' && [shipment.fromOrganizationId, shipment.toOrganizationId].includes(actor.organizationId);
}

/** Shipments are read by their sender and receiver, regulators and the admin. */
export function mayReadShipment(actor: Actor, shipment: ShipmentParties): boolean {
  return readsEverything(actor) || isShipmentParty(actor, shipment);
}

/** Regulators and certification bodies (the GI authority too) stand behind certificates. */
export function isCertifier(actor: Actor): actor is OrganizationActor {
  return canWrite(actor) && (actor.organizationKinds.includes('regulator') || actor.organizationKinds.includes('certifier'));
}

/** Confirming a certificate: a regulator or certifier, never of its own organisation's certificate. */
export function requireConfirmer(actor: Actor, certificate?: { organizationId: string }): OrganizationActor {
  if (!isCertifier(actor)) {
    throw new ForbiddenError('Only a regulator or a certifier (organisation kind regulator or certifier) confirms certificates.');
  }
  if (certificate && certificate.organizationId === actor.organizationId) {
    throw new ForbiddenError('An organisation cannot confirm its own certificate: another regulator or certifier must.');
  }
  return actor;
}

/**
 * Events: whoever may read one of the lots an event concerns reads it; an event on no lot (a certificate)
 * is read by its organisation, regulators and the admin.
 */
export async function authorizeEvent(db: Database, actor: Actor, event: { organizationId: string; lots: { lotId: string }[] }): Promise<boolean> {
  if (readsEverything(actor)) return true;
  if (actor.kind !== 'organization') return false;
  if (event.organizationId === actor.organizationId) return true;
  for (const lotId of new Set(event.lots.map((l) => l.lotId))) {
    const lot = await facts.findLot(db, lotId);
    if (lot && (await mayReadLot(db, actor, lot))) return true;
  }
  return false;
}

/**
 * People of an organisation (members, their roles, sessions and security events): the admin, and the owners of
 * that organisation. Another organisation's caller, or a recorder or viewer, is refused (403: organisations are
 * listed openly to callers, so there is nothing to hide about their existence).
 */
export function requireMemberManager(actor: Actor, organizationId: string): void {
  if (actor.kind === 'admin') return;
  if (actor.organizationId !== organizationId) throw new ForbiddenError("Only the organisation's owners (or the admin) manage its members.");
  if (actor.role !== 'owner') throw new ForbiddenError(`Managing members needs the owner role; this ${actor.userId ? 'account' : 'key'} is a ${actor.role}.`);
}
