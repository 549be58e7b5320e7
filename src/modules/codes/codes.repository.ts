import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';
import { codes, codeScans } from '../../db/schema.js';

export type CodeRow = typeof codes.$inferSelect;
export type NewScanRow = typeof codeScans.$inferInsert;

/** Rows per INSERT: one text[] parameter each, so the statement stays small whatever the count. */
const INSERT_CHUNK = 25_000;

/**
 * Inserts the codes set-based: each chunk is one `INSERT … SELECT unnest($codes)` with the serials as one
 * array parameter (a VALUES list of 100,000 rows would pass PostgreSQL's 65,535-parameter limit).
 */
export async function insertCodes(db: Database, r: { codes: string[]; lotId: string; level: string; issuedBy: string; eventId: string }) {
  for (let i = 0; i < r.codes.length; i += INSERT_CHUNK) {
    const chunk = r.codes.slice(i, i + INSERT_CHUNK);
    await db.execute(sql`insert into codes (code, lot_id, level, issued_by, event_id)
      select c, ${r.lotId}, ${r.level}, ${r.issuedBy}, ${r.eventId} from unnest(${`{${chunk.join(',')}}`}::text[]) as c`);
  }
}

export async function listCodes(db: Database, lotId: string, afterCode: string | undefined, limit: number): Promise<CodeRow[]> {
  return db
    .select()
    .from(codes)
    .where(and(eq(codes.lotId, lotId), afterCode === undefined ? undefined : gt(codes.code, afterCode)))
    .orderBy(asc(codes.code))
    .limit(limit);
}

export async function findCode(db: Database, code: string): Promise<CodeRow | undefined> {
  const rows = await db.select().from(codes).where(eq(codes.code, code));
  return rows[0];
}

export async function voidCode(db: Database, code: string, reason: string, eventId: string): Promise<void> {
  await db.execute(sql`update codes set voided_at = now(), void_reason = ${reason}, void_event_id = ${eventId} where code = ${code}`);
}

/** The code with what the consumer page needs of its lot, producer and species, in one indexed lookup. */
export interface ResolveRow {
  code: string;
  level: string;
  voided: boolean;
  lotId: string;
  lotNumber: string;
  stage: string;
  status: string;
  gtin: string | null;
  producedAtMs: number;
  producedAtOffset: number;
  attributes: Record<string, unknown>;
  producerId: string;
  producerName: string;
  producerRegionCode: string;
  speciesCode: string;
  speciesNameZh: string;
  speciesNameEn: string;
  latinName: string;
}

export async function findResolveRow(db: Database, code: string): Promise<ResolveRow | undefined> {
  const [row] = await queryRows<ResolveRow>(
    db,
    sql`select c.code, c.level, (c.voided_at is not null) as voided, l.id as "lotId", l.lot_number as "lotNumber", l.stage, l.status, l.gtin,
          (extract(epoch from l.produced_at) * 1000)::float8 as "producedAtMs", l.produced_at_offset as "producedAtOffset", l.attributes,
          l.producer_id as "producerId", o.name as "producerName", o.region_code as "producerRegionCode",
          s.code as "speciesCode", s.name_zh as "speciesNameZh", s.name_en as "speciesNameEn", s.latin_name as "latinName"
        from codes c join lots l on l.id = c.lot_id join organizations o on o.id = l.producer_id join species s on s.code = l.species_code
        where c.code = ${code}`,
  );
  if (!row) return undefined;
  return { ...row, producedAtMs: Number(row.producedAtMs), attributes: (typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes) as Record<string, unknown> };
}

export interface ScanRules {
  since: Date;
  suspiciousCount: number;
  distanceKm: number;
}

/**
 * The whole scan in one statement (one round trip: on this stack each query's socket write is the main CPU
 * cost): finds the code with its lot, counts the code's scans in the window, measures the new location
 * against the located ones, decides the verdict and records the scan. Suspicious: a unit code whose scans,
 * this one included, exceed the count, that was scanned more than `distanceKm` away from this place, or that
 * was already judged suspicious within the window. Void and recalled come first. Nothing is written for an
 * unknown code.
 */
