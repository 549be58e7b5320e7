import { Type, type Static } from 'typebox';
import { QuantitySchema } from '../../lib/quantity.js';
import { QuantityView, ref, Timestamp } from '../../lib/schemas.js';

export const SHIPMENT_STATUSES = ['in_transit', 'received', 'refused'] as const;

export const CreateShipmentBody = Type.Object(
  {
    toOrganizationId: Type.String({ minLength: 1, maxLength: 64 }),
    lines: Type.Array(
      Type.Object(
        {
          lotId: Type.String({ minLength: 1, maxLength: 64 }),
          quantity: Type.Optional(ref(QuantitySchema)),
        },
        { additionalProperties: false, description: 'Without quantity the whole remaining lot travels; with less, a child lot is split off' },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    shippedAt: Timestamp,
    note: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { $id: 'CreateShipment', additionalProperties: false },
);
export type CreateShipmentInput = Static<typeof CreateShipmentBody>;

export const ReceiveShipmentBody = Type.Object(
  {
    receivedAt: Type.Optional(Timestamp),
    siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Your site where the lots now are' })),
  },
  { $id: 'ReceiveShipment', additionalProperties: false },
);
export type ReceiveShipmentInput = Static<typeof ReceiveShipmentBody>;

export const RefuseShipmentBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }), refusedAt: Type.Optional(Timestamp) },
  { $id: 'RefuseShipment', additionalProperties: false },
);
export type RefuseShipmentInput = Static<typeof RefuseShipmentBody>;


export const Shipment = Type.Object(
  {
    id: Type.String({ examples: ['shp_4c6e8g0i2k4m6o8q'] }),
    status: Type.Unsafe<(typeof SHIPMENT_STATUSES)[number]>({ type: 'string', enum: [...SHIPMENT_STATUSES] }),
    fromOrganization: Type.Object({ id: Type.String(), name: Type.String() }),
    toOrganization: Type.Object({ id: Type.String(), name: Type.String() }),
    shippedAt: Timestamp,
    closedAt: Type.Union([Timestamp, Type.Null()], { description: 'When it was received or refused' }),
    lines: Type.Array(
      Type.Object({
        lotId: Type.String({ description: 'The lot that travels' }),
        sourceLotId: Type.String({ description: 'The lot named in the request (differs when a partial quantity was split off)' }),
        quantity: QuantityView,
      }),
    ),
    createdAt: Timestamp,
  },
  { $id: 'Shipment' },
);
export type ShipmentView = Static<typeof Shipment>;

export const ShipmentListQuery = Type.Object(
  {
    direction: Type.Optional(Type.Unsafe<'incoming' | 'outgoing'>({ type: 'string', enum: ['incoming', 'outgoing'] })),
    status: Type.Optional(Type.Unsafe<(typeof SHIPMENT_STATUSES)[number]>({ type: 'string', enum: [...SHIPMENT_STATUSES] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ShipmentListInput = Static<typeof ShipmentListQuery>;

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const shipmentSchemas = [CreateShipmentBody, ReceiveShipmentBody, RefuseShipmentBody, Shipment];
