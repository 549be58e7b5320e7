import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
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

/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()), as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

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
    // What the key may do for its organisation: owner | recorder | viewer (access/policy.ts).
    role: text('role').notNull().default('owner'),
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
 * Idempotency-Key records. Claimed (`pending`) as the first statement of the write's own transaction and
 * completed (`done`) with its answer before that transaction commits, so a committed record is always `done`:
 * the unique key makes a concurrent duplicate wait for the first one's commit. See plugins/idempotency.ts.
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
    responseLocation: text('response_location'),
    // Instead of a large or secret body: what the route needs to rebuild the answer on a replay (see
    // plugins/idempotency.ts). responseBody is then null.
    responseReplay: jsonb('response_replay'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);

/*
 * The lot chain. `lots` holds each lot's current state (remaining quantity, holder, status, shipment in
 * transit); it changes only in the same transaction as the event that explains the change. `events`,
 * `event_lots` and `lot_edges` are the append-only history: database triggers refuse UPDATE and DELETE.
 * Quantities are numeric with 3 decimals in the lot's own unit; arithmetic happens on bigint thousandths.
 */
export const lots = pgTable(
  'lots',
  {
    id: text('id').primaryKey(),
    lotNumber: text('lot_number').notNull(),
    stage: text('stage').notNull(),
    speciesCode: text('species_code')
      .notNull()
      .references(() => species.code),
    producerId: text('producer_id')
      .notNull()
      .references(() => organizations.id),
    holderId: text('holder_id')
      .notNull()
      .references(() => organizations.id),
    // Where the lot was produced: never changes, it is what provenance and origin shares report.
    siteId: text('site_id').references(() => sites.id),
    // Where the lot is now, when a receiver named a site on receipt; null while it is where it was produced.
    locationSiteId: text('location_site_id').references(() => sites.id),
    quantity: numeric('quantity', { precision: 20, scale: 3 }).notNull(),
    remaining: numeric('remaining', { precision: 20, scale: 3 }).notNull(),
    unit: text('unit').notNull(),
    status: text('status').notNull().default('active'),
    // Set while the lot travels in a shipment that is not yet received or refused.
    shipmentId: text('shipment_id'),
    producedAt: timestamp('produced_at', { withTimezone: true, precision: 3 }).notNull(),
    // The UTC offset the client wrote producedAt with, in minutes, so it is returned as sent.
    producedAtOffset: integer('produced_at_offset').notNull(),
    attributes: jsonb('attributes').notNull(),
    origin: jsonb('origin').notNull(),
    // How the lot was made ({steps: [{op, params}]}), copied from its creating transformation: provenance
    // shows it for every ancestor without reading thousands of events.
    process: jsonb('process'),
    gtin: text('gtin'),
    createdByEventId: text('created_by_event_id').notNull(),
    // The lot's edges to its parents (parallel arrays: parent lot, quantity drawn, its unit), a copy of its
    // lot_edges rows written with them by the event that made the lot, and like them never changed (a lot's
    // parents are fixed when it is made). Provenance walks up through lots alone: one primary-key lookup per
    // ancestor instead of an edge lookup and a lot lookup.
    parentLotIds: text('parent_lot_ids').array().notNull().default(sql`'{}'::text[]`),
    parentQuantities: numeric('parent_quantities', { precision: 20, scale: 3 }).array().notNull().default(sql`'{}'::numeric[]`),
    parentUnits: text('parent_units').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('lots_producer_lot_number_key').on(t.producerId, t.lotNumber),
    index('lots_holder_created_at_id_idx').on(t.holderId, t.createdAt, t.id),
    index('lots_producer_created_at_id_idx').on(t.producerId, t.createdAt, t.id),
    index('lots_created_at_id_idx').on(t.createdAt, t.id),
    check('lots_remaining_range', sql`${t.remaining} >= 0 and ${t.remaining} <= ${t.quantity}`),
    check('lots_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    occurredAtOffset: integer('occurred_at_offset').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // Insertion order: events of one transaction share recordedAt, and a lot's creating event must sort
    // before what happened to the lot next (a split before its dispatch).
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    data: jsonb('data').notNull(),
    // Who recorded it: `api_key` (actor_key_id), `user` (actor_user_id) or `admin`. Events from before the
    // event store name no key (actor_key_id null).
    actorKind: text('actor_kind').notNull(),
    actorKeyId: text('actor_key_id'),
    actorUserId: text('actor_user_id').references((): AnyPgColumn => users.id),
    // The writing transaction: consumers read events in (tx_id, seq) order below the oldest running
    // transaction, so an event that commits late is never skipped (events/queue.ts).
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [index('events_organization_id_idx').on(t.organizationId), index('events_tx_id_seq_idx').on(t.txId, t.seq)],
);

/** Where each consumer of the event queue stands (events/queue.ts): the last (tx_id, seq) it has taken. */
export const eventConsumers = pgTable('event_consumers', {
  name: text('name').primaryKey(),
  lastTxId: xid8('last_tx_id').notNull().default(sql`'0'::xid8`),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** Which lots an event concerns and how: input, output, subject, shipped, received, cascade … */
export const eventLots = pgTable(
  'event_lots',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    role: text('role').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.lotId, t.role] }),
    index('event_lots_lot_id_idx').on(t.lotId),
    // What happened to a lot itself (made, shipped, held, observed...), without its consumption into other lots: a
    // lot drawn on by many products is an input thousands of times. Read index-only by the chain export.
    index('event_lots_lot_id_own_idx')
      .on(t.lotId, t.eventId)
      .where(sql`${t.role} <> 'input'`),
  ],
);

