import type { Database } from '../../db/client.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../../lib/db-errors.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { parseOffsetTime } from '../../lib/time.js';
import type { Principal } from '../../plugins/auth.js';
import { appendEvent } from '../events/events.repository.js';
import { findOrganizationById } from '../organizations/organizations.repository.js';
import { findSiteById } from '../sites/sites.repository.js';
import * as repo from './quality.repository.js';
import type { CertificateView, CreateCertificateInput } from './quality.schemas.js';

type OrgPrincipal = Extract<Principal, { kind: 'organization' }>;

async function certificateView(db: Database, row: repo.CertificateRow): Promise<CertificateView> {
  const org = await findOrganizationById(db, row.organizationId);
  return {
    id: row.id,
    kind: row.kind,
    organization: { id: row.organizationId, name: org?.name ?? row.organizationId },
    siteId: row.siteId,
    giCode: row.giCode,
    product: row.product,
    authority: row.authority,
    number: row.number,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    eventId: row.eventId,
    createdAt: row.createdAt.toISOString(),
  };
}

const isDate = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * POST /v1/certificates: an organisation records a certificate it holds (a regulator may record one for
 * another organisation): GAP and organic certify one of the holder's sites, gi_use authorises the holder to
 * use a GI on its products. The certificate's number is unique per kind and authority.
 */
export async function createCertificate(db: Database, principal: OrgPrincipal, input: CreateCertificateInput): Promise<CertificateView> {
  const regulator = principal.organizationKinds.includes('regulator');
  const organizationId = input.organizationId ?? principal.organizationId;
  if (organizationId !== principal.organizationId && !regulator) {
    throw new ForbiddenError('Only a regulator records certificates of another organisation.');
  }
  if (!(await findOrganizationById(db, organizationId))) throw ValidationError.field('body/organizationId', `${organizationId} is not a known organisation`);
  if (!isDate(input.validFrom)) throw ValidationError.field('body/validFrom', 'is not a calendar date');
  if (!isDate(input.validUntil)) throw ValidationError.field('body/validUntil', 'is not a calendar date');
  if (input.validUntil < input.validFrom) {
    throw new RuleViolationError('certificate-validity', 'A certificate cannot expire before it becomes valid.', [{ path: 'body/validUntil', message: 'before validFrom' }]);
  }
  if (input.kind === 'gap' || input.kind === 'organic') {
    if (!input.siteId) throw ValidationError.field('body/siteId', `is required for a ${input.kind} certificate`);
    const site = await findSiteById(db, input.siteId);
    if (!site) throw ValidationError.field('body/siteId', `${input.siteId} is not a known site`);
    if (site.organizationId !== organizationId) {
      throw new RuleViolationError('site-ownership', `Site ${input.siteId} belongs to another organisation.`, [{ path: 'body/siteId', message: 'not a site of the certificate holder' }]);
    }
  } else if (input.siteId) {
    throw ValidationError.field('body/siteId', `only gap and organic certificates name a site`);
  }
  if (input.kind === 'gi_use') {
    if (!input.giCode) throw ValidationError.field('body/giCode', 'is required for a gi_use authorisation');
    if (!(await repo.findGiProduct(db, input.giCode))) throw ValidationError.field('body/giCode', `${input.giCode} is not a GI product (GET /v1/gi-products)`);
  } else if (input.giCode) {
    throw ValidationError.field('body/giCode', 'only gi_use authorisations name a GI');
  }
  const conflict = () => new ConflictError(`A ${input.kind} certificate ${input.number} of ${input.authority} is already recorded.`);
  if (await repo.certificateNumberUsed(db, input.kind, input.authority, input.number)) throw conflict();
  try {
    const row = await db.transaction(async (tx) => {
      const id = newId('crt');
      const event = await appendEvent(tx, {
        type: 'certificate_recorded',
        organizationId: principal.organizationId,
        occurredAt: parseOffsetTime(new Date().toISOString()),
        data: { certificateId: id, kind: input.kind, holderId: organizationId, siteId: input.siteId ?? null, giCode: input.giCode ?? null, number: input.number, authority: input.authority, validFrom: input.validFrom, validUntil: input.validUntil },
        lots: [],
      });
      return repo.insertCertificate(tx, {
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
        eventId: event.id,
      });
    });
    return certificateView(db, row);
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw conflict();
    throw error;
  }
}

export async function getCertificate(db: Database, id: string): Promise<CertificateView> {
  const row = await repo.findCertificate(db, id);
  if (!row) throw new NotFoundError(`No certificate ${id}.`);
  return certificateView(db, row);
}

export async function listCertificates(db: Database, query: { organizationId?: string; siteId?: string; kind?: string; giCode?: string }) {
  const rows = await repo.listCertificates(db, query);
  return { items: await Promise.all(rows.map((r) => certificateView(db, r))) };
}
