import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, textArray, type Database } from '../../db/client.js';
import {
  analytes,
  certificates,
  giClaims,
  giProducts,
  giRegions,
  labGrants,
  labReports,
  labResultItems,
  monographs,
  organizations,
  pharmacopoeiaLimits,
} from '../../db/schema.js';

export type AnalyteRow = typeof analytes.$inferSelect;
export type MonographRow = typeof monographs.$inferSelect;
export type LimitRow = typeof pharmacopoeiaLimits.$inferSelect;
export type LabReportRow = typeof labReports.$inferSelect;
export type LabItemRow = typeof labResultItems.$inferSelect;
export type CertificateRow = typeof certificates.$inferSelect;
export type GiProductRow = typeof giProducts.$inferSelect;
export type GiClaimRow = typeof giClaims.$inferSelect;

export async function findAnalytes(db: Database, codes: string[]): Promise<Map<string, AnalyteRow>> {
  if (codes.length === 0) return new Map();
  const rows = await db.select().from(analytes).where(inArray(analytes.code, codes));
  return new Map(rows.map((r) => [r.code, r]));
}

/** The monograph for a lot: same species, its stage listed, and its form when the monograph names one (that row wins). */
export async function monographForLot(db: Database, lot: { speciesCode: string; stage: string; form: string | null }): Promise<MonographRow | undefined> {
  const rows = await db
    .select()
    .from(monographs)
    .where(
      and(
        eq(monographs.speciesCode, lot.speciesCode),
        sql`${lot.stage} = any(${monographs.stages})`,
        lot.form === null ? sql`${monographs.lotForm} is null` : sql`(${monographs.lotForm} is null or ${monographs.lotForm} = ${lot.form})`,
      ),
    )
    .orderBy(sql`${monographs.lotForm} is null`, asc(monographs.code));
  return rows[0];
}

export async function findMonograph(db: Database, code: string): Promise<MonographRow | undefined> {
  return (await db.select().from(monographs).where(eq(monographs.code, code)))[0];
}

/** The newest pharmacopoeia edition loaded (editions are years, so text order is time order). */
export async function newestEdition(db: Database): Promise<string | undefined> {
  const rows = await db.select({ edition: sql<string>`max(${pharmacopoeiaLimits.edition})` }).from(pharmacopoeiaLimits);
  return rows[0]?.edition ?? undefined;
}

export async function editionExists(db: Database, edition: string): Promise<boolean> {
  return (await db.select({ id: pharmacopoeiaLimits.id }).from(pharmacopoeiaLimits).where(eq(pharmacopoeiaLimits.edition, edition)).limit(1)).length > 0;
}

export async function limitsFor(db: Database, edition: string, monographCode: string): Promise<LimitRow[]> {
  return db
    .select()
    .from(pharmacopoeiaLimits)
    .where(and(eq(pharmacopoeiaLimits.edition, edition), eq(pharmacopoeiaLimits.monographCode, monographCode)))
    .orderBy(asc(pharmacopoeiaLimits.id));
}

