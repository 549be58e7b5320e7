import { Type, type Static } from 'typebox';
import { Gln, RegionCode, Timestamp } from '../../lib/schemas.js';

export const ORGANIZATION_KINDS = [
  'seed_producer',
  'cooperative',
  'gap_base',
  'farm',
  'processor',
  'decoction_piece_maker',
  'manufacturer',
  'trader',
  'logistics',
  'retailer',
  'lab',
  'regulator',
  // Certification bodies and the GI authority: they confirm certificates (POST /v1/certificates/{id}/confirm).
  'certifier',
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const OrganizationKindSchema = Type.Union(
  ORGANIZATION_KINDS.map((k) => Type.Literal(k)),
  { $id: 'OrganizationKind', description: 'What an organisation does in the chain' },
);

export const CreateOrganizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, examples: ['抚松县松岭人参种植专业合作社'] }),
    kinds: Type.Array(Type.Unsafe<OrganizationKind>({ type: 'string', enum: [...ORGANIZATION_KINDS] }), {
      minItems: 1,
      maxItems: ORGANIZATION_KINDS.length,
      uniqueItems: true,
      examples: [['cooperative', 'gap_base']],
    }),
    creditCode: Type.String({
      minLength: 1,
      maxLength: 32,
      description: '统一社会信用代码 (GB 32100-2015), check characters validated',
      examples: ['93220621MA14XY0N3C'],
    }),
    regionCode: RegionCode,
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    gln: Type.Optional(Gln),
  },
  { $id: 'CreateOrganization', additionalProperties: false },
);
export type CreateOrganizationInput = Static<typeof CreateOrganizationBody>;

export const Organization = Type.Object(
  {
    id: Type.String({ examples: ['org_8k2j4h6g0f1d3s5a'] }),
    name: Type.String(),
    kinds: Type.Array(Type.String()),
    creditCode: Type.String(),
    regionCode: Type.String(),
    regionName: Type.String({ description: 'Full name of the region, e.g. 吉林省 白山市 抚松县' }),
    address: Type.Union([Type.String(), Type.Null()]),
    gln: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'Organization' },
);
export type OrganizationView = Static<typeof Organization>;

export const OrganizationListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Unsafe<OrganizationKind>({ type: 'string', enum: [...ORGANIZATION_KINDS] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const RoleSchema = Type.Unsafe<'owner' | 'recorder' | 'viewer'>({
  type: 'string',
  enum: ['owner', 'recorder', 'viewer'],
  description: 'owner and recorder record for the organisation; viewer only reads',
});

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, examples: ['field tablet 3'] })),
    role: Type.Optional({ ...RoleSchema, default: 'owner' }),
  },
  { $id: 'CreateApiKey', additionalProperties: false },
);

export const ApiKey = Type.Object(
  {
    id: Type.String({ examples: ['key_0h3k5m7p9r1t3v5x'] }),
    organizationId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    role: RoleSchema,
    createdAt: Timestamp,
    revokedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'ApiKey' },
);
export type ApiKeyView = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object(
  {
    id: Type.String(),
    organizationId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    role: RoleSchema,
    createdAt: Timestamp,
    revokedAt: Type.Null(),
    key: Type.Union(
      [
        Type.String({ examples: ['key_0h3k5m7p9r1t3v5x.Vb7T2nQ9xW4pL8sK1dF6gH3jM5zR0cY2'] }),
        Type.Null(),
      ],
      {
        description:
          'The bearer key. Shown only in this response; only its hash is stored. null on an idempotent replay (Idempotent-Replayed: true): the key was created but its secret cannot be shown again; revoke it and create another if it was lost.',
      },
    ),
  },
  { $id: 'CreatedApiKey' },
);

export const ApiKeyParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }), keyId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const organizationSchemas = [CreateOrganizationBody, Organization, CreateApiKeyBody, ApiKey, CreatedApiKey];
