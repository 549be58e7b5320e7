import { Type, type Static } from 'typebox';
import { OrganizationRef, ref, Timestamp } from '../../lib/schemas.js';

const DecimalValue = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$', maxLength: 24 })], {
  description: 'A non-negative number or decimal string, at most 6 decimals',
  examples: ['0.52'],
});
const Basis = Type.Unsafe<'as_is' | 'dried'>({ type: 'string', enum: ['as_is', 'dried'], description: 'as_is (default) or dried basis' });
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', examples: ['2027-12-31'] });

export const LabGrantBody = Type.Object(
  { labOrganizationId: Type.String({ minLength: 1, maxLength: 64, description: 'An organisation of kind lab' }) },
  { $id: 'LabGrantBody', additionalProperties: false },
);
export type LabGrantInput = Static<typeof LabGrantBody>;

export const LabGrant = Type.Object(
  { lotId: Type.String(), labOrganization: OrganizationRef, grantedBy: OrganizationRef, eventId: Type.String(), createdAt: Timestamp },
  { $id: 'LabGrant' },
);

export const LabGrantList = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        lot: Type.Object({ id: Type.String(), lotNumber: Type.String(), stage: Type.String(), speciesCode: Type.String(), status: Type.String() }),
        grantedBy: OrganizationRef,
        createdAt: Timestamp,
      }),
    ),
  },
  { $id: 'LabGrantList' },
);

export const LabResultBody = Type.Object(
  {
    reportNumber: Type.String({ minLength: 1, maxLength: 64, examples: ['THJC-2024-1018'] }),
    sampledAt: Timestamp,
    testedAt: Timestamp,
    edition: Type.Optional(Type.String({ pattern: '^[0-9]{4}$', description: 'Pharmacopoeia edition; the newest loaded by default', examples: ['2020'] })),
    results: Type.Array(
      Type.Object(
        {
          analyte: Type.String({ minLength: 1, maxLength: 64, description: 'Code from the analyte vocabulary (GET /v1/analytes)', examples: ['ginsenoside_rg1_re'] }),
          value: DecimalValue,
          unit: Type.String({ minLength: 1, maxLength: 16, description: 'One of the analyte’s units: %, mg/g, g/kg, mg/kg, ug/kg', examples: ['%'] }),
          basis: Type.Optional(Basis),
          method: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          loq: Type.Optional(DecimalValue),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { $id: 'LabResultBody', additionalProperties: false },
);
export type LabResultInput = Static<typeof LabResultBody>;

const ItemVerdict = Type.Unsafe<string>({
  type: 'string',
  enum: ['pass', 'fail', 'no_limit', 'undetermined'],
  description: 'undetermined: the limit is on another basis and the report has no moisture to convert with',
});

export const Limit = Type.Object(
  {
    id: Type.String(),
    edition: Type.String(),
    monographCode: Type.String(),
    analyte: Type.String(),
    comparator: Type.Unsafe<string>({ type: 'string', enum: ['gte', 'lte'], description: 'gte: 不得少于; lte: 不得过' }),
    value: Type.String({ examples: ['0.3'] }),
    unit: Type.String(),
    basis: Type.String(),
    required: Type.Boolean({ description: 'Must be in a report for it to pass' }),
    methodReference: Type.Union([Type.String(), Type.Null()]),
    verified: Type.Boolean({ description: 'false: not yet checked against the printed pharmacopoeia' }),
    source: Type.String(),
  },
  { $id: 'Limit' },
);

export const LabReport = Type.Object(
  {
    id: Type.String({ examples: ['lab_3f5h7j9l1n3p5r7t'] }),
    lotId: Type.String(),
    reportNumber: Type.String(),
    submittedBy: OrganizationRef,
    sampledAt: Timestamp,
    testedAt: Timestamp,
    edition: Type.Union([Type.String(), Type.Null()]),
    monograph: Type.Union([Type.Object({ code: Type.String(), nameZh: Type.String() }), Type.Null()], {
      description: 'The monograph the lot was judged against (from its species, stage and form); null when none applies',
    }),
    verdict: Type.Unsafe<string>({ type: 'string', enum: ['pass', 'fail', 'incomplete'] }),
    missing: Type.Array(Type.String(), { description: 'Required analytes the report lacks' }),
    items: Type.Array(
      Type.Object({
        analyte: Type.String(),
        value: Type.String(),
        unit: Type.String(),
        basis: Type.String(),
        method: Type.Union([Type.String(), Type.Null()]),
        loq: Type.Union([Type.String(), Type.Null()]),
        limit: Type.Union([ref(Limit), Type.Null()]),
        compared: Type.Union([Type.Object({ value: Type.String(), unit: Type.String(), basis: Type.String() }), Type.Null()], {
          description: 'The result on the limit’s basis and unit (dried = as_is / (1 − moisture)), rounded to 4 decimals for display; the verdict is exact',
        }),
        verdict: ItemVerdict,
      }),
    ),
    hold: Type.Union([Type.Object({ eventId: Type.String() }), Type.Null()], { description: 'Set when this failing report put the lot on hold' }),
    eventId: Type.String(),
  },
  { $id: 'LabReport' },
);
export type LabReportView = Static<typeof LabReport>;

export const CERTIFICATE_KINDS = ['gap', 'organic', 'gi_use', 'other'] as const;
export const CERTIFICATE_ASSERTIONS = ['self_declared', 'confirmed'] as const;

export const CreateCertificateBody = Type.Object(
  {
    kind: Type.Unsafe<(typeof CERTIFICATE_KINDS)[number]>({ type: 'string', enum: [...CERTIFICATE_KINDS], description: 'gap and organic certify a site; gi_use authorises an organisation to use a GI' }),
    organizationId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Regulators and certifiers only: record for another organisation (the certificate is then confirmed)' }),
    ),
    siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Required for gap and organic' })),
    giCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Required for gi_use', examples: ['changbaishan-renshen'] })),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    authority: Type.String({ minLength: 1, maxLength: 200, examples: ['国家知识产权局'] }),
    number: Type.String({ minLength: 1, maxLength: 100 }),
    validFrom: DateOnly,
    validUntil: DateOnly,
  },
  { $id: 'CreateCertificate', additionalProperties: false },
);
export type CreateCertificateInput = Static<typeof CreateCertificateBody>;

export const Certificate = Type.Object(
  {
    id: Type.String({ examples: ['crt_1a3c5e7g9i1k3m5o'] }),
    kind: Type.String(),
    organization: OrganizationRef,
    siteId: Type.Union([Type.String(), Type.Null()]),
    giCode: Type.Union([Type.String(), Type.Null()]),
    product: Type.Union([Type.String(), Type.Null()]),
    authority: Type.String(),
    number: Type.String(),
    validFrom: Type.String(),
    validUntil: Type.String(),
    assertion: Type.Unsafe<(typeof CERTIFICATE_ASSERTIONS)[number]>({
      type: 'string',
      enum: [...CERTIFICATE_ASSERTIONS],
      description: 'self_declared: recorded by its holder; confirmed: by a regulator or certifier. GI claims, gap-certified and the consumer page count only confirmed ones',
    }),
    confirmedBy: Type.Union([OrganizationRef, Type.Null()]),
    confirmedAt: Type.Union([Timestamp, Type.Null()]),
    confirmEventId: Type.Union([Type.String(), Type.Null()], { description: 'The event that confirmed it (certificate_confirmed, or the recording by a regulator or certifier)' }),
    numberAlsoClaimedBy: Type.Array(OrganizationRef, { description: 'Other holders with a certificate of the same authority and number' }),
    eventId: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'Certificate' },
);
export type CertificateView = Static<typeof Certificate>;

export const CertificateListQuery = Type.Object(
  {
    organizationId: Type.Optional(Type.String({ maxLength: 64 })),
    siteId: Type.Optional(Type.String({ maxLength: 64 })),
    kind: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...CERTIFICATE_KINDS] })),
    giCode: Type.Optional(Type.String({ maxLength: 64 })),
    authority: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    assertion: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...CERTIFICATE_ASSERTIONS] })),
  },
  { additionalProperties: false },
);

