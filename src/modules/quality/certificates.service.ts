import type { Database } from '../../db/client.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../lib/db-errors.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { DATE_RULE, isCalendarDate, parseOffsetTime } from '../../lib/time.js';
import type { Actor } from '../../access/actor.js';
import { isCertifier, requireConfirmer, requireWriter } from '../../access/policy.js';
import { recordEvent } from '../../events/index.js';
import { findOrganizationById } from '../organizations/index.js';
import { findSiteById } from '../sites/index.js';
import * as repo from './quality.repository.js';
import type { CertificateView, ConfirmCertificateInput, CreateCertificateInput } from './quality.schemas.js';

/** Rows → answers, with one query for the organisation names and one for other holders of the same numbers. */
async function certificateViews(db: Database, rows: repo.CertificateRow[]): Promise<CertificateView[]> {
  if (rows.length === 0) return [];
  const names = await repo.organizationNames(db, [...new Set(rows.flatMap((r) => (r.confirmedBy ? [r.organizationId, r.confirmedBy] : [r.organizationId])))]);
  const holders = await repo.holdersOfNumbers(db, rows);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    organization: { id: row.organizationId, name: names.get(row.organizationId) ?? row.organizationId },
    siteId: row.siteId,
    giCode: row.giCode,
    product: row.product,
    authority: row.authority,
    number: row.number,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    assertion: row.assertion === 'confirmed' ? 'confirmed' : 'self_declared',
    confirmedBy: row.confirmedBy ? { id: row.confirmedBy, name: names.get(row.confirmedBy) ?? row.confirmedBy } : null,
    confirmedAt: row.confirmedAt ? row.confirmedAt.toISOString() : null,
    confirmEventId: row.confirmEventId,
    numberAlsoClaimedBy: (holders.get(repo.certificateNumberKey(row)) ?? []).filter((h) => h.id !== row.organizationId),
    eventId: row.eventId,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** The certificate's contents as events record them (certificate_recorded, certificate_confirmed). */
const eventContents = (c: {
  id: string;
  kind: string;
  organizationId: string;
  siteId: string | null;
  giCode: string | null;
  product: string | null;
  authority: string;
  number: string;
  validFrom: string;
  validUntil: string;
}) => ({
  certificateId: c.id,
  kind: c.kind,
  holderId: c.organizationId,
  siteId: c.siteId,
  giCode: c.giCode,
  product: c.product,
  number: c.number,
  authority: c.authority,
  validFrom: c.validFrom,
  validUntil: c.validUntil,
});

/** A real calendar date in the years 1900–2200, the one date rule (lib/time.ts): PostgreSQL stores no year 0. */
const isDate = (s: string) => isCalendarDate(s);

/**
 * POST /v1/certificates: an organisation records a certificate it holds (self_declared), or a regulator or
 * certifier records one for another organisation (confirmed by the recording itself). GAP and organic certify
 * one of the holder's sites, gi_use authorises the holder to use a GI on its products. A number is unique per
 * holder and authority: another organisation claiming the same number is stored too, and shown to readers
 * (numberAlsoClaimedBy) instead of being refused, so a squatter cannot block the real holder.
 */
export async function createCertificate(db: Database, actor: Actor, input: CreateCertificateInput): Promise<CertificateView> {
  const writer = requireWriter(actor);
  const organizationId = input.organizationId ?? writer.organizationId;
  const forAnother = organizationId !== writer.organizationId;
  if (forAnother && !isCertifier(actor)) {
    throw new ForbiddenError('Only a regulator or a certifier records certificates of another organisation.');
  }
  if (!(await findOrganizationById(db, organizationId))) throw ValidationError.field('organizationId', `${organizationId} is not a known organisation`);
  if (!isDate(input.validFrom)) throw ValidationError.field('validFrom', DATE_RULE);
  if (!isDate(input.validUntil)) throw ValidationError.field('validUntil', DATE_RULE);
  if (input.validUntil < input.validFrom) {
    throw new RuleViolationError('certificate-validity', 'A certificate cannot expire before it becomes valid.', [{ path: 'validUntil', message: 'before validFrom' }]);
  }
  if (input.kind === 'gap' || input.kind === 'organic') {
    if (!input.siteId) throw ValidationError.field('siteId', `is required for a ${input.kind} certificate`);
    const site = await findSiteById(db, input.siteId);
    // An unknown site and another organisation's site get the same answer: site ids reveal nothing.
    if (!site || site.organizationId !== organizationId) {
      throw new RuleViolationError('site-ownership', `Site ${input.siteId} is not a site of the certificate holder.`, [{ path: 'siteId', message: 'not a site of the certificate holder' }]);
    }
  } else if (input.siteId) {
    throw ValidationError.field('siteId', `only gap and organic certificates name a site`);
  }
  if (input.kind === 'gi_use') {
    if (!input.giCode) throw ValidationError.field('giCode', 'is required for a gi_use authorisation');
    if (!(await repo.findGiProduct(db, input.giCode))) throw ValidationError.field('giCode', `${input.giCode} is not a GI product (GET /v1/gi-products)`);
  } else if (input.giCode) {
    throw ValidationError.field('giCode', 'only gi_use authorisations name a GI');
  }
  const conflict = () => new ConflictError(`Certificate ${input.number} of ${input.authority} is already recorded for this holder.`);
  if (await repo.certificateNumberUsed(db, organizationId, input.authority, input.number)) throw conflict();
  try {
    const row = await db.transaction(async (tx) => {
      const id = newId('crt');
      const now = new Date();
      const fields = {
        id,
        organizationId,
        kind: input.kind,
        siteId: input.siteId ?? null,
        giCode: input.giCode ?? null,
        product: input.product ?? null,
        authority: input.authority,
        number: input.number,
        validFrom: input.validFrom,
        validUntil: input.validUntil,
      };
      const assertion = forAnother ? 'confirmed' : 'self_declared';
      const event = await recordEvent(tx, actor, {
        type: 'certificate_recorded',
        occurredAt: parseOffsetTime(now.toISOString()),
        data: { ...eventContents(fields), assertion, confirmedBy: forAnother ? writer.organizationId : null },
        lots: [],
      });
      return repo.insertCertificate(tx, {
        ...fields,
        assertion,
        ...(forAnother ? { confirmedBy: writer.organizationId, confirmedAt: now, confirmEventId: event.id } : {}),
        eventId: event.id,
      });
    });
    return (await certificateViews(db, [row]))[0]!;
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw conflict();
    throw error;
  }
}

/**
 * POST /v1/certificates/{id}/confirm: a regulator or certifier stands behind a self-declared certificate of
 * another organisation. The confirmation is a certificate_confirmed event carrying the certificate's contents,
 * written in the same transaction as the certificate's new state (checked again under a row lock).
 */
export async function confirmCertificate(db: Database, actor: Actor, id: string, input: ConfirmCertificateInput): Promise<CertificateView> {
  requireConfirmer(actor);
  const found = await repo.findCertificate(db, id);
  if (!found) throw new NotFoundError(`No certificate ${id}.`);
  const confirmer = requireConfirmer(actor, found);
  const row = await db.transaction(async (tx) => {
    const locked = (await repo.lockCertificate(tx, id))!;
    if (locked.assertion === 'confirmed') {
      throw new RuleViolationError(
        'certificate-already-confirmed',
        `Certificate ${id} was already confirmed${locked.confirmedAt ? ` on ${locked.confirmedAt.toISOString()}` : ''}.`,
        [{ path: 'certificateId', message: 'already confirmed' }],
      );
    }
    const now = new Date();
    const event = await recordEvent(tx, actor, {
      type: 'certificate_confirmed',
      occurredAt: parseOffsetTime(now.toISOString()),
      data: { ...eventContents(locked), assertion: 'confirmed', confirmedBy: confirmer.organizationId, recordedEventId: locked.eventId, note: input.note ?? null },
      lots: [],
    });
    return repo.markConfirmed(tx, id, { confirmedBy: confirmer.organizationId, confirmedAt: now, confirmEventId: event.id });
  });
  return (await certificateViews(db, [row]))[0]!;
}

export async function getCertificate(db: Database, id: string): Promise<CertificateView> {
  const row = await repo.findCertificate(db, id);
  if (!row) throw new NotFoundError(`No certificate ${id}.`);
  return (await certificateViews(db, [row]))[0]!;
}

export async function listCertificates(
  db: Database,
  query: { organizationId?: string; siteId?: string; kind?: string; giCode?: string; authority?: string; number?: string; assertion?: string },
) {
  return { items: await certificateViews(db, await repo.listCertificates(db, query)) };
}