/** The genealogy: material of `parentLotId` went into `childLotId` in the transformation `eventId`. */
export const lotEdges = pgTable(
  'lot_edges',
  {
    parentLotId: text('parent_lot_id')
      .notNull()
      .references(() => lots.id),
    childLotId: text('child_lot_id')
      .notNull()
      .references(() => lots.id),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    // How much of the parent the event consumed in all (in the parent's unit); shared by the event's outputs.
    parentQuantity: numeric('parent_quantity', { precision: 20, scale: 3 }).notNull(),
    parentUnit: text('parent_unit').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.parentLotId, t.childLotId, t.eventId] }),
    index('lot_edges_child_lot_id_idx').on(t.childLotId),
  ],
);

export const shipments = pgTable(
  'shipments',
  {
    id: text('id').primaryKey(),
    fromOrganizationId: text('from_organization_id')
      .notNull()
      .references(() => organizations.id),
    toOrganizationId: text('to_organization_id')
      .notNull()
      .references(() => organizations.id),
    status: text('status').notNull(), // in_transit | received | refused
    shippedAt: timestamp('shipped_at', { withTimezone: true, precision: 3 }).notNull(),
    shippedAtOffset: integer('shipped_at_offset').notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true, precision: 3 }),
    closedAtOffset: integer('closed_at_offset'),
    dispatchEventId: text('dispatch_event_id').notNull(),
    closeEventId: text('close_event_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('shipments_from_created_at_id_idx').on(t.fromOrganizationId, t.createdAt, t.id),
    index('shipments_to_created_at_id_idx').on(t.toOrganizationId, t.createdAt, t.id),
  ],
);

export const shipmentLines = pgTable(
  'shipment_lines',
  {
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.id),
    lineNo: integer('line_no').notNull(),
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    // The lot named in the request; differs from lotId when a partial quantity was split off to travel.
    sourceLotId: text('source_lot_id')
      .notNull()
      .references(() => lots.id),
    quantity: numeric('quantity', { precision: 20, scale: 3 }).notNull(),
    unit: text('unit').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shipmentId, t.lineNo] }), index('shipment_lines_lot_id_idx').on(t.lotId)],
);

/*
 * Quality. Reference data (analytes, monographs, pharmacopoeia limits, GI products and their protected
 * regions) is loaded by data migrations: a new pharmacopoeia edition is a new migration, never a code change.
 */

/** The controlled vocabulary of lab analytes and the units a result for each may be reported in. */
export const analytes = pgTable('analytes', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  category: text('category').notNull(), // assay | moisture | ash | heavy_metal | pesticide | so2 | other
  units: text('units').array().notNull(),
});

/**
 * A pharmacopoeia monograph (material and form) and which lots it applies to: lots of `speciesCode` at one
 * of `stages` whose attributes.form equals `lotForm` (a row with a null lotForm applies to any other form).
 */
export const monographs = pgTable('monographs', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  latinName: text('latin_name'),
  speciesCode: text('species_code')
    .notNull()
    .references(() => species.code),
  stages: text('stages').array().notNull(),
  lotForm: text('lot_form'),
});