export async function scanCode(db: Database, code: string, scan: Omit<NewScanRow, 'code' | 'lotId' | 'verdict'>, rules: ScanRules) {
  const lat = scan.lat ?? null;
  const lon = scan.lon ?? null;
  const [row] = await queryRows<ResolveRow & { count: number; verdict: string }>(
    db,
    sql`with c as (
          select c.code, c.level, (c.voided_at is not null) as voided, l.id as "lotId", l.lot_number as "lotNumber", l.stage, l.status, l.gtin,
            (extract(epoch from l.produced_at) * 1000)::float8 as "producedAtMs", l.produced_at_offset as "producedAtOffset", l.attributes,
            l.producer_id as "producerId", o.name as "producerName", o.region_code as "producerRegionCode",
            s.code as "speciesCode", s.name_zh as "speciesNameZh", s.name_en as "speciesNameEn", s.latin_name as "latinName"
          from codes c join lots l on l.id = c.lot_id join organizations o on o.id = l.producer_id join species s on s.code = l.species_code
          where c.code = ${code}),
        w as (
          select count(*)::int as n, coalesce(bool_or(verdict = 'suspicious'), false) as flagged,
            -- Great-circle distance (haversine) to the farthest located scan; 0 when this scan has no location.
            case when ${lat}::float8 is null or ${lon}::float8 is null then 0 else coalesce(max(2 * 6371 * asin(least(1, sqrt(power(sin(radians(lat - ${lat}::float8) / 2), 2)
              + cos(radians(${lat}::float8)) * cos(radians(lat)) * power(sin(radians(lon - ${lon}::float8) / 2), 2))))) filter (where lat is not null and lon is not null), 0) end as far
          from code_scans where code = ${code} and scanned_at > ${rules.since.toISOString()}::timestamptz),
        v as (
          select case when c.voided or c.status = 'destroyed' then 'void' when c.status = 'recalled' then 'recalled'
            when c.level = 'unit' and (w.n + 1 > ${rules.suspiciousCount}::int or w.flagged or w.far > ${rules.distanceKm}::float8) then 'suspicious'
            else 'genuine' end as verdict
          from c, w),
        ins as (
          insert into code_scans (code, lot_id, network, user_agent, lat, lon, region_code, verdict)
          select c.code, c."lotId", ${scan.network ?? null}, ${scan.userAgent ?? null}, ${lat}::float8, ${lon}::float8, ${scan.regionCode ?? null}, v.verdict
          from c, v returning 1)
        select c.*, w.n + 1 as count, v.verdict, (select count(*) from ins) as inserted from c, w, v`,
  );
  if (!row) return undefined;
  return {
    ...row,
    count: Number(row.count),
    producedAtMs: Number(row.producedAtMs),
    attributes: (typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes) as Record<string, unknown>,
  };
}

interface StatsRow {
  totalScans: number;
  scansInWindow: number;
  distinctNetworks: number;
  firstScanAt: Date | string | null;
  lastScanAt: Date | string | null;
  suspiciousScans: number;
}

const toIso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const normaliseStats = (r: StatsRow | undefined) => ({
  totalScans: Number(r?.totalScans ?? 0),
  scansInWindow: Number(r?.scansInWindow ?? 0),
  distinctNetworks: Number(r?.distinctNetworks ?? 0),
  firstScanAt: toIso(r?.firstScanAt ?? null),
  lastScanAt: toIso(r?.lastScanAt ?? null),
  suspiciousScans: Number(r?.suspiciousScans ?? 0),
});

const statsColumns = (since: Date) => sql`count(*)::int as "totalScans", count(*) filter (where scanned_at > ${since.toISOString()}::timestamptz)::int as "scansInWindow",
  count(distinct network)::int as "distinctNetworks", min(scanned_at) as "firstScanAt", max(scanned_at) as "lastScanAt",
  count(*) filter (where verdict = 'suspicious')::int as "suspiciousScans"`;

