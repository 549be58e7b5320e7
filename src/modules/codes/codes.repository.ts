import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { queryPrepared, queryRows, textArray, type Database } from '../../db/client.js';
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

/** The codes one issue made, in code-unit order (as issueCodes answers them), with what their URLs need. */
export async function codesOfIssue(db: Database, lotId: string, eventId: string) {
  return queryRows<{ code: string; level: string; gtin: string | null; lotNumber: string }>(
    db,
    sql`select c.code, c.level, l.gtin, l.lot_number as "lotNumber" from codes c join lots l on l.id = c.lot_id
      where c.lot_id = ${lotId} and c.event_id = ${eventId} order by c.code collate "C"`,
  );
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

/** The lot's header for its consumer page, with the species' sources (its scientific name in English). */
export async function findLotHeader(db: Database, lotId: string): Promise<(LotHeader & { sourceSpecies: { latinName?: string }[] }) | undefined> {
  const [row] = await queryRows<LotHeader & { sourceSpecies: { latinName?: string }[] | string }>(
    db,
    sql`select ${lotHeaderColumns}, s.source_species as "sourceSpecies"
        from lots l join organizations o on o.id = l.producer_id join species s on s.code = l.species_code
        where l.id = ${lotId}`,
  );
  return row && { ...withNumbers(row), sourceSpecies: typeof row.sourceSpecies === 'string' ? JSON.parse(row.sourceSpecies) : row.sourceSpecies };
}

export interface ScanRules {
  windowHours: number;
  /** Suspicious above this many distinct clients in the window. */
  suspiciousNetworks: number;
  /** Suspicious at this many located networks in places more than `distanceKm` apart from one another. */
  suspiciousPlaces: number;
  distanceKm: number;
}

/** One consumer scan as the resolve route saw it. */
export interface ScanInput {
  code: string;
  scannedAt: Date;
  network: string | null;
  /** The device cookie hashed with the code (unlinkable across codes); null when the client keeps none. */
  device: string | null;
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
  /** Distinct coarse networks among them. */
  networks: number;
  /** Distinct clients: networks, where one device seen on several networks counts once (never more than networks). */
  clients: number;
  /** Located networks in places more than `distanceKm` apart from one another (greedy, in time order). */
  places: number;
  /** Largest distance between the located scans of two different networks, km (0 without two). */
  spreadKm: number;
  /** The code's first scan ever (this one when it is the first). */
  firstAt: Date;
  isFirst: boolean;
  /** Where the first located or region-given scan (among the code's first 100) was made; null when none was. */
  firstPlace: { lat: number | null; lon: number | null; regionCode: string | null } | null;
  verdict: string;
}

/** Great-circle distance in km (haversine) between the lat/lon columns of two aliases. */
const km = (a: string, b: string) =>
  sql.raw(`(2 * 6371 * asin(least(1, sqrt(power(sin(radians(${b}.lat - ${a}.lat) / 2), 2)
    + cos(radians(${a}.lat)) * cos(radians(${b}.lat)) * power(sin(radians(${b}.lon - ${a}.lon) / 2), 2)))))`);

/**
 * Judges and records a batch of scans (one round trip and one commit for all of them, as a rule). Each code is
 * looked up with its lot; its scans in the window (those stored, those earlier in the same batch, and this one)
 * are reduced to what a single client cannot multiply cheaply:
 * - clients: distinct coarse networks (/24, /48), except that one device cookie seen from several networks
 *   counts once; a burst from one network is one client however many requests or cookies it sends;
 * - places: each network's first located scan is its place (a second network of the same device adds none);
 *   walking them in time order, one more than `distanceKm` from every earlier one is a new place, so the places
 *   counted are pairwise that far apart and each comes from another network.
 * Suspicious: a unit code with more clients than `suspiciousNetworks`, or with at least `suspiciousPlaces`
 * places. Void and recalled come first. The verdict is decided from this evidence on every scan, so it is not
 * sticky: a code is suspicious while its window holds the evidence. The code's first scan and its first located or
 * region-given one come along for the page ("first verified on …"). Nothing is stored for an unknown code (its
 * entry is undefined).
 *
 * Two statements, so the common scan does not pay for the rare one. Working out places takes a dozen plan nodes
 * (distinct networks, devices, pairwise distances) that PostgreSQL sets up on every execution even when no row
 * reaches them: ≈ 0.05 ms a statement, a fifth of a one-scan batch. So the codes scanned once in the batch (nearly
 * all of them) first go through the statement without them, which stores the scans whose window has fewer than
 * two located networks (places are then the located networks, 0 or 1) and leaves the others unstored; those, and
 * the codes scanned more than once in the batch, then go through the full statement, all of a code's scans
 * together in batch order. A code's scans are never split between the two, so each is judged exactly as one
 * statement for the whole batch would (tests/codes.test.ts compares the two ways on random batches).
 *
 * The places are capped at `suspiciousNetworks + 1` (more would be suspicious by clients anyway), so the pairwise
 * distances stay bounded whatever is sent. The batch travels as one JSON parameter, so each statement's text is the
 * same for one scan or hundreds (prepared once per connection) and no value is spliced into SQL.
 */
export async function recordScans(
  db: Database,
  scans: ScanInput[],
  rules: ScanRules,
  /** `full`: every scan through the statement that works out places (the tests compare the two ways). */
  way: 'split' | 'full' = 'split',
): Promise<(ScanJudgement | undefined)[]> {
  const byIndex: (ScanJudgement | undefined)[] = scans.map(() => undefined);
  const all = scans.map((scan, i) => ({ i, scan }));
  const times = new Map<string, number>();
  for (const s of scans) times.set(s.code, (times.get(s.code) ?? 0) + 1);
  // The codes judged by the full statement: those scanned more than once in this batch (all their scans together,
  // in batch order) and those whose window the first statement finds two located networks in.
  const full = new Set<string>(way === 'full' ? times.keys() : [...times].filter(([, n]) => n > 1).map(([code]) => code));
  const once = all.filter((s) => !full.has(s.scan.code));
  if (once.length > 0) {
    for (const r of await queryPrepared<ScanRow>(db, scanStatement(batchInput(once), rules, false))) {
      if (r.deferred) full.add(r.code);
      else byIndex[Number(r.i)] = judgement(r);
    }
  }
  if (full.size > 0) {
    for (const r of await queryPrepared<ScanRow>(db, scanStatement(batchInput(all.filter((s) => full.has(s.scan.code))), rules, true))) {
      byIndex[Number(r.i)] = judgement(r);
    }
  }
  return byIndex;
}

type ScanRow = Omit<ScanJudgement, 'firstPlace'> & {
  i: number;
  deferred: boolean;
  placeLat: number | null;
  placeLon: number | null;
  placeRegion: string | null;
  placeFound: boolean | null;
};

const judgement = (r: ScanRow): ScanJudgement => ({
  code: r.code,
  lotId: r.lotId,
  status: r.status,
  count: Number(r.count),
  networks: Number(r.networks),
  clients: Number(r.clients),
  places: Number(r.places),
  spreadKm: Number(r.spreadKm),
  firstAt: new Date(r.firstAt),
  isFirst: r.isFirst === true,
  firstPlace: r.placeFound ? { lat: r.placeLat === null ? null : Number(r.placeLat), lon: r.placeLon === null ? null : Number(r.placeLon), regionCode: r.placeRegion } : null,
  verdict: r.verdict,
});

/**
 * The batch as the statements' JSON parameter, each scan with what the batch holds of its code up to it (batch
 * order `i`, this scan included): the earliest scan, whether there is an earlier one, and the first located or
 * region-given one. Worked out here in one pass rather than by three subqueries per scan in the statement.
 */
function batchInput(scans: { i: number; scan: ScanInput }[]): string {
  const prefix = new Map<string, { first: Date; place: ScanInput | null }>();
  return JSON.stringify(
    scans.map(({ i, scan: s }) => {
      const seen = prefix.get(s.code);
      const code = seen ?? { first: s.scannedAt, place: null };
      if (s.scannedAt < code.first) code.first = s.scannedAt;
      if (code.place === null && (s.lat !== null || s.regionCode !== null)) code.place = s;
      prefix.set(s.code, code);
      return {
        i,
        code: s.code,
        scanned_at: s.scannedAt.toISOString(),
        network: s.network,
        device: s.device,
        user_agent: s.userAgent,
        lat: s.lat,
        lon: s.lon,
        region_code: s.regionCode,
        batch_first: code.first.toISOString(),
        earlier: seen !== undefined,
        batch_placed: code.place !== null,
        batch_lat: code.place?.lat ?? null,
        batch_lon: code.place?.lon ?? null,
        batch_region: code.place?.regionCode ?? null,
      };
    }),
  );
}

/** Above any batch's last index (the recorder sends at most 500 scans a statement). */
const MAX_BATCH_INDEX = 1_000_000;

/**
 * The scan statement, with places worked out or (`withPlaces` false, for codes with one scan in the batch)
 * leaving unstored the scans whose window has two located networks.
 */
function scanStatement(input: string, rules: ScanRules, withPlaces: boolean): SQL {
  const since = sql`c.scanned_at - make_interval(hours => ${rules.windowHours}::int)`;
  const counts = sql`select count(*)::int as n, count(distinct net)::int as networks,
      least(count(distinct net), count(distinct coalesce('d' || device, 'n' || net)))::int as clients,
      count(distinct net) filter (where lat is not null and lon is not null)::int as located_networks from p`;
  const window = withPlaces
    ? sql`
            -- The window's scans: stored (index on code, scanned_at), earlier in this batch, and this one.
            -- (at, src, k) orders them in time.
            with p as (
              select s.scanned_at as at, 0 as src, s.id as k, coalesce(s.network, '') as net, s.device, s.lat, s.lon from code_scans s
                where s.code = c.code and s.scanned_at > ${since}
              union all
              select e.scanned_at, 1, e.i, coalesce(e.network, ''), e.device, e.lat, e.lon from input e where e.code = c.code and e.i <= c.i),
            places as (
              select x.* from (
                select d.*, case when d.device is null then 1 else row_number() over (partition by d.device order by d.at, d.src, d.k) end as rn
                from (select distinct on (net) net, device, lat, lon, at, src, k from p
                      where lat is not null and lon is not null order by net, at, src, k) d) x
              where x.rn = 1 order by x.at, x.src, x.k limit ${rules.suspiciousNetworks + 1}::int)
            select a.n, a.networks, a.clients, a.located_networks,
              case when a.located_networks < 2 then a.located_networks else (select count(*) from places r where not exists (
                select 1 from places q where (q.at, q.src, q.k) < (r.at, r.src, r.k) and ${km('q', 'r')} <= ${rules.distanceKm}::float8)) end::int as places,
              case when a.located_networks < 2 then 0 else
                (select coalesce(max(${km('q', 'r')}), 0) from places q join places r on (q.at, q.src, q.k) < (r.at, r.src, r.k)) end::float8 as spread_km
            from (${counts}) a`
    : sql`
            -- The window's scans: stored (index on code, scanned_at) and this one, the code's only one in the batch.
            -- A code never scanned before (no first scan stored) has only this one, without reading or counting.
            -- Fewer than two located networks: the places are the located networks, 0 or 1, at no distance.
            with p as (
              select coalesce(s.network, '') as net, s.device, s.lat, s.lon from code_scans s where s.code = c.code and s.scanned_at > ${since}
              union all
              select coalesce(c.network, ''), c.device, c.lat, c.lon),
            a as (
              select 1 as n, 1 as networks, 1 as clients, (c.lat is not null and c.lon is not null)::int as located_networks where fs.stored_first is null
              union all
              select * from (${counts}) counted where fs.stored_first is not null)
            select a.n, a.networks, a.clients, a.located_networks, a.located_networks as places, 0::float8 as spread_km from a`;
  // Left to the full statement (each code has one scan in this one, so no code is split between the two).
  const deferred = withPlaces ? sql`false` : sql`located_networks >= 2`;
  // The range on i is always true (i is the scan's place in the batch); it makes PostgreSQL estimate one input
  // row instead of json_to_recordset's 100. The statement's estimated cost then hardly moves as code_scans grows,
  // which keeps PostgreSQL on its cached generic plan: it plans a prepared statement for each call's parameters
  // whenever the generic plan's estimate exceeds that of the calls planned so far by more than a small allowance
  // for planning, and with 100 rows the estimate rose ≈ 13 % from an empty code_scans to 64,000 scans (it then
  // planned every batch for a while, 0.3–0.6 ms of database CPU each; bench/README.md).
  return sql`with input as materialized (
          select * from json_to_recordset(${input}::json)
            as r(i int, code text, scanned_at timestamptz, network text, device text, user_agent text, lat float8, lon float8, region_code text,
              batch_first timestamptz, earlier boolean, batch_placed boolean, batch_lat float8, batch_lon float8, batch_region text)
          where r.i between 0 and ${MAX_BATCH_INDEX}::int),
        -- LATERAL … LIMIT 1 keeps the lookups on the primary keys whatever the planner guesses of the batch size.
        c as (
          select r.*, k.level, k.voided_at, k.lot_id, k.status from input r
          cross join lateral (select k.level, k.voided_at, k.lot_id, l.status from codes k join lots l on l.id = k.lot_id where k.code = r.code limit 1) k),
        judged as (
          select c.*, w.n, w.networks, w.clients, w.located_networks, w.places, w.spread_km,
            least(fs.stored_first, c.batch_first) as first_at, (fs.stored_first is null and not c.earlier) as is_first,
            -- The first located or region-given scan: among the code's first 100 stored, else of this batch.
            (fs.placed is true or c.batch_placed) as place_found,
            case when fs.placed then fs.lat else c.batch_lat end as place_lat, case when fs.placed then fs.lon else c.batch_lon end as place_lon,
            case when fs.placed then fs.region_code else c.batch_region end as place_region
          from c
          cross join lateral (
            -- The code's first scans (100 at most): its first ever, and its first located or region-given one.
            select min(ff.scanned_at) as stored_first, bool_or(ff.placed) as placed,
              (array_agg(ff.lat order by ff.scanned_at) filter (where ff.placed))[1] as lat,
              (array_agg(ff.lon order by ff.scanned_at) filter (where ff.placed))[1] as lon,
              (array_agg(ff.region_code order by ff.scanned_at) filter (where ff.placed))[1] as region_code
            from (select s.scanned_at, s.lat, s.lon, s.region_code, (s.lat is not null or s.region_code is not null) as placed
                  from code_scans s where s.code = c.code order by s.scanned_at limit 100) ff) fs
          cross join lateral (${window}) w),
        v as (
          select judged.*, ${deferred} as deferred,
            case when voided_at is not null or status = 'destroyed' then 'void' when status = 'recalled' then 'recalled'
              when level = 'unit' and (clients > ${rules.suspiciousNetworks}::int or places >= ${rules.suspiciousPlaces}::int) then 'suspicious'
              else 'genuine' end as verdict
          from judged),
        stored as (
          insert into code_scans (code, lot_id, scanned_at, network, device, user_agent, lat, lon, region_code, verdict)
          select code, lot_id, scanned_at, network, device, user_agent, lat, lon, region_code, verdict from v where not deferred order by i
          returning 1)
        select i, code, lot_id as "lotId", status, n as count, networks, clients, places, spread_km as "spreadKm",
          first_at as "firstAt", is_first as "isFirst", place_found as "placeFound", place_lat as "placeLat", place_lon as "placeLon",
          place_region as "placeRegion", verdict, deferred
        from v`;
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

/** Certificates valid on `day` of the organisations (organisation-wide) or of the sites; confirmed ones first. */
export async function validCertificates(db: Database, organizationIds: string[], siteIds: string[], day: string) {
  if (organizationIds.length === 0) return [];
  return queryRows<{ kind: string; organization: string; authority: string; number: string; validUntil: string; assertion: string }>(
    db,
    sql`select c.kind, o.name as organization, c.authority, c.number, c.valid_until as "validUntil", c.assertion
        from certificates c join organizations o on o.id = c.organization_id
        where c.organization_id = any(${`{${organizationIds.join(',')}}`}::text[])
          and (c.site_id is null or c.site_id = any(${`{${siteIds.join(',')}}`}::text[]))
          and c.valid_from <= ${day} and c.valid_until >= ${day} and c.kind in ('gap', 'organic', 'gi_use')
        order by c.assertion = 'confirmed' desc, c.kind, c.valid_until desc`,
  );
}

/**
 * What the page's certificates (validCertificates) and GI claims (giClaimsOfLots, shown under a confirmed
 * authorisation, which is the claimed lot's producer's) depend on beside the chain's own events: the certificates of these organisations, counted, and
 * how many are confirmed. Certificates are only ever added and confirmed (quality: insertCertificate,
 * markConfirmed), so equal counts mean the same certificates. All of each organisation's, sites included: more
 * than the page shows, which can only make a refresh rebuild when it need not.
 */
export async function certificateStamp(db: Database, organizationIds: string[]): Promise<string> {
  if (organizationIds.length === 0) return '0/0';
  const [row] = await queryRows<{ n: number | string; confirmed: number | string }>(
    db,
    sql`select count(*) as n, count(*) filter (where assertion = 'confirmed') as confirmed
        from certificates where organization_id = any(${textArray(organizationIds)})`,
  );
  return `${row?.n ?? 0}/${row?.confirmed ?? 0}`;
}

/** GI claims of the lots made under a confirmed authorisation (claims accepted before confirmation existed are not shown). */
export async function giClaimsOfLots(db: Database, lotIds: string[]) {
  if (lotIds.length === 0) return [];
  return queryRows<{ code: string; nameZh: string }>(
    db,
    sql`select distinct g.code, g.name_zh as "nameZh" from gi_claims c join gi_products g on g.code = c.gi_code
        join certificates a on a.id = c.certificate_id and a.assertion = 'confirmed'
        where c.lot_id = any(${`{${lotIds.join(',')}}`}::text[]) order by g.code`,
  );
}