export const ConfirmCertificateBody = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'What was checked (register entry, audit report)' })) },
  { $id: 'ConfirmCertificate', additionalProperties: false },
);
export type ConfirmCertificateInput = Static<typeof ConfirmCertificateBody>;

export const GiProduct = Type.Object(
  {
    code: Type.String({ examples: ['changbaishan-renshen'] }),
    nameZh: Type.String({ examples: ['长白山人参'] }),
    speciesCode: Type.Union([Type.String(), Type.Null()]),
    regions: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
    regionsVerified: Type.Boolean({ description: 'false: an example or unchecked list, not the published protected area' }),
    regionsSource: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'GiProduct' },
);
export type GiProductView = Static<typeof GiProduct>;

export const SetGiRegionsBody = Type.Object(
  {
    regionCodes: Type.Array(Type.String({ pattern: '^[0-9]{6}$' }), { maxItems: 500, uniqueItems: true }),
    verified: Type.Boolean({ description: 'true only when the list was checked against the published GI notice' }),
    source: Type.String({ minLength: 1, maxLength: 500, description: 'Where the list comes from (notice number, URL)' }),
  },
  { $id: 'SetGiRegions', additionalProperties: false },
);
export type SetGiRegionsInput = Static<typeof SetGiRegionsBody>;

export const GiCodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const GiClaimBody = Type.Object(
  {
    giCode: Type.String({ minLength: 1, maxLength: 64, examples: ['changbaishan-renshen'] }),
    claimedAt: Type.Optional(Timestamp),
  },
  { $id: 'GiClaimBody', additionalProperties: false },
);
export type GiClaimInput = Static<typeof GiClaimBody>;

export const GiClaim = Type.Object(
  {
    lotId: Type.String(),
    gi: Type.Object({ code: Type.String(), nameZh: Type.String() }),
    organizationId: Type.String(),
    certificateId: Type.String({ description: 'The GI-use authorisation that was valid at the claim time' }),
    claimedAt: Timestamp,
    eventId: Type.String(),
  },
  { $id: 'GiClaim' },
);
export type GiClaimView = Static<typeof GiClaim>;

export const Verification = Type.Object(
  {
    lotId: Type.String(),
    verdict: Type.Unsafe<string>({ type: 'string', enum: ['pass', 'fail'] }),
    checks: Type.Array(
      Type.Object({
        name: Type.Unsafe<string>({
          type: 'string',
          enum: ['chain-complete', 'lab-tests', 'no-blocks', 'gap-certified', 'gi-claim', 'custody'],
        }),
        verdict: Type.Unsafe<string>({ type: 'string', enum: ['pass', 'fail', 'not_applicable'] }),
        detail: Type.String(),
        lots: Type.Array(Type.String(), { description: 'The lots (or sites) the check failed on' }),
      }),
    ),
  },
  { $id: 'Verification' },
);
export type VerificationView = Static<typeof Verification>;

export const Analyte = Type.Object(
  { code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), category: Type.String(), units: Type.Array(Type.String()) },
  { $id: 'Analyte' },
);

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const qualitySchemas = [Analyte, Limit, LabGrantBody, LabGrant, LabGrantList, LabResultBody, LabReport, CreateCertificateBody, ConfirmCertificateBody, Certificate, GiProduct, SetGiRegionsBody, GiClaimBody, GiClaim, Verification];
