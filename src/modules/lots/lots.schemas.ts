import { Type, type Static } from 'typebox';
import { QuantitySchema } from '../../lib/quantity.js';
import { OrganizationRef, QuantityView, ref, Timestamp } from '../../lib/schemas.js';
import { freeForm } from '../../lib/strict-json.js';

export const STAGES = ['seed', 'cultivation', 'harvest', 'processed', 'decoction_piece', 'product'] as const;
export type Stage = (typeof STAGES)[number];
export const StageSchema = Type.Unsafe<Stage>({ type: 'string', enum: [...STAGES], examples: ['harvest'] });

export const LOT_STATUSES = ['active', 'hold', 'recalled', 'destroyed'] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

export const LotNumber = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
  description: 'Unique per producing organisation; letters, digits and . _ / - (fits GS1 AI 10)',
  examples: ['JL-JY-RS-SD-2018-001'],
});

export const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  description:
    "The stage's own data. Known keys are type-checked: seed {variety, germplasmOrigin, seedCertificate, germinationRatePct, ageYears}; " +
    'cultivation {plot, beds[], mode: 生态种植|仿生栽培|野生抚育|人工养殖, households}; harvest {rootAgeYears, antlerGrade, deerId}; ' +
    'processed {form}; decoction_piece {spec, executingStandard}; product {name, category, approvalNumber, expiryDate}.',
  examples: [{ rootAgeYears: 6 }],
  ...freeForm({ maxBytes: 16_384 }),
});

export const ExternalOrigin = Type.Object(
  {
    type: Type.Literal('external'),
    supplierName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    supplierCreditCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    regionCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
    countryCode: Type.Optional(Type.String({ pattern: '^[0-9]{3}$', description: 'ISO 3166-1 numeric (156 = China)' })),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Invoice, contract or certificate number' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, description: 'Material bought from outside the system: provenance shows it as untraced' },
);

export const CommissionLotBody = Type.Object(
  {
    stage: StageSchema,
    speciesCode: Type.String({ minLength: 1, maxLength: 64, examples: ['renshen'] }),
    lotNumber: LotNumber,
    siteId: Type.String({ minLength: 1, maxLength: 64 }),
    quantity: ref(QuantitySchema),
    producedAt: Timestamp,
    attributes: Type.Optional(Attributes),
    origin: Type.Optional(
      Type.Union([Type.Object({ type: Type.Literal('chain') }, { additionalProperties: false }), ExternalOrigin], {
        description: 'Only seed lots may start the chain without inputs; any other root lot must be external',
      }),
    ),
    gtin: Type.Optional(Type.String({ pattern: '^[0-9]{8,14}$', description: 'Product lots only: GTIN-8/12/13/14' })),
  },
  { $id: 'CommissionLot', additionalProperties: false },
);
export type CommissionLotInput = Static<typeof CommissionLotBody>;


export const Lot = Type.Object(
  {
    id: Type.String({ examples: ['lot_5q7s9u1w3y5a7c9e'] }),
    lotNumber: Type.String(),
    stage: Type.String(),
    speciesCode: Type.String(),
    producer: OrganizationRef,
    holder: OrganizationRef,
    site: Type.Union([
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        kind: Type.String(),
        regionCode: Type.String(),
        regionName: Type.String(),
        location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
      }),
      Type.Null(),
    ]),
    currentSite: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()], {
      description: 'Where the lot is now when a receiver named a site on receipt; null while it is at the site where it was produced',
    }),
    quantity: QuantityView,
    remaining: QuantityView,
    status: Type.Unsafe<LotStatus>({ type: 'string', enum: [...LOT_STATUSES] }),
    inTransit: Type.Union([Type.Object({ shipmentId: Type.String(), toOrganizationId: Type.String() }), Type.Null()]),
    producedAt: Timestamp,
    attributes: Type.Record(Type.String(), Type.Unknown()),
    origin: Type.Record(Type.String(), Type.Unknown(), { description: '{type: chain} or {type: external, …}' }),
    gtin: Type.Union([Type.String({ description: 'GTIN-14' }), Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'Lot' },
);
export type LotView = Static<typeof Lot>;