export async function codeScanStats(db: Database, code: string, since: Date) {
  const [row] = await queryRows<StatsRow>(db, sql`select ${statsColumns(since)} from code_scans where code = ${code}`);
  return normaliseStats(row);
}

export async function recentScans(db: Database, code: string, limit: number) {
  return db.select().from(codeScans).where(eq(codeScans.code, code)).orderBy(sql`${codeScans.id} desc`).limit(limit);
}

export async function lotScanStats(db: Database, lotId: string, since: Date) {
  const [row] = await queryRows<StatsRow & { scannedCodes: number }>(
    db,
    sql`select ${statsColumns(since)}, count(distinct code)::int as "scannedCodes" from code_scans where lot_id = ${lotId}`,
  );
  const [counts] = await queryRows<{ codes: number; voided: number }>(
    db,
    sql`select count(*)::int as codes, count(*) filter (where voided_at is not null)::int as voided from codes where lot_id = ${lotId}`,
  );
  const top = await queryRows<{ code: string; scans: number; lastScanAt: Date | string }>(
    db,
    sql`select code, count(*)::int as scans, max(scanned_at) as "lastScanAt" from code_scans where lot_id = ${lotId}
        group by code order by count(*) desc, code limit 20`,
  );
  return {
    codes: Number(counts?.codes ?? 0),
    voidedCodes: Number(counts?.voided ?? 0),
    scannedCodes: Number(row?.scannedCodes ?? 0),
    stats: normaliseStats(row),
    topCodes: top.map((t) => ({ code: t.code, scans: Number(t.scans), lastScanAt: new Date(t.lastScanAt).toISOString() })),
  };
}

/** The latest lab report of each lot with the lab's name. */
export async function latestLabReports(db: Database, lotIds: string[]) {
  if (lotIds.length === 0) return [];
  const rows = await queryRows<{ lotId: string; verdict: string; testedAtMs: number; testedAtOffset: number; lab: string }>(
    db,
    sql`select distinct on (r.lot_id) r.lot_id as "lotId", r.verdict, (extract(epoch from r.tested_at) * 1000)::float8 as "testedAtMs",
          r.tested_at_offset as "testedAtOffset", o.name as lab
        from lab_reports r join organizations o on o.id = r.submitted_by
        where r.lot_id = any(${`{${lotIds.join(',')}}`}::text[]) order by r.lot_id, r.tested_at desc, r.created_at desc`,
  );
  return rows.map((r) => ({ ...r, testedAtMs: Number(r.testedAtMs) }));
}

/** Certificates valid on `day` of the organisations (organisation-wide) or of the sites. */
export async function validCertificates(db: Database, organizationIds: string[], siteIds: string[], day: string) {
  if (organizationIds.length === 0) return [];
  return queryRows<{ kind: string; organization: string; authority: string; number: string; validUntil: string }>(
    db,
    sql`select c.kind, o.name as organization, c.authority, c.number, c.valid_until as "validUntil"
        from certificates c join organizations o on o.id = c.organization_id
        where c.organization_id = any(${`{${organizationIds.join(',')}}`}::text[])
          and (c.site_id is null or c.site_id = any(${`{${siteIds.join(',')}}`}::text[]))
          and c.valid_from <= ${day} and c.valid_until >= ${day} and c.kind in ('gap', 'organic', 'gi_use')
        order by c.kind, c.valid_until desc`,
  );
}

export async function giClaimsOfLots(db: Database, lotIds: string[]) {
  if (lotIds.length === 0) return [];
  return queryRows<{ code: string; nameZh: string }>(
    db,
    sql`select distinct g.code, g.name_zh as "nameZh" from gi_claims c join gi_products g on g.code = c.gi_code
        where c.lot_id = any(${`{${lotIds.join(',')}}`}::text[]) order by g.code`,
  );
}
