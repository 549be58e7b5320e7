import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { queryPrepared, queryRows, type Database } from '../../db/client.js';
import { codes, codeScans } from '../../db/schema.js';

export type CodeRow = typeof codes.$inferSelect;

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

/** What the consumer page shows of a lot, its producer and species; it does not change once the lot exists. */
export interface LotHeader {
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

/** A code with its lot's header, in one indexed lookup. */
export interface ResolveRow extends LotHeader {
  code: string;
  level: string;
  voided: boolean;
}

const lotHeaderColumns = sql`l.id as "lotId", l.lot_number as "lotNumber", l.stage, l.status, l.gtin,
  (extract(epoch from l.produced_at) * 1000)::float8 as "producedAtMs", l.produced_at_offset as "producedAtOffset", l.attributes,
  l.producer_id as "producerId", o.name as "producerName", o.region_code as "producerRegionCode",
  s.code as "speciesCode", s.name_zh as "speciesNameZh", s.name_en as "speciesNameEn", s.latin_name as "latinName"`;

const withNumbers = <T extends LotHeader>(row: T): T => ({
  ...row,
  producedAtMs: Number(row.producedAtMs),
  attributes: (typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes) as Record<string, unknown>,
});

export async function findResolveRow(db: Database, code: string): Promise<ResolveRow | undefined> {
  const [row] = await queryRows<ResolveRow>(
    db,
    sql`select c.code, c.level, (c.voided_at is not null) as voided, ${lotHeaderColumns}
        from codes c join lots l on l.id = c.lot_id join organizations o on o.id = l.producer_id join species s on s.code = l.species_code
        where c.code = ${code}`,
  );
  return row && withNumbers(row);
}

export async function findLotHeader(db: Database, lotId: string): Promise<LotHeader | undefined> {
  const [row] = await queryRows<LotHeader>(
    db,
    sql`select ${lotHeaderColumns}
        from lots l join organizations o on o.id = l.producer_id join species s on s.code = l.species_code
        where l.id = ${lotId}`,
  );
  return row && withNumbers(row);
}

export interface ScanRules {
  windowHours: number;
  suspiciousCount: number;
  distanceKm: number;
}

/** One consumer scan as the resolve route saw it. */
export interface ScanInput {
  code: string;
  scannedAt: Date;
  network: string | null;
  userAgent: string | null;
  lat: number | null;
  lon: number | null;
  regionCode: string | null;
}

export interface ScanJudgement {
  code: string;
  lotId: string;
  /** The lot's status now (the page's status is never cached). */
  status: string;
  /** Scans of the code within the window, this one included. */
  count: number;
  verdict: string;
}

/**
 * Judges and records a batch of scans in one statement (one round trip and one commit for all of them): each
 * code is looked up with its lot, its scans in the window before this one are counted (those stored, and those
 * earlier in the same batch), the distance from this place to the located ones measured, the verdict decided
 * and the scan stored with it. Suspicious: a unit code whose scans, this one included, exceed the count, that
 * was scanned more than `distanceKm` away from this place, or that was already judged suspicious within the
 * window. Void and recalled come first. Nothing is stored for an unknown code (its entry is undefined).
 *
 * The batch travels as one JSON parameter, so the statement text is the same for one scan or hundreds
 * (prepared once per connection) and no value is spliced into SQL.
 */
export async function recordScans(db: Database, scans: ScanInput[], rules: ScanRules): Promise<(ScanJudgement | undefined)[]> {
  const input = JSON.stringify(
    scans.map((s, i) => ({
      i,
      code: s.code,
      scanned_at: s.scannedAt.toISOString(),
      network: s.network,
      user_agent: s.userAgent,
      lat: s.lat,
      lon: s.lon,
      region_code: s.regionCode,
    })),
  );
  const rows = await queryPrepared<ScanJudgement & { i: number }>(
    db,
    sql`with input as materialized (
          select * from json_to_recordset(${input}::json)
            as r(i int, code text, scanned_at timestamptz, network text, user_agent text, lat float8, lon float8, region_code text)),
        -- LATERAL … LIMIT 1 keeps the lookups on the primary keys whatever the planner guesses of the batch size.
        c as (
          select r.*, k.level, k.voided_at, k.lot_id, k.status from input r
          cross join lateral (select k.level, k.voided_at, k.lot_id, l.status from codes k join lots l on l.id = k.lot_id where k.code = r.code limit 1) k),
        judged as (
          select c.*, w.n, w.flagged, w.far from c cross join lateral (
            select count(*)::int as n, coalesce(bool_or(p.suspicious), false) as flagged,
              -- Great-circle distance (haversine) to the farthest located scan; 0 when this scan has no location.
              coalesce(max(2 * 6371 * asin(least(1, sqrt(power(sin(radians(p.lat - c.lat) / 2), 2)
                + cos(radians(c.lat)) * cos(radians(p.lat)) * power(sin(radians(p.lon - c.lon) / 2), 2)))))
                filter (where p.lat is not null and p.lon is not null and c.lat is not null and c.lon is not null), 0) as far
            from (
              select s.lat, s.lon, s.verdict = 'suspicious' as suspicious from code_scans s
                where s.code = c.code and s.scanned_at > c.scanned_at - make_interval(hours => ${rules.windowHours}::int)
              union all
              select e.lat, e.lon, false from input e where e.code = c.code and e.i < c.i) p) w),
        v as (
          select judged.*, case when voided_at is not null or status = 'destroyed' then 'void' when status = 'recalled' then 'recalled'
              when level = 'unit' and (n + 1 > ${rules.suspiciousCount}::int or flagged or far > ${rules.distanceKm}::float8) then 'suspicious'
              else 'genuine' end as verdict
          from judged),
        stored as (
          insert into code_scans (code, lot_id, scanned_at, network, user_agent, lat, lon, region_code, verdict)
          select code, lot_id, scanned_at, network, user_agent, lat, lon, region_code, verdict from v order by i
          returning 1)
        select i, code, lot_id as "lotId", status, n + 1 as count, verdict from v`,
  );
  const byIndex: (ScanJudgement | undefined)[] = scans.map(() => undefined);
  for (const { i, code, lotId, status, count, verdict } of rows) byIndex[Number(i)] = { code, lotId, status, count: Number(count), verdict };
  return byIndex;
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
