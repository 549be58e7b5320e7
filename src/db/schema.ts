import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Millisecond precision so a JavaScript Date round-trips exactly (list cursors compare on it).
const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** GB/T 2260 administrative divisions (province, prefecture, county level). Loaded as data by a migration. */
export const regions = pgTable('regions', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  level: text('level').notNull(), // province | prefecture | county
  parentCode: text('parent_code'),
});

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kinds: text('kinds').array().notNull(),
    creditCode: text('credit_code').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    address: text('address'),
    gln: text('gln'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('organizations_credit_code_key').on(t.creditCode),
    uniqueIndex('organizations_gln_key').on(t.gln),
    index('organizations_created_at_id_idx').on(t.createdAt, t.id),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    name: text('name'),
    // sha256 of the secret part; the key itself is shown once and never stored.
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('api_keys_organization_id_idx').on(t.organizationId)],
);

export const sites = pgTable(
  'sites',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
    areaMu: numeric('area_mu', { precision: 14, scale: 3 }),
    gln: text('gln'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sites_gln_key').on(t.gln),
    index('sites_organization_id_created_at_id_idx').on(t.organizationId, t.createdAt, t.id),
    check('sites_location_pair', sql`(${t.lat} is null) = (${t.lon} is null)`),
  ],
);

/** The species catalogue: versioned data loaded by migrations, read-only through the API. */
export const species = pgTable('species', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  pinyin: text('pinyin').notNull(),
  nameEn: text('name_en').notNull(),
  latinName: text('latin_name').notNull(),
  sourceSpecies: jsonb('source_species').notNull(),
  kind: text('kind').notNull(),
  medicinalPartZh: text('medicinal_part_zh').notNull(),
  medicinalPartEn: text('medicinal_part_en').notNull(),
  catalogueVersion: integer('catalogue_version').notNull(),
});

/**
 * Idempotency-Key records. A row is inserted as `pending` before the handler runs (the unique key makes a
 * concurrent duplicate wait its turn) and completed with the response that is replayed to later retries.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').notNull(), // pending | done
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseContentType: text('response_content_type'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);