/** One limit of one edition: "不得少于" is gte, "不得过" is lte. `required` items must be in a report for a pass. */
export const pharmacopoeiaLimits = pgTable(
  'pharmacopoeia_limits',
  {
    id: text('id').primaryKey(),
    edition: text('edition').notNull(),
    monographCode: text('monograph_code')
      .notNull()
      .references(() => monographs.code),
    analyteCode: text('analyte_code')
      .notNull()
      .references(() => analytes.code),
    comparator: text('comparator').notNull(), // gte | lte
    value: numeric('value', { precision: 20, scale: 6 }).notNull(),
    unit: text('unit').notNull(),
    basis: text('basis').notNull(), // as_is | dried
    required: boolean('required').notNull().default(false),
    methodReference: text('method_reference'),
    verified: boolean('verified').notNull().default(false),
    source: text('source').notNull(),
  },
  (t) => [
    uniqueIndex('pharmacopoeia_limits_edition_monograph_analyte_key').on(t.edition, t.monographCode, t.analyteCode),
    check('pharmacopoeia_limits_comparator', sql`${t.comparator} in ('gte', 'lte')`),
    check('pharmacopoeia_limits_basis', sql`${t.basis} in ('as_is', 'dried')`),
  ],
);

/** The holder of a lot lets a lab organisation submit results for it. */
export const labGrants = pgTable(
  'lab_grants',
  {
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    labOrganizationId: text('lab_organization_id')
      .notNull()
      .references(() => organizations.id),
    grantedBy: text('granted_by')
      .notNull()
      .references(() => organizations.id),
    // No foreign key to events (like lots.created_by_event_id): the events table's TRUNCATE guard must stay
    // the database's answer to a TRUNCATE, and the event is written in the same transaction anyway.
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.lotId, t.labOrganizationId, t.grantedBy] })],
);

/** A lab report on a lot, judged against one edition of one monograph when it was submitted. */
export const labReports = pgTable(
  'lab_reports',
  {
    id: text('id').primaryKey(),
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    reportNumber: text('report_number').notNull(),
    submittedBy: text('submitted_by')
      .notNull()
      .references(() => organizations.id),
    sampledAt: timestamp('sampled_at', { withTimezone: true, precision: 3 }).notNull(),
    sampledAtOffset: integer('sampled_at_offset').notNull(),
    testedAt: timestamp('tested_at', { withTimezone: true, precision: 3 }).notNull(),
    testedAtOffset: integer('tested_at_offset').notNull(),
    edition: text('edition'),
    monographCode: text('monograph_code').references(() => monographs.code),
    verdict: text('verdict').notNull(), // pass | fail | incomplete
    missing: text('missing').array().notNull(),
    // No foreign key to events (like lots.created_by_event_id): the events table's TRUNCATE guard must stay
    // the database's answer to a TRUNCATE, and the event is written in the same transaction anyway.
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lab_reports_lot_report_number_key').on(t.lotId, t.reportNumber)],
);

export const labResultItems = pgTable(
  'lab_result_items',
  {
    reportId: text('report_id')
      .notNull()
      .references(() => labReports.id),
    lineNo: integer('line_no').notNull(),
    analyteCode: text('analyte_code')
      .notNull()
      .references(() => analytes.code),
    value: numeric('value', { precision: 20, scale: 6 }).notNull(),
    unit: text('unit').notNull(),
    basis: text('basis').notNull(),
    method: text('method'),
    loq: numeric('loq', { precision: 20, scale: 6 }),
    limitId: text('limit_id').references(() => pharmacopoeiaLimits.id),
    comparedValue: text('compared_value'),
    verdict: text('verdict').notNull(), // pass | fail | no_limit | undetermined
  },
  (t) => [primaryKey({ columns: [t.reportId, t.lineNo] })],
);

/** Geographical-indication products (地理标志产品); their protected regions are configurable data. */
export const giProducts = pgTable('gi_products', {
  code: text('code').primaryKey(),
  nameZh: text('name_zh').notNull(),
  speciesCode: text('species_code').references(() => species.code),
  regionsVerified: boolean('regions_verified').notNull().default(false),
  regionsSource: text('regions_source'),
  regionsUpdatedAt: timestamp('regions_updated_at', { withTimezone: true, precision: 3 }),
});

/** A protected region of a GI: a division code at any level; a site lies inside when its region is it or below it. */
export const giRegions = pgTable(
  'gi_regions',
  {
    giCode: text('gi_code')
      .notNull()
      .references(() => giProducts.code),
    regionCode: text('region_code')
      .notNull()
      .references(() => regions.code),
  },
  (t) => [primaryKey({ columns: [t.giCode, t.regionCode] })],
);

/** GAP, organic and other certificates of an organisation (or one of its sites), and GI-use authorisations. */
export const certificates = pgTable(
  'certificates',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    kind: text('kind').notNull(), // gap | organic | gi_use | other
    siteId: text('site_id').references(() => sites.id),
    giCode: text('gi_code').references(() => giProducts.code),
    product: text('product'),
    authority: text('authority').notNull(),
    number: text('number').notNull(),
    validFrom: text('valid_from').notNull(), // YYYY-MM-DD
    validUntil: text('valid_until').notNull(),
    // Who stands behind it: `self_declared` (recorded by its holder) or `confirmed` by a regulator or certifier.
    assertion: text('assertion').notNull().default('self_declared'),
    confirmedBy: text('confirmed_by').references(() => organizations.id),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true, precision: 3 }),
    confirmEventId: text('confirm_event_id'),
    // No foreign key to events (like lots.created_by_event_id): the events table's TRUNCATE guard must stay
    // the database's answer to a TRUNCATE, and the event is written in the same transaction anyway.
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Per holder: another organisation claiming the same number is visible to regulators, not refused.
    uniqueIndex('certificates_holder_authority_number_key').on(t.organizationId, t.authority, t.number),
    index('certificates_authority_number_idx').on(t.authority, t.number),
    index('certificates_organization_id_idx').on(t.organizationId),
    index('certificates_site_id_idx').on(t.siteId),
  ],
);