export async function findLimits(db: Database, ids: string[]): Promise<Map<string, LimitRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(pharmacopoeiaLimits).where(inArray(pharmacopoeiaLimits.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

/** The lab's grant on the lot given by `grantedBy` (grants count only while their giver holds the lot). */
export async function findGrant(db: Database, lotId: string, labOrganizationId: string, grantedBy: string) {
  const rows = await db
    .select()
    .from(labGrants)
    .where(and(eq(labGrants.lotId, lotId), eq(labGrants.labOrganizationId, labOrganizationId), eq(labGrants.grantedBy, grantedBy)));
  return rows[0];
}

/**
 * The grants a lab holds that still count: those given by the lot's current holder, newest first, with the
 * lot's number, stage and species and the giver's name (what the lab needs to find its samples).
 */
export async function listGrantsForLab(db: Database, labOrganizationId: string, limit: number) {
  return queryRows<{ lot_id: string; lot_number: string; stage: string; species_code: string; status: string; granted_by: string; granted_by_name: string; created_at: Date | string }>(
    db,
    sql`select g.lot_id, l.lot_number, l.stage, l.species_code, l.status, g.granted_by, o.name as granted_by_name, g.created_at
          from lab_grants g
          join lots l on l.id = g.lot_id and l.holder_id = g.granted_by
          join organizations o on o.id = g.granted_by
         where g.lab_organization_id = ${labOrganizationId}
         order by g.created_at desc, g.lot_id
         limit ${limit}`,
  );
}

export async function insertGrant(db: Database, row: typeof labGrants.$inferInsert) {
  const [inserted] = await db.insert(labGrants).values(row).returning();
  return inserted!;
}

export async function reportNumberUsed(db: Database, lotId: string, reportNumber: string): Promise<boolean> {
  const rows = await db.select({ id: labReports.id }).from(labReports).where(and(eq(labReports.lotId, lotId), eq(labReports.reportNumber, reportNumber)));
  return rows.length > 0;
}

export async function insertReport(db: Database, report: typeof labReports.$inferInsert, items: (typeof labResultItems.$inferInsert)[]) {
  await db.insert(labReports).values(report);
  if (items.length > 0) await db.insert(labResultItems).values(items);
}

/** Reports of a lot with their submitter's name, newest test first. */
export async function reportsOfLot(db: Database, lotId: string) {
  return db
    .select({ report: labReports, submitterName: organizations.name })
    .from(labReports)
    .innerJoin(organizations, eq(organizations.id, labReports.submittedBy))
    .where(eq(labReports.lotId, lotId))
    .orderBy(desc(labReports.testedAt), desc(labReports.createdAt));
}

export async function itemsOfReports(db: Database, reportIds: string[]): Promise<LabItemRow[]> {
  if (reportIds.length === 0) return [];
  return db.select().from(labResultItems).where(inArray(labResultItems.reportId, reportIds)).orderBy(asc(labResultItems.reportId), asc(labResultItems.lineNo));
}

/** The latest report (by test time) of each of the lots. */
export async function latestReports(db: Database, lotIds: string[]) {
  if (lotIds.length === 0) return new Map<string, { id: string; reportNumber: string; verdict: string }>();
  const rows = await queryRows<{ lot_id: string; id: string; report_number: string; verdict: string }>(
    db,
    sql`select distinct on (lot_id) lot_id, id, report_number, verdict from lab_reports
        where lot_id = any(${textArray(lotIds)}) order by lot_id, tested_at desc, created_at desc`,
  );
  return new Map(rows.map((r) => [r.lot_id, { id: r.id, reportNumber: r.report_number, verdict: r.verdict }]));
}

/** Names of organisations by id (certificate holders and confirmers). */
export async function organizationNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertCertificate(db: Database, row: typeof certificates.$inferInsert): Promise<CertificateRow> {
  const [inserted] = await db.insert(certificates).values(row).returning();
  return inserted!;
}

export async function findCertificate(db: Database, id: string): Promise<CertificateRow | undefined> {
  return (await db.select().from(certificates).where(eq(certificates.id, id)))[0];
}

/** Whether the holder already recorded a certificate of this authority and number (unique per holder). */
export async function certificateNumberUsed(db: Database, organizationId: string, authority: string, number: string): Promise<boolean> {
  const rows = await db
    .select({ id: certificates.id })
    .from(certificates)
    .where(and(eq(certificates.organizationId, organizationId), eq(certificates.authority, authority), eq(certificates.number, number)));
  return rows.length > 0;
}

/** The certificate row, locked for the rest of the transaction (a confirmation re-checks it under the lock). */
export async function lockCertificate(db: Database, id: string): Promise<CertificateRow | undefined> {
  return (await db.select().from(certificates).where(eq(certificates.id, id)).for('update'))[0];
}

export async function markConfirmed(db: Database, id: string, confirmation: { confirmedBy: string; confirmedAt: Date; confirmEventId: string }): Promise<CertificateRow> {
  const [row] = await db
    .update(certificates)
    .set({ assertion: 'confirmed', ...confirmation })
    .where(eq(certificates.id, id))
    .returning();
  return row!;
}

/**
 * For each (authority, number) of `certificates`, the holders of that number: the caller lists the others
 * (two organisations claiming one number are both stored, and both shown).
 */
export async function holdersOfNumbers(db: Database, pairs: { authority: string; number: string }[]): Promise<Map<string, { id: string; name: string }[]>> {
  const result = new Map<string, { id: string; name: string }[]>();
  if (pairs.length === 0) return result;
  const unique = [...new Map(pairs.map((p) => [certificateNumberKey(p), p])).values()];
  const rows = await db
    .selectDistinct({ authority: certificates.authority, number: certificates.number, id: organizations.id, name: organizations.name })
    .from(certificates)
    .innerJoin(organizations, eq(organizations.id, certificates.organizationId))
    .where(sql`(${certificates.authority}, ${certificates.number}) in (${sql.join(unique.map((p) => sql`(${p.authority}, ${p.number})`), sql`, `)})`)
    .orderBy(asc(organizations.id));
  for (const r of rows) {
    const key = certificateNumberKey(r);
    result.set(key, [...(result.get(key) ?? []), { id: r.id, name: r.name }]);
  }
  return result;
}

export const certificateNumberKey = (c: { authority: string; number: string }) => `${c.authority}\u0000${c.number}`;

export async function listCertificates(
  db: Database,
  filter: {
    organizationId?: string | undefined;
    siteId?: string | undefined;
    kind?: string | undefined;
    giCode?: string | undefined;
    authority?: string | undefined;
    number?: string | undefined;
    assertion?: string | undefined;
  },
) {
  const conditions = [];
  if (filter.organizationId) conditions.push(eq(certificates.organizationId, filter.organizationId));
  if (filter.siteId) conditions.push(eq(certificates.siteId, filter.siteId));
  if (filter.kind) conditions.push(eq(certificates.kind, filter.kind));
  if (filter.giCode) conditions.push(eq(certificates.giCode, filter.giCode));
  if (filter.authority) conditions.push(eq(certificates.authority, filter.authority));
  if (filter.number) conditions.push(eq(certificates.number, filter.number));
  if (filter.assertion) conditions.push(eq(certificates.assertion, filter.assertion));
  return db.select().from(certificates).where(and(...conditions)).orderBy(asc(certificates.createdAt), asc(certificates.id)).limit(1000);
}

/** GAP certificates of the sites (confirmed or not) valid on some day; the caller checks the day and the assertion. */
export async function gapCertificatesOfSites(db: Database, siteIds: string[]): Promise<CertificateRow[]> {
  if (siteIds.length === 0) return [];
  return db.select().from(certificates).where(and(eq(certificates.kind, 'gap'), inArray(certificates.siteId, siteIds)));
}

/**
 * The GI-use authorisation of the organisation for the GI valid on `day` (YYYY-MM-DD): a confirmed one when
 * there is one, else a self-declared one (which the caller refuses, saying why).
 */
export async function validGiAuthorisation(db: Database, organizationId: string, giCode: string, day: string): Promise<CertificateRow | undefined> {
  const rows = await db
    .select()
    .from(certificates)
    .where(
      and(
        eq(certificates.kind, 'gi_use'),
        eq(certificates.organizationId, organizationId),
        eq(certificates.giCode, giCode),
        sql`${certificates.validFrom} <= ${day}`,
        sql`${certificates.validUntil} >= ${day}`,
      ),
    )
    .orderBy(sql`${certificates.assertion} = 'confirmed' desc`, desc(certificates.validUntil))
    .limit(1);
  return rows[0];
}

export async function listGiProducts(db: Database): Promise<GiProductRow[]> {
  return db.select().from(giProducts).orderBy(asc(giProducts.code));
}

export async function findGiProduct(db: Database, code: string): Promise<GiProductRow | undefined> {
  return (await db.select().from(giProducts).where(eq(giProducts.code, code)))[0];
}

export async function giRegionCodes(db: Database, giCodes: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(giCodes.map((c) => [c, []]));
  if (giCodes.length === 0) return result;
  const rows = await db.select().from(giRegions).where(inArray(giRegions.giCode, giCodes)).orderBy(asc(giRegions.regionCode));
  for (const r of rows) result.get(r.giCode)!.push(r.regionCode);
  return result;
}

export async function replaceGiRegions(db: Database, giCode: string, regionCodes: string[], verified: boolean, source: string | null) {
  await db.delete(giRegions).where(eq(giRegions.giCode, giCode));
  if (regionCodes.length > 0) await db.insert(giRegions).values(regionCodes.map((regionCode) => ({ giCode, regionCode })));
  await db.update(giProducts).set({ regionsVerified: verified, regionsSource: source, regionsUpdatedAt: new Date() }).where(eq(giProducts.code, giCode));
}

/** Each region code with itself and every division above it (county → prefecture → province). */
export async function regionLineage(db: Database, codes: string[]): Promise<Map<string, Set<string>>> {
  const result = new Map<string, Set<string>>();
  if (codes.length === 0) return result;
  const rows = await queryRows<{ start: string; code: string }>(
    db,
    sql`with recursive up(start, code, parent_code) as (
          select r.code, r.code, r.parent_code from regions r where r.code = any(${textArray(codes)})
          union all
          select up.start, r.code, r.parent_code from regions r join up on r.code = up.parent_code
        )
        select start, code from up`,
  );
  for (const r of rows) {
    const set = result.get(r.start) ?? new Set<string>();
    set.add(r.code);
    result.set(r.start, set);
  }
  return result;
}

export async function findGiClaim(db: Database, lotId: string, giCode: string): Promise<GiClaimRow | undefined> {
  return (await db.select().from(giClaims).where(and(eq(giClaims.lotId, lotId), eq(giClaims.giCode, giCode))))[0];
}

export async function giClaimsOfLot(db: Database, lotId: string): Promise<GiClaimRow[]> {
  return db.select().from(giClaims).where(eq(giClaims.lotId, lotId)).orderBy(asc(giClaims.claimedAt));
}

export async function insertGiClaim(db: Database, row: typeof giClaims.$inferInsert) {
  await db.insert(giClaims).values(row);
}

/**
 * For custody: the organisation and insertion order of the events that made the edges, and every receipt
 * of the lots (the only event that moves custody: a dispatch keeps the sender as holder until receipt).
 */
export async function custodyEvents(db: Database, edgeEventIds: string[], lotIds: string[]) {
  const edgeEvents =
    edgeEventIds.length === 0
      ? []
      : await queryRows<{ id: string; organization_id: string; seq: number | string }>(
          db,
          sql`select id, organization_id, seq from events where id = any(${textArray(edgeEventIds)})`,
        );
  const receipts =
    lotIds.length === 0
      ? []
      : await queryRows<{ lot_id: string; organization_id: string; seq: number | string }>(
          db,
          sql`select el.lot_id, e.organization_id, e.seq from event_lots el join events e on e.id = el.event_id
              where el.role = 'received' and el.lot_id = any(${textArray(lotIds)}) order by e.seq`,
        );
  return {
    edgeEvents: new Map(edgeEvents.map((e) => [e.id, { organizationId: e.organization_id, seq: Number(e.seq) }])),
    receipts: receipts.map((r) => ({ lotId: r.lot_id, organizationId: r.organization_id, seq: Number(r.seq) })),
  };
}

export async function listAnalytes(db: Database): Promise<AnalyteRow[]> {
  return db.select().from(analytes).orderBy(asc(analytes.category), asc(analytes.code));
}

export async function listLimits(db: Database, edition: string, monographCode: string | undefined): Promise<LimitRow[]> {
  const conditions = [eq(pharmacopoeiaLimits.edition, edition)];
  if (monographCode) conditions.push(eq(pharmacopoeiaLimits.monographCode, monographCode));
  return db.select().from(pharmacopoeiaLimits).where(and(...conditions)).orderBy(asc(pharmacopoeiaLimits.monographCode), asc(pharmacopoeiaLimits.id));
}

/** The hold events that failing reports of the lot caused: report id → event id. */
export async function holdEventsOfReports(db: Database, lotId: string): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; report_id: string }>(
    db,
    sql`select e.id, e.data->>'labReportId' as report_id from events e join event_lots el on el.event_id = e.id
        where el.lot_id = ${lotId} and e.type = 'status_changed' and e.data->>'labReportId' is not null`,
  );
  return new Map(rows.map((r) => [r.report_id, r.id]));
}
