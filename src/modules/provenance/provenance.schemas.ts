import { Type, type Static } from 'typebox';
import { ExactDecimal, OrganizationRef, QuantityView, ref, Timestamp } from '../../lib/schemas.js';

const SiteView = Type.Object({
  id: Type.String(),
  organizationId: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  regionCode: Type.String(),
  regionName: Type.String({ examples: ['吉林省 白山市 抚松县'] }),
  location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
});
const OrganizationView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  regionCode: Type.String(),
  regionName: Type.String(),
});
/** Organisations and sites named by the graph's lots, once each (lots refer to them by id). */
const Dictionaries = {
  organizations: Type.Array(OrganizationView),
  sites: Type.Array(SiteView),
};

export const GraphLot = Type.Object(
  {
    id: Type.String(),
    lotNumber: Type.String(),
    stage: Type.String(),
    speciesCode: Type.String(),
    status: Type.String(),
    producerId: Type.String({ description: 'See organizations' }),
    holderId: Type.String({ description: 'See organizations' }),
    inTransit: Type.Boolean(),
    siteId: Type.Union([Type.String(), Type.Null()], { description: 'Where the lot was produced; see sites' }),
    quantity: QuantityView,
    remaining: QuantityView,
    producedAt: Timestamp,
    origin: Type.Record(Type.String(), Type.Unknown()),
    attributes: Type.Record(Type.String(), Type.Unknown()),
    gtin: Type.Union([Type.String(), Type.Null()]),
    distance: Type.Integer({ description: 'Fewest edges between this lot and the queried lot' }),
    createdByEventId: Type.String({ description: 'The event that made the lot (see the timeline)' }),
    process: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'How the lot was made: {steps: [{op, params}]} as recorded with its transformation',
    }),
  },
  { $id: 'GraphLot' },
);

export const GraphEdge = Type.Object(
  {
    parentLotId: Type.String(),
    childLotId: Type.String(),
    eventId: Type.String(),
    quantity: Type.Object({ value: ExactDecimal, unit: Type.String() }, { description: 'How much of the parent the event consumed' }),
  },
  { $id: 'GraphEdge' },
);

const Share = {
  share: Type.String({ description: 'Decimal with 6 places; the shares of a list sum to exactly 1', examples: ['0.300000'] }),
  fraction: Type.String({ description: 'The exact share as numerator/denominator', examples: ['3/10'] }),
};

export const Provenance = Type.Object(
  {
    lot: Type.Object({ id: Type.String(), lotNumber: Type.String(), stage: Type.String(), speciesCode: Type.String() }),
    complete: Type.Boolean({ description: 'Every upstream path ends in a seed lot that is not external' }),
    nodeCount: Type.Integer(),
    edgeCount: Type.Integer(),
    depth: Type.Integer({ description: 'Longest path from the lot to a root, in edges' }),
    nodes: Type.Array(ref(GraphLot)),
    edges: Type.Array(ref(GraphEdge)),
    ...Dictionaries,
    untracedInputs: Type.Array(
      Type.Object({ lotId: Type.String(), lotNumber: Type.String(), stage: Type.String(), origin: Type.Record(Type.String(), Type.Unknown()) }),
      { description: 'Root lots bought from outside the system (origin external)' },
    ),
    roots: Type.Array(Type.Object({ lotId: Type.String(), stage: Type.String(), traced: Type.Boolean() })),
    originShares: Type.Object({
      basis: Type.Unsafe<'quantity' | 'approximate'>({
        type: 'string',
        enum: ['quantity', 'approximate'],
        description: 'approximate when some transformation mixed inputs whose units do not convert (split equally there)',
      }),
      sites: Type.Array(
        Type.Object({
          site: Type.Union([SiteView, Type.Null()]),
          traced: Type.Boolean({ description: 'false for material from an external root' }),
          lotId: Type.String({ description: 'The origin lot (harvest or cultivation lot, or a root)' }),
          ...Share,
        }),
      ),
      regions: Type.Array(Type.Object({ regionCode: Type.Union([Type.String(), Type.Null()]), regionName: Type.Union([Type.String(), Type.Null()]), ...Share })),
    }),
  },
  { $id: 'Provenance' },
);
export type ProvenanceView = Static<typeof Provenance>;

export const Descendants = Type.Object(
  {
    lot: Type.Object({ id: Type.String(), lotNumber: Type.String(), stage: Type.String(), speciesCode: Type.String() }),
    count: Type.Integer({ description: 'Lots made from this one, at any depth' }),
    holders: Type.Array(
      Type.Object({
        organization: OrganizationRef,
        lots: Type.Array(ref(GraphLot)),
      }),
      { description: 'The descendant lots grouped by their current holder, for notification' },
    ),
    edges: Type.Array(ref(GraphEdge)),
    ...Dictionaries,
    productTotals: Type.Array(
      Type.Object({
        unit: Type.String(),
        quantity: Type.Union(ExactDecimal.anyOf, { description: 'Product made from non-product inputs (splits and repacks of product lots are not counted again)' }),
        remaining: Type.Union(ExactDecimal.anyOf, { description: 'Still held, over all affected product lots' }),
        lots: Type.Integer(),
      }),
      { description: 'Finished product lots affected, per unit' },
    ),
  },
  { $id: 'Descendants' },
);
export type DescendantsView = Static<typeof Descendants>;

export const TimelineQuery = Type.Object(
  {
    scope: Type.Optional(
      Type.Unsafe<'lineage' | 'lot'>({ type: 'string', enum: ['lineage', 'lot'], default: 'lineage', description: 'lineage: the lot and all its ancestors; lot: its own events only' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type TimelineInput = Static<typeof TimelineQuery>;

export const TimelineEvent = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ examples: ['transformation', 'agro_input', 'shipment_dispatched', 'status_changed'] }),
    role: Type.Union([Type.String(), Type.Null()], { description: 'How the event concerns the queried lot; null for an ancestor-only event' }),
    lots: Type.Array(Type.Object({ lotId: Type.String(), role: Type.String() }), { description: 'The lineage lots the event concerns, with their roles' }),
    organization: OrganizationRef,
    occurredAt: Timestamp,
    recordedAt: Timestamp,
    recordedBy: Type.Object(
      {
        kind: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('admin')]),
        id: Type.Union([Type.String(), Type.Null()]),
        name: Type.Union([Type.String(), Type.Null()]),
      },
      { description: "Who recorded it: the person (user) or machine key; id and name only for the recording organisation's own members, regulators and the admin" },
    ),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'TimelineEvent' },
);

export const Timeline = Type.Object(
  { items: Type.Array(ref(TimelineEvent)), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'Timeline' },
);

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const provenanceSchemas = [GraphLot, GraphEdge, Provenance, Descendants, TimelineEvent, Timeline];