/** A lot's claim to a GI, accepted after its origins and its producer's authorisation were checked. */
export const giClaims = pgTable(
  'gi_claims',
  {
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    giCode: text('gi_code')
      .notNull()
      .references(() => giProducts.code),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    certificateId: text('certificate_id')
      .notNull()
      .references(() => certificates.id),
    claimedAt: timestamp('claimed_at', { withTimezone: true, precision: 3 }).notNull(),
    claimedAtOffset: integer('claimed_at_offset').notNull(),
    // No foreign key to events (like lots.created_by_event_id): the events table's TRUNCATE guard must stay
    // the database's answer to a TRUNCATE, and the event is written in the same transaction anyway.
    eventId: text('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.lotId, t.giCode] })],
);

/*
 * Consumer codes. A code is a unit's (or a whole lot's) unguessable serial; its URL is derived from the lot
 * (GS1 Digital Link when the lot has a GTIN) and PUBLIC_BASE_URL, so it is not stored per row.
 */
export const codes = pgTable(
  'codes',
  {
    code: text('code').primaryKey(),
    lotId: text('lot_id')
      .notNull()
      .references(() => lots.id),
    level: text('level').notNull(), // unit | lot
    issuedBy: text('issued_by')
      .notNull()
      .references(() => organizations.id),
    // No foreign key to events: see lab_grants.event_id.
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
    voidedAt: timestamp('voided_at', { withTimezone: true, precision: 3 }),
    voidReason: text('void_reason'),
    voidEventId: text('void_event_id'),
  },
  (t) => [uniqueIndex('codes_lot_id_code_key').on(t.lotId, t.code)],
);

/** Every consumer resolve of a code: coarse network only (a /24 or /48 prefix), never the full address. */
export const codeScans = pgTable(
  'code_scans',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    code: text('code').notNull(),
    lotId: text('lot_id').notNull(),
    scannedAt: timestamp('scanned_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    network: text('network'),
    // A device id (hash of a first-party cookie) where the client keeps one; null otherwise.
    device: text('device'),
    userAgent: text('user_agent'),
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
    regionCode: text('region_code'),
    verdict: text('verdict').notNull(),
  },
  (t) => [index('code_scans_code_scanned_at_idx').on(t.code, t.scannedAt), index('code_scans_lot_id_scanned_at_idx').on(t.lotId, t.scannedAt)],
);

// ---------------------------------------------------------------------------------------------------------------
// People (design.md §9): users of an organisation, their sessions, recovery codes, and the security events an
// owner reads. Secrets are never stored in clear: passwords as argon2id hashes, setup codes, session ids and
// recovery codes as SHA-256 of high-entropy values, TOTP seeds sealed with the secret key (lib/secret-box.ts).

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    // As the owner typed it; unique without regard to case (the index below).
    login: text('login').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    // owner | recorder | viewer (access/policy.ts)
    role: text('role').notNull(),
    // pending (setup code issued, no password yet) | active | deactivated
    status: text('status').notNull(),
    passwordHash: text('password_hash'),
    passwordChangedAt: at('password_changed_at'),
    setupCodeHash: text('setup_code_hash'),
    setupCodeExpiresAt: at('setup_code_expires_at'),
    // Sealed TOTP seeds: the confirmed one, and one being enrolled until its first code is confirmed.
    totpSecret: text('totp_secret'),
    totpPendingSecret: text('totp_pending_secret'),
    totpEnabledAt: at('totp_enabled_at'),
    // The last 30-second step whose code was accepted: a code is good once (RFC 6238 §5.2).
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    createdAt: createdAt(),
    // Who created the user: `admin`, a user id or an API key id.
    createdBy: text('created_by').notNull(),
    deactivatedAt: at('deactivated_at'),
  },
  (t) => [uniqueIndex('users_login_key').on(sql`lower(${t.login})`), index('users_organization_id_idx').on(t.organizationId, t.createdAt, t.id)],
);

