import { Type, type Static } from 'typebox';
import { Gln, RegionCode, Timestamp } from '../../lib/schemas.js';

export const SITE_KINDS = [
  'seed_nursery',
  'cultivation_base',
  'forest_plot',
  'animal_farm',
  'processing_plant',
  'warehouse',
  'market',
  'lab',
] as const;
export type SiteKind = (typeof SITE_KINDS)[number];
const SiteKindSchema = Type.Unsafe<SiteKind>({ type: 'string', enum: [...SITE_KINDS] });

const Location = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [42.33] }),
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [127.27] }),
  },
  { additionalProperties: false, description: 'WGS 84 coordinates' },
);

export const CreateSiteBody = Type.Object(
  {
    kind: SiteKindSchema,
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['松岭GAP园参基地'] }),
    regionCode: RegionCode,
    location: Type.Optional(Location),
    areaMu: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'Area in 亩 (mu), at most 3 decimals', examples: [80] }),
    ),
    gln: Type.Optional(Gln),
  },
  { $id: 'CreateSite', additionalProperties: false },
);
export type CreateSiteInput = Static<typeof CreateSiteBody>;

export const Site = Type.Object(
  {
    id: Type.String({ examples: ['site_3n5p7r9t1v3x5z7b'] }),
    organizationId: Type.String(),
    kind: Type.String(),
    name: Type.String(),
    regionCode: Type.String(),
    regionName: Type.String({ examples: ['吉林省 白山市 抚松县'] }),
    location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
    areaMu: Type.Union([Type.Number(), Type.Null()]),
    gln: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'Site' },
);
export type SiteView = Static<typeof Site>;

export const SiteListQuery = Type.Object(
  {
    kind: Type.Optional(SiteKindSchema),
    organizationId: Type.Optional(
      Type.String({ maxLength: 64, description: 'Admin and regulators only: sites of this organisation' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type SiteListInput = Static<typeof SiteListQuery>;

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const siteSchemas = [CreateSiteBody, Site];