export const LotListQuery = Type.Object(
  {
    stage: Type.Optional(StageSchema),
    speciesCode: Type.Optional(Type.String({ maxLength: 64 })),
    lotNumber: Type.Optional(Type.String({ maxLength: 64, description: 'Exact lot number (unique per producer)' })),
    producer: Type.Optional(Type.String({ maxLength: 64, description: 'Organisation id of the producer' })),
    holder: Type.Optional(Type.String({ maxLength: 64, description: 'Organisation id of the holder' })),
    status: Type.Optional(Type.Unsafe<LotStatus>({ type: 'string', enum: [...LOT_STATUSES] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type LotListInput = Static<typeof LotListQuery>;

export const StatusChangeBody = Type.Object(
  {
    status: Type.Unsafe<LotStatus>({ type: 'string', enum: [...LOT_STATUSES], description: 'hold, active (release), recalled, destroyed' }),
    reason: Type.String({ minLength: 1, maxLength: 2000, examples: ['Pb 6 mg/kg in report TH-2024-0918'] }),
    occurredAt: Type.Optional(Timestamp),
  },
  { $id: 'StatusChange', additionalProperties: false },
);
export type StatusChangeInput = Static<typeof StatusChangeBody>;

export const StatusChangeResult = Type.Object(
  {
    eventId: Type.String(),
    lot: ref(Lot),
    cascaded: Type.Array(Type.String(), { description: 'Descendant lots that were recalled with this lot' }),
  },
  { $id: 'StatusChangeResult' },
);

const Dose = Type.Object(
  {
    // More than zero and below ten million of its unit (3,000 kg/亩 of manure is 3,000,000 g/亩): a negative
    // or astronomic dose is a typing error, not an observation.
    value: Type.Union([
      Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 10_000_000 }),
      Type.String({ pattern: '^(?=.*[1-9])(0|[1-9][0-9]{0,6})(\\.[0-9]{1,6})?$', description: 'A decimal above 0 and below 10,000,000, at most 6 decimals' }),
    ]),
    unit: Type.String({ minLength: 1, maxLength: 20, examples: ['kg/亩', 'mL/亩'] }),
  },
  { additionalProperties: false },
);

const OBSERVATION_VARIANTS = [
    Type.Object(
      {
        type: Type.Literal('agro_input'),
        occurredAt: Timestamp,
        data: Type.Object(
          {
            category: Type.Unsafe<string>({ type: 'string', enum: ['fertilizer', 'pesticide', 'herbicide', 'fungicide', 'growth_regulator', 'feed', 'veterinary_drug', 'other'] }),
            product: Type.String({ minLength: 1, maxLength: 200, examples: ['多菌灵可湿性粉剂'] }),
            registrationNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: '农药登记证号 / 肥料登记证号', examples: ['PD20070001'] })),
            dose: Dose,
            area: Type.Optional(Type.String({ maxLength: 200, description: 'Beds or plots treated' })),
            preHarvestIntervalDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
            operator: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('inspection'),
        occurredAt: Timestamp,
        data: Type.Object(
          {
            inspector: Type.Optional(Type.String({ maxLength: 200 })),
            result: Type.Unsafe<string>({ type: 'string', enum: ['pass', 'fail', 'observation'] }),
            findings: Type.Optional(Type.String({ maxLength: 4000 })),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('sensor'),
        occurredAt: Timestamp,
        data: Type.Object(
          {
            temperatureC: Type.Optional(Type.Number({ minimum: -80, maximum: 150 })),
            humidityPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
            deviceId: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('note'),
        occurredAt: Timestamp,
        data: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
      },
      { additionalProperties: false },
    ),
] as const;
type ObservationVariant = (typeof OBSERVATION_VARIANTS)[number];
export type ObservationInput = Static<ObservationVariant>;

/** One of the observation shapes, chosen by `type` (a discriminator gives one clear error per field). */
export const ObservationBody = Type.Unsafe<ObservationInput>({
  $id: 'Observation',
  type: 'object',
  required: ['type'],
  oneOf: [...OBSERVATION_VARIANTS],
  discriminator: { propertyName: 'type' },
});

export const LotEvent = Type.Object(
  {
    id: Type.String({ examples: ['evt_2b4d6f8h0j2l4n6p'] }),
    type: Type.String({ examples: ['transformation', 'agro_input', 'shipment_dispatched', 'status_changed'] }),
    role: Type.String({ description: 'How the event concerns this lot: input, output, subject, shipped, received, returned, cascade' }),
    organization: OrganizationRef,
    occurredAt: Timestamp,
    recordedAt: Timestamp,
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'LotEvent' },
);
export type LotEventView = Static<typeof LotEvent>;

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const lotSchemas = [CommissionLotBody, Lot, StatusChangeBody, StatusChangeResult, ObservationBody, LotEvent];