export const userRecoveryCodes = pgTable(
  'user_recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: at('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

export const sessions = pgTable(
  'sessions',
  {
    // The public id, shown in the list of one's sessions; the cookie holds another value, stored only as its hash.
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    // office (short idle timeout) | device (a field phone kept signed in)
    kind: text('kind').notNull(),
    // How the person signed in: setup-code+password, password, password+totp, password+recovery-code, …
    method: text('method').notNull(),
    createdAt: createdAt(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
    idleSeconds: integer('idle_seconds').notNull(),
    expiresAt: at('expires_at').notNull(),
    revokedAt: at('revoked_at'),
    revokedReason: text('revoked_reason'),
    userAgent: text('user_agent'),
    address: text('address'),
  },
  (t) => [uniqueIndex('sessions_token_hash_key').on(t.tokenHash), index('sessions_user_id_idx').on(t.userId, t.createdAt)],
);

export const securityEvents = pgTable(
  'security_events',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    at: at('at').notNull().defaultNow(),
    // login-failed, login-throttled, login, setup-failed, setup, totp-failed, csrf-refused, session-refused,
    // forbidden, not-found, member-created, role-changed, member-deactivated, sessions-ended, password-changed, …
    kind: text('kind').notNull(),
    organizationId: text('organization_id'),
    userId: text('user_id'),
    // The login as typed (lower case), also for logins that do not exist: the throttle counts it.
    login: text('login'),
    address: text('address'),
    detail: text('detail'),
  },
  (t) => [
    index('security_events_login_idx').on(t.login, t.at),
    index('security_events_address_idx').on(t.address, t.at),
    index('security_events_organization_idx').on(t.organizationId, t.id),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// The verifiable log (modules/tlog/log.*): a Merkle tree over every event, stored in the C2SP tlog-tiles
// shape. Written by the sequencer only; nothing here holds an event's content (entries are salted commitments).

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** The tree as of its latest checkpoint: one row. `edge` is its right edge (the perfect-subtree hashes, largest first), concatenated. */
export const logState = pgTable(
  'log_state',
  {
    id: integer('id').primaryKey(),
    size: bigint('size', { mode: 'number' }).notNull(),
    root: bytea('root').notNull(),
    edge: bytea('edge').notNull(),
    // The signed checkpoint note of this size, served at /log/checkpoint.
    checkpoint: text('checkpoint').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('log_state_one_row', sql`${t.id} = 1`)],
);

/** Every checkpoint the log signed (a monitor can ask for consistency between any two of them). */
export const logCheckpoints = pgTable('log_checkpoints', {
  size: bigint('size', { mode: 'number' }).primaryKey(),
  checkpoint: text('checkpoint').notNull(),
  createdAt: createdAt(),
});

/**
 * Leaf `index` of the tree: the event's salted commitment SHA-256(salt ‖ RFC 8785 JSON of its record). No
 * foreign key to events on purpose: the log is the evidence of what was recorded, and stays when a row is lost.
 */
export const logEntries = pgTable(
  'log_entries',
  {
    index: bigint('index', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull(),
    salt: bytea('salt').notNull(),
    commitment: bytea('commitment').notNull(),
  },
  (t) => [uniqueIndex('log_entries_event_id_key').on(t.eventId)],
);

/** Full tiles (256 hashes of Merkle level 8·level): immutable once written. */
export const logTiles = pgTable(
  'log_tiles',
  {
    level: integer('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** The partial tile (fewer than 256 hashes) of each level at the current size; replaced as the tree grows. */
export const logPartialTiles = pgTable(
  'log_partial_tiles',
  {
    level: integer('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    width: integer('width').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Full entry bundles (the 256 entries behind a level-0 tile): immutable once written. */
export const logEntryBundles = pgTable('log_entry_bundles', {
  index: bigint('index', { mode: 'number' }).primaryKey(),
  data: bytea('data').notNull(),
});

/** The partial entry bundle at the current size. */
export const logPartialEntryBundles = pgTable('log_partial_entry_bundles', {
  index: bigint('index', { mode: 'number' }).primaryKey(),
  width: integer('width').notNull(),
  data: bytea('data').notNull(),
});

/**
 * The lots of each leaf's event, as the sequencer saw them: a lot's reader learns which log entries belong to
 * the lot from the log's own tables, so an event deleted from the event store afterwards is still named by the
 * verifier (its entry stays, its record is gone). Append-only.
 */
export const logEntryLots = pgTable(
  'log_entry_lots',
  {
    lotId: text('lot_id').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.lotId, t.index] })],
);

/**
 * Witnesses' cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1) of checkpoints the log published,
 * verified against a configured witness key (HERBTRACE_LOG_WITNESSES) before they are stored; served appended to
 * that checkpoint. One per witness key and checkpoint size; append-only.
 */
export const logCosignatures = pgTable(
  'log_cosignatures',
  {
    size: bigint('size', { mode: 'number' }).notNull(),
    keyName: text('key_name').notNull(),
    keyId: bigint('key_id', { mode: 'number' }).notNull(),
    // The witness's own POSIX timestamp inside the signature.
    signedAt: bigint('signed_at', { mode: 'number' }).notNull(),
    // The signature line as the witness wrote it, without its newline.
    line: text('line').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.size, t.keyName, t.keyId] })],
);

/**
 * The EPCIS index (epcis module): every event's EPCIS 2.0 form as it was first indexed by the queue consumer
 * `epcis-index`, with its CBV 2.0 Event Hash ID and the SimpleEventQuery fields. `document` is the event's
 * JSON text, served as it is by the query routes and the chain export, so every answer shows the same form and
 * eventID. `position` is the indexing (commit) order, the query's keyset. Vocabulary values (bizStep,
 * disposition) are full Web URIs; the EPC lists hold each identifier as written and in GS1 canonical form.
 * The lots an event concerns (for the read rule) are event_lots'.
 */
export const epcisEvents = pgTable(
  'epcis_events',
  {
    eventId: text('event_id')
      .primaryKey()
      .references(() => events.id),
    position: bigint('position', { mode: 'number' }).generatedAlwaysAsIdentity(),
    eventHashId: text('event_hash_id').notNull(),
    organizationId: text('organization_id').notNull(),
    eventType: text('event_type').notNull(),
    eventTime: timestamp('event_time', { withTimezone: true, precision: 3 }).notNull(),
    recordTime: timestamp('record_time', { withTimezone: true, precision: 3 }).notNull(),
    bizStep: text('biz_step'),
    disposition: text('disposition'),
    readPoint: text('read_point'),
    bizLocation: text('biz_location'),
    // epcList and childEPCs (MATCH_epc); every EPC field, parentID and input/output lists included (MATCH_anyEPC).
    epcs: text('epcs').array().notNull(),
    anyEpcs: text('any_epcs').array().notNull(),
    // quantityList and childQuantityList classes (MATCH_epcClass); input/output quantity lists too (MATCH_anyEPCClass).
    epcClasses: text('epc_classes').array().notNull(),
    anyEpcClasses: text('any_epc_classes').array().notNull(),
    document: text('document').notNull(),
    indexedAt: timestamp('indexed_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('epcis_events_event_hash_id_key').on(t.eventHashId),
    uniqueIndex('epcis_events_position_key').on(t.position),
    index('epcis_events_event_time_idx').on(t.eventTime, t.position),
    index('epcis_events_record_time_idx').on(t.recordTime, t.position),
    index('epcis_events_biz_step_idx').on(t.bizStep, t.position),
    index('epcis_events_biz_location_idx').on(t.bizLocation, t.position),
    index('epcis_events_read_point_idx').on(t.readPoint, t.position),
    index('epcis_events_epcs_idx').using('gin', t.epcs),
    index('epcis_events_any_epcs_idx').using('gin', t.anyEpcs),
    index('epcis_events_epc_classes_idx').using('gin', t.epcClasses),
    index('epcis_events_any_epc_classes_idx').using('gin', t.anyEpcClasses),
  ],
);
