import { Type, type Static } from 'typebox';
import { QuantitySchema } from '../../lib/quantity.js';
import { QuantityView, ref, Timestamp } from '../../lib/schemas.js';
import { freeForm } from '../../lib/strict-json.js';
import { Attributes, Lot, LotNumber, StageSchema } from '../lots/index.js';

const ProcessStep = Type.Object(
  {
    op: Type.String({ minLength: 1, maxLength: 50, description: '净制, 洗, 润, 切, 炒, 炙, 煅, 蒸, 干燥, 烫 …', examples: ['切'] }),
    params: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { examples: [{ thicknessMm: '1-2' }], ...freeForm({ maxBytes: 16_384 }) })),
  },
  { additionalProperties: false },
);

export const CreateTransformationBody = Type.Object(
  {
    occurredAt: Timestamp,
    siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Where it happened; the default site of the outputs' })),
    inputs: Type.Array(
      Type.Object({ lotId: Type.String({ minLength: 1, maxLength: 64 }), quantity: ref(QuantitySchema) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 500 },
    ),
    outputs: Type.Array(
      Type.Object(
        {
          stage: StageSchema,
          lotNumber: LotNumber,
          quantity: ref(QuantitySchema),
          siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          speciesCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Needed only when the inputs are of several species' })),
          attributes: Type.Optional(Attributes),
          gtin: Type.Optional(Type.String({ pattern: '^[0-9]{8,14}$' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    process: Type.Optional(Type.Object({ steps: Type.Array(ProcessStep, { maxItems: 100 }) }, { additionalProperties: false })),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { $id: 'CreateTransformation', additionalProperties: false },
);
export type CreateTransformationInput = Static<typeof CreateTransformationBody>;


export const Transformation = Type.Object(
  {
    id: Type.String({ description: 'The transformation event id', examples: ['evt_7x9z1b3d5f7h9j1l'] }),
    occurredAt: Timestamp,
    recordedAt: Timestamp,
    inputs: Type.Array(Type.Object({ lotId: Type.String(), consumed: QuantityView, remaining: QuantityView })),
    outputs: Type.Array(ref(Lot)),
    process: Type.Union([Type.Object({ steps: Type.Array(Type.Object({ op: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())) })) }), Type.Null()]),
  },
  { $id: 'Transformation' },
);
export type TransformationView = Static<typeof Transformation>;

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const transformationSchemas = [CreateTransformationBody, Transformation];
