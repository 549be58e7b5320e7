import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/client.js';
import { ValidationError } from '../../lib/errors.js';
import { toDecimals } from '../../lib/fraction.js';
import { toGtin14, validateGs1Cset82, validateGtin } from '../../lib/identifiers.js';
import { formatOffsetTime } from '../../lib/time.js';
import * as provenanceRepo from '../provenance/index.js';
import { originShares } from '../provenance/index.js';
import { findRegions } from '../regions/index.js';
import { logCoverage, type LogCoverage, type VerifiableLog } from '../tlog/index.js';
import { formatStep, pickLang as langOfTag, speciesName } from '../../web/lib/vocabulary.js';
import * as repo from './codes.repository.js';
import type { ConsumerResolveView, VerdictValue } from './codes.schemas.js';
import { nearestCity } from './places.js';
import type { ScanRecorder } from './scan-recorder.js';

export type Lang = 'zh-CN' | 'en';
const LANGS: readonly Lang[] = ['zh-CN', 'en'];

/** What the consumer page needs of the verifiable log: the checkpoint held in memory, read only at cache fill. */
export type ResolveLog = Pick<VerifiableLog, 'latestCheckpoint' | 'checkpointCovering'>;

export interface ResolveSettings {
  suspiciousNetworks: number;
  suspiciousPlaces: number;
  distanceKm: number;
  windowHours: number;
}

export interface ScanClient {
  network: string | null;
  /** The device cookie's value (readDeviceCookie or newDeviceCookie); null without one. */
  device?: string | null;
  userAgent: string | null;
  lat?: number | undefined;
  lon?: number | undefined;
  regionCode?: string | undefined;
}

export type ResolveKey = { code: string; gtin?: string; lotNumber?: string };

const CODE_PATTERN = /^[0-9A-Za-z]{8,32}$/;

/** GET /q/{code}: a code is 8 to 32 letters and digits; anything else is a malformed path (400). */
export function parseShortCode(code: string): ResolveKey {
  if (!CODE_PATTERN.test(code)) throw ValidationError.field('code', 'must be 8 to 32 letters and digits');
  return { code };
}

/**
 * GET /01/{gtin}/10/{lot}/21/{serial}: GTIN with a valid check digit, AI 10 and AI 21 values (already decoded).
 * Not digital-link.js: its grammar parser took ≈ 3 ms to parse such a URL and ≈ 4.4 ms to validate it, over ten
 * times a whole resolve (≈ 0.26 ms); the router already splits the path, and the tests check the URLs this
 * service issues against digital-link.js.
 */
export function parseDigitalLink(gtin: string, lot: string, serial: string): ResolveKey {
  const gtinProblem = validateGtin(gtin);
  if (gtinProblem) throw ValidationError.field('gtin', gtinProblem);
  const lotProblem = validateGs1Cset82(lot);
  if (lotProblem) throw ValidationError.field('lot', lotProblem);
  const serialProblem = validateGs1Cset82(serial);
  if (serialProblem) throw ValidationError.field('serial', serialProblem);
  return { code: serial, gtin: toGtin14(gtin), lotNumber: lot };
}

/**
 * A client address reduced to its network: IPv4 /24, IPv6 /48 in RFC 5952 form (`2001:db8:1::/48`). An
 * IPv4-mapped IPv6 address, in any spelling, is its IPv4 network. The full address is never stored. (ipaddr.js
 * costs ≈ 3 µs a call against ≈ 1 µs for the hand-written split it replaced, ≈ 1 % of a resolve's CPU; the split
 * counted `::ffff:c633:6407` and every other hex-mapped client as the one network `0:0:0::/48`.)
 */
export function coarseNetwork(ip: string | undefined): string | null {
  if (!ip) return null;
  const family = isIP(ip); // Node's strict check: ipaddr.js also takes forms like 127.1
  if (family === 0) return null;
  // Plain dotted IPv4 (family 4 means four decimal parts without leading zeros): its first three parts, as
  // ipaddr.js would give them, without its parse (most clients; ≈ 1.5 µs of a resolve's ≈ 170 µs of CPU).
  if (family === 4) return `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  const address = ipaddr.process(ip);
  const bytes = address.toByteArray();
  if (address.kind() === 'ipv4') return `${bytes[0]}.${bytes[1]}.${bytes[2]}.0/24`;
  return `${ipaddr.fromByteArray(bytes.fill(0, 6)).toString()}/48`;
}

/**
 * The consumer page's device cookie: a random id (128 bits), first-party, HttpOnly, set on the HTML page only.
 * It never leaves this service and is stored only hashed with the code it scanned (deviceOfScan), so scans of
 * different codes by one device cannot be linked in the database. It can only make the scan rule count less:
 * one device seen from several networks is one client; a client sending many cookies is still one network.
 */
export const DEVICE_COOKIE = 'ht_device';
const DEVICE_VALUE = /^[A-Za-z0-9_-]{22}$/;
const DEVICE_COOKIE_PATTERN = new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([^;]*)`);
const DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600; // the longest browsers keep a cookie

/** The device id in a Cookie header, if it has one of ours (a malformed value counts as none). */
export function readDeviceCookie(header: string | undefined): string | null {
  if (!header) return null;
  const value = DEVICE_COOKIE_PATTERN.exec(header)?.[1]?.trim();
  return value && DEVICE_VALUE.test(value) ? value : null;
}

export const newDeviceCookie = () => randomBytes(16).toString('base64url');

export const deviceCookieHeader = (value: string, secure: boolean) =>
  `${DEVICE_COOKIE}=${value}; Path=/; Max-Age=${DEVICE_COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

/** What is stored of a device cookie for a scan: a hash of it with the code, so it says nothing about other codes. */
export const deviceOfScan = (device: string, code: string) => createHash('sha256').update(`${device}\n${code}`).digest('base64url').slice(0, 22);

/**
 * The languages the consumer page is offered in to Accept-Language negotiation (`request.language(…)` of
 * @fastify/accepts: quality values, `*`, prefixes). `zh` takes zh-TW, zh-HK and the like, which read the Chinese page.
 * (≈ 2 µs a resolve, well under 1 % of one.)
 */
export const PAGE_LANGUAGES = ['zh-CN', 'zh', 'en'];

/** The page language: ?lang= wins, then what negotiation over PAGE_LANGUAGES chose; Chinese by default. */
export function pickLang(query: string | undefined, negotiated: string | false | undefined): Lang {
  if (query) return langOfTag(query);
  return negotiated === 'en' ? 'en' : 'zh-CN';
}

/**
 * The request's page language (pickLang), negotiating only when there is something to negotiate: without an
 * Accept-Language header negotiation picks the first language offered, Chinese, which is the default anyway
 * (≈ 3 µs of a resolve's ≈ 170 µs of CPU saved for the clients that send none).
 */
export function pageLang(query: string | undefined, acceptLanguage: string | undefined, negotiate: () => string | false): Lang {
  return pickLang(query, query || acceptLanguage === undefined ? undefined : negotiate());
}

export const VERDICT_TEXT: Record<Lang, Record<VerdictValue, string>> = {
  'zh-CN': {
    genuine: '正品：此码由生产企业签发，产品来源已记录在案。',
    recalled: '已召回：该批次产品已被召回，请勿食用或使用。',
    suspicious: '可疑：此码已被很多不同网络查验，或在相距很远的多个地区被查验，可能被复制。',
    void: '已作废：生产企业已作废此码，它不代表有效产品。',
    unknown: '未知：系统中没有此码，产品可能是假冒的。',
  },
  en: {
    genuine: 'Genuine: this code was issued by the producer and the product’s origin is on record.',
    recalled: 'Recalled: this batch has been recalled. Do not take or use it.',
    suspicious: 'Suspicious: this code has been verified from many different networks, or in several places far apart. It may have been copied.',
    void: 'Void: the producer has withdrawn this code. It does not stand for a valid product.',
    unknown: 'Unknown: this code is not in our records. The product may be counterfeit.',
  },
};

const WARNING_TEXT: Record<Lang, Partial<Record<VerdictValue, string>>> = {
  'zh-CN': {
    recalled: '请停止使用，保留包装，联系购买渠道办理退换。',
    suspicious: '一件正品的码通常只由少数几人查验。请对照下方的首次查验日期和地区：若与您的购买经过不符，请核对包装是否完好，并向销售方咨询或拨打12315。',
    void: '若您刚购买此产品，请向销售方咨询。',
    unknown: '请勿购买或使用。保留包装和购买凭证，向销售方或拨打12315（市场监管投诉举报热线）举报。',
  },
  en: {
    recalled: 'Stop using it, keep the packaging and return it where you bought it.',
    suspicious: 'A genuine box’s code is normally verified by only a few people. Compare the first verification below with how you bought it: if they do not match, check that the packaging is intact and ask the seller or call the 12315 consumer hotline.',
    void: 'If you just bought this product, ask the seller about it.',
    unknown: 'Do not buy or use it. Keep the packaging and receipt and report it to the seller or the 12315 consumer hotline.',
  },
};

type Detail = Omit<ConsumerResolveView, 'verdict' | 'message' | 'warning' | 'lang' | 'code' | 'scans' | 'product' | 'log'> & {
  product: Omit<NonNullable<ConsumerResolveView['product']>, 'status'>;
};

/** How the chain part of the consumer page is kept (CONSUMER_PAGE_CACHE_MS, CONSUMER_PAGE_MAX_AGE_MS). */
export interface LotDetailSettings {
  /** Most lots the page's lineage walk may reach (GRAPH_MAX_NODES). */
  maxNodes: number;
  /** A lot's entry is checked again this long after it was read, jittered between 0.75 and 1.25 of it. */
  ttlMs: number;
  /** …and built again from scratch at least this often, even when the check finds the chain's record unchanged. */
  maxAgeMs: number;
}

const DETAIL_MAX = 1000;
/** Most entries of each list on the page. */
const MAX_ITEMS = 8;

/**
 * What an entry was built from, so that a refresh can tell whether it must walk the chain again: the lots the walk
 * reached (a lot's parents never change), their producers, and `stamp`, read before everything else the page takes
 * from them. `stamp` is the count of the chain's own events (the log coverage's `records`: events are only
 * appended, and every lab result and GI claim is recorded as an event on its lot), the producers' certificate
 * counts (certificateStamp: certificates have no lot) and the day (which certificates are valid). Lots change
 * after they are made only in what the page reads fresh (status) or never shows (holder, location, remaining
 * quantity, shipment); organisations, sites, species and regions are never changed by the service. The maximum
 * age covers what changes outside the service.
 */
interface DetailBasis {
  lotIds: string[];
  producerIds: string[];
  stamp: string;
  builtAt: number;
}

/**
 * A lot's part of the page in each page language (steps and herb names are worded when the entry is filled,
 * not per scan), and the same already serialised: a scan then writes its answer by joining a few short strings
 * around it instead of serialising ≈ 3 kB of JSON again (`productHead` is the product object without its
 * closing brace, so the live `status` can follow; `rest` the other members without braces). `coverage`: how
 * much of the chain's record is in the verifiable log, for the scan to name with the checkpoint in memory.
 */
interface LotDetail {
  byLang: Record<Lang, { detail: Detail; json: { productHead: string; rest: string } }>;
  coverage: LogCoverage;
  basis: DetailBasis;
}

/**
 * The chain part of the consumer page, kept per lot (status and verdict are always read fresh). One per app: it
 * reads the app's read handle and holds the checkpoint of its log.
 *
 * fetch() is single-flight: concurrent scans of one lot wait for the same computation instead of each running the
 * graph query. A failed computation is not kept; one pushed out while running still answers its callers. Once an
 * entry is past its TTL, the next scan starts one refresh in the background and every scan meanwhile is answered
 * from the entry it replaces (allowStale): measured at a fixed 1,000 resolves/s, waiting for the refresh instead
 * stalled every scan of the lot for its graph query. TTLs are jittered so that lots first read in the same second
 * do not all refresh together.
 *
 * A refresh first reads the chain's stamp (DetailBasis: two index reads) and keeps the entry, with the log
 * coverage it read on the way, when nothing changed; only then does it walk the lineage and read the rest again.
 * Re-walking every lot's chain each half-minute was the resolve benchmark's regression: 25 lots refreshing within
 * seconds of one another (walk, coverage, two languages, up to four connections each) took the fixed-rate p99 from
 * ≈ 11 to ≈ 75 ms (bench/README.md).
 */
export class LotDetails {
  private readonly cache: LRUCache<string, LotDetail>;

  constructor(
    private readonly db: Database,
    /** The verifiable log, when the app has one: the page names the checkpoint that includes the chain's records. */
    readonly log: ResolveLog | undefined,
    private readonly settings: LotDetailSettings,
  ) {
    this.cache = new LRUCache<string, LotDetail>({
      max: DETAIL_MAX,
      ttl: settings.ttlMs,
      // Read the clock on every look-up: with the default (1 ms) lru-cache keeps the time for a millisecond and sets
      // a timer per look-up to forget it, a setTimeout and a timer run per resolve (≈ 1.5 µs, seen in the profile).
      ttlResolution: 0,
      allowStale: true,
      ignoreFetchAbort: true,
      fetchMethod: async (lotId, stale, { options }) => {
        const detail = (stale && (await this.revalidated(stale))) ?? (await this.build(lotId));
        // The checkpoint that includes the chain's records, into memory now if the one held is older: scans only read memory.
        if (this.log && detail.coverage.lastIndex !== null) await this.log.checkpointCovering(detail.coverage.lastIndex);
        options.ttl = Math.round(settings.ttlMs * (0.75 + Math.random() / 2));
        return detail;
      },
    });
  }

  async get(lotId: string): Promise<LotDetail> {
    const detail = await this.cache.fetch(lotId);
    if (!detail) throw new Error(`no detail for lot ${lotId}`); // fetchMethod always returns one
    return detail;
  }

  /** The entry with its coverage brought up to date, when its chain's stamp is unchanged and it is not too old; else undefined. */
  private async revalidated(entry: LotDetail): Promise<LotDetail | undefined> {
    if (Date.now() - entry.basis.builtAt >= this.settings.maxAgeMs) return undefined;
    const { stamp, coverage } = await readStamp(this.db, entry.basis.lotIds, entry.basis.producerIds);
    return stamp === entry.basis.stamp ? { ...entry, coverage } : undefined;
  }

  private async build(lotId: string): Promise<LotDetail> {
    const { byLang, coverage, basis } = await computeLotDetail(this.db, lotId, this.settings.maxNodes);
    const serialised = (d: Detail) => {
      const { product, ...rest } = d;
      return { detail: d, json: { productHead: JSON.stringify(product).slice(0, -1), rest: JSON.stringify(rest).slice(1, -1) } };
    };
    return { byLang: { 'zh-CN': serialised(byLang['zh-CN']), en: serialised(byLang.en) }, coverage, basis };
  }
}

/** DetailBasis.stamp of a chain, with its log coverage (whose `records` is part of it) and the day (certificates valid on it). */
async function readStamp(db: Database, lotIds: string[], producerIds: string[]): Promise<{ stamp: string; coverage: LogCoverage; day: string }> {
  const day = new Date().toISOString().slice(0, 10);
  const [coverage, certificates] = await Promise.all([logCoverage(db, lotIds), repo.certificateStamp(db, producerIds)]);
  return { stamp: `${coverage.records}|${certificates}|${day}`, coverage, day };
}

async function computeLotDetail(db: Database, lotId: string, maxNodes: number): Promise<{ byLang: Record<Lang, Detail>; coverage: LogCoverage; basis: DetailBasis }> {
  const builtAt = Date.now();
  const row = await repo.findLotHeader(db, lotId);
  if (!row) throw new Error(`lot ${lotId} of a code is missing`);
  const graph = await provenanceRepo.fetchAncestors(db, row.lotId, maxNodes);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const parentEdges = new Map<string, provenanceRepo.GraphEdge[]>();
  for (const e of graph.edges) parentEdges.set(e.childLotId, [...(parentEdges.get(e.childLotId) ?? []), e]);
  const orgs = new Map(graph.organizations.map((o) => [o.id, o]));
  const sites = new Map(graph.sites.map((s) => [s.id, s]));
  const lotIds = graph.nodes.map((n) => n.id);

  const origins = graph.truncated || !nodes.has(row.lotId) ? new Map() : originShares(row.lotId, nodes, parentEdges).origins;
  const originList = [...origins].map(([lotId, share]) => ({ node: nodes.get(lotId)!, share }));
  const regionCodes = [row.producerRegionCode, ...originList.map((o) => (o.node.siteId ? sites.get(o.node.siteId)?.regionCode : undefined))].filter(
    (c): c is string => typeof c === 'string',
  );
  const producerIds = [...new Set(graph.nodes.map((n) => n.producerId))];
  // The stamp before what it stands for: a lab result committed in between is then in the reads below and changes
  // the next stamp (one rebuild too many), never in the stamp without being on the page.
  const { stamp, coverage, day } = await readStamp(db, lotIds, producerIds);
  const [regions, reports, certificates, giClaims] = await Promise.all([
    findRegions(db, regionCodes),
    repo.latestLabReports(db, lotIds),
    repo.validCertificates(db, producerIds, [...new Set(graph.nodes.map((n) => n.siteId).filter((s): s is string => !!s))], day),
    repo.giClaimsOfLots(db, lotIds),
  ]);
  const pct = toDecimals(originList.map((o) => o.share), 3);
  const local = (ms: number, offset: number) => formatOffsetTime(new Date(ms), offset);
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);

  // A consumer reads a phone screen, not a lineage: bases are merged per site and every list is capped (a
  // product blended from 50 decoction-piece lots has hundreds of harvests upstream).
  const bySite = new Map<string, { base: string | null; organization: string; regionCode: string | null; region: string | null; share: number }>();
  originList.forEach((o, i) => {
    const site = o.node.siteId ? sites.get(o.node.siteId) : undefined;
    const key = site ? `site:${site.id}` : `lot:${o.node.id}`;
    const entry = bySite.get(key) ?? {
      base: site?.name ?? null,
      organization: orgs.get(o.node.producerId)?.name ?? '',
      regionCode: site?.regionCode ?? null,
      region: site ? (regions.get(site.regionCode)?.fullName ?? null) : null,
      share: 0,
    };
    entry.share += Number(pct[i]) * 100;
    bySite.set(key, entry);
  });
  const originEntries = [...bySite.values()].sort((a, b) => b.share - a.share);
  const distinct = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((t) => [key(t), t])).values()];

  // Attributes and process steps come as JSON text: parsed here, once per lot and half-minute.
  const lots = graph.nodes.map((n) => ({ ...n, ...provenanceRepo.nodeDetail(n) }));
  const harvests = distinct(
    lots
      .filter((n) => n.stage === 'harvest')
      .sort((a, b) => a.producedAtMs - b.producedAtMs)
      .map((n) => ({
        date: local(n.producedAtMs, n.producedAtOffset),
        rootAgeYears: Number.isInteger(n.attributes.rootAgeYears) ? (n.attributes.rootAgeYears as number) : null,
        antlerGrade: str(n.attributes.antlerGrade),
      })),
    (h) => `${h.date.slice(0, 10)}|${h.rootAgeYears}|${h.antlerGrade}`,
  );
  // Steps in words of each page language (vocabulary.js formatStep: "烘干 45 °C · 72 小时"); distinct by their
  // Chinese wording, so both languages list the same entries.
  const processingOf = (lang: Lang) =>
    distinct(
      lots
        .filter((n) => Array.isArray((n.process as { steps?: unknown } | null)?.steps))
        .sort((a, b) => a.producedAtMs - b.producedAtMs)
        .map((n) => {
          const steps = (n.process as { steps: { op?: unknown; params?: unknown }[] }).steps ?? [];
          return {
            key: `${n.stage}|${orgs.get(n.producerId)?.name ?? ''}|${steps.map((s) => formatStep(s, 'zh-CN')).join('>')}`,
            entry: { stage: n.stage, organization: orgs.get(n.producerId)?.name ?? '', date: local(n.producedAtMs, n.producedAtOffset), steps: steps.map((s) => formatStep(s, lang)) },
          };
        }),
      (p) => p.key,
    ).map((p) => p.entry);
  // Failed tests first: a consumer must see those even when a blend has many passing reports.
  const tests = reports
    .map(({ lotId, ...r }) => ({ node: nodes.get(lotId)!, r }))
    .sort((a, b) => Number(a.r.verdict === 'pass') - Number(b.r.verdict === 'pass') || a.r.testedAtMs - b.r.testedAtMs)
    .map(({ node, r }) => ({ stage: node.stage, lotNumber: node.lotNumber, lab: r.lab, testedAt: local(r.testedAtMs, r.testedAtOffset), verdict: r.verdict }));

  const species = { nameZh: row.speciesNameZh, nameEn: row.speciesNameEn, latinName: row.latinName, sourceSpecies: row.sourceSpecies };
  const detailIn = (lang: Lang): Detail => ({
    product: {
      // A product's own name is the producer's, in Chinese; without one the product is named by its herb.
      name: str(row.attributes.name) ?? speciesName(species, lang),
      herb: speciesName(species, lang),
      species: { code: row.speciesCode, nameZh: row.speciesNameZh, nameEn: row.speciesNameEn, latinName: row.latinName },
      lotNumber: row.lotNumber,
      stage: row.stage,
      gtin: row.gtin,
      producedAt: local(row.producedAtMs, row.producedAtOffset),
      expiryDate: str(row.attributes.expiryDate),
    },
    producer: { name: row.producerName, region: regions.get(row.producerRegionCode)?.fullName ?? null },
    origins: originEntries.slice(0, MAX_ITEMS).map(({ share, ...o }) => ({ ...o, sharePct: Math.round(share * 10) / 10 })),
    moreOrigins: Math.max(0, originEntries.length - MAX_ITEMS),
    harvests: harvests.slice(0, MAX_ITEMS),
    processing: processingOf(lang).slice(0, MAX_ITEMS),
    tests: tests.slice(0, MAX_ITEMS),
    // Per holder: two organisations may claim one number (the confirmed claim is listed first).
    certificates: distinct(certificates, (c) => `${c.kind}|${c.organization}|${c.authority}|${c.number}`)
      .slice(0, MAX_ITEMS)
      .map((c) => ({ kind: c.kind, organization: c.organization, authority: c.authority, number: c.number, validUntil: c.validUntil, assertion: c.assertion })),
    giClaims,
  });
  return { byLang: Object.fromEntries(LANGS.map((l) => [l, detailIn(l)])) as Record<Lang, Detail>, coverage, basis: { lotIds, producerIds, stamp, builtAt } };
}

/** The page for a path that is not a code of ours at all (malformed): unknown, with its own explanation. */
export function malformedCodeView(lang: Lang): ConsumerResolveView {
  return {
    ...unknownView(lang, null),
    message: lang === 'en' ? 'This is not a code we issue: it cannot be read.' : '这不是本平台签发的码格式，无法识别。',
    warning:
      lang === 'en'
        ? 'Check that you scanned the code on the pack. If the product shows no other valid code, it may be counterfeit.'
        : '请确认扫描的是包装上的溯源码。若包装上没有其他有效的码，产品可能是假冒的。',
  };
}

function unknownView(lang: Lang, code: string | null): ConsumerResolveView {
  return {
    verdict: 'unknown',
    message: VERDICT_TEXT[lang].unknown,
    warning: WARNING_TEXT[lang].unknown ?? null,
    lang,
    code,
    product: null,
    producer: null,
    origins: [],
    moreOrigins: 0,
    harvests: [],
    processing: [],
    tests: [],
    certificates: [],
    giClaims: [],
    scans: null,
    log: null,
  };
}

export interface ResolveResult {
  found: boolean;
  view: ConsumerResolveView;
  /** The view as JSON text. */
  toJson(): string;
}

function unknownResult(lang: Lang, code: string): ResolveResult {
  const view = unknownView(lang, code);
  return { found: false, view, toJson: () => JSON.stringify(view) };
}

/**
 * Resolves a scanned code into the consumer projection and records the scan. The recorder judges and stores the
 * scan on the primary (where the latest scans are), batched with concurrent scans, before the answer goes out;
 * the lot's chain, the heavy part, comes from `details` (LotDetails: read on the read handle, a replica when
 * configured, and kept per lot).
 */
export async function resolveCode(
  database: { db: Database; read: Database },
  recorder: ScanRecorder,
  details: LotDetails,
  key: ResolveKey,
  client: ScanClient,
  lang: Lang,
  settings: ResolveSettings,
): Promise<ResolveResult> {
  const hasLocation = client.lat !== undefined && client.lon !== undefined;
  if (key.gtin !== undefined) {
    // A Digital Link names the GTIN and lot too: a real serial under another product is not that product's code,
    // and its scan is not recorded against the code.
    const row = await repo.findResolveRow(database.read, key.code);
    if (!row || row.level !== 'unit' || row.gtin !== key.gtin || row.lotNumber !== key.lotNumber) return unknownResult(lang, key.code);
  }
  const row = await recorder.record({
    code: key.code,
    scannedAt: new Date(),
    network: client.network,
    device: client.device ? deviceOfScan(client.device, key.code) : null,
    userAgent: client.userAgent === null ? null : client.userAgent.slice(0, 300),
    lat: hasLocation ? client.lat! : null,
    lon: hasLocation ? client.lon! : null,
    regionCode: client.regionCode ?? null,
  });
  if (!row) return unknownResult(lang, key.code);
  const verdict = row.verdict as VerdictValue;
  const [lotPart, region] = await Promise.all([
    details.get(row.lotId),
    row.firstPlace ? placeRegion(database.read, row.firstPlace) : null,
  ]);
  const { detail, json } = lotPart.byLang[lang];
  const scans = scanRecord(row, region, verdict, settings);
  const logged = logRecord(lotPart.coverage, details.log);
  const view: ConsumerResolveView = {
    verdict,
    message: scans.suspicion ? suspicionText(lang, scans.suspicion, settings.windowHours) : VERDICT_TEXT[lang][verdict],
    warning: WARNING_TEXT[lang][verdict] ?? null,
    lang,
    code: row.code,
    ...detail,
    product: { ...detail.product, status: row.status },
    scans,
    log: logged,
  };
  const head = JSON.stringify({ verdict, message: view.message, warning: view.warning, lang, code: row.code }).slice(0, -1);
  // Same members in the same order as `view`.
  const toJson = () => `${head},"product":${json.productHead},"status":${JSON.stringify(row.status)}},${json.rest},"scans":${JSON.stringify(scans)},"log":${JSON.stringify(logged)}}`;
  return { found: true, view, toJson };
}

/**
 * The chain's record in the verifiable log, from the coverage cached with the lot and the checkpoint held in
 * memory (no database round trip): "in the log" only when every event of the chain has an entry and the
 * checkpoint known here includes the highest of them; otherwise still being written (or not yet in a
 * checkpoint this process has seen). Null without a log.
 */
function logRecord(coverage: LogCoverage | null, log: ResolveLog | undefined): ConsumerResolveView['log'] {
  if (!log || !coverage || coverage.records === 0) return null;
  const checkpoint = coverage.logged === coverage.records && coverage.lastIndex !== null ? log.latestCheckpoint() : undefined;
  if (checkpoint && coverage.lastIndex !== null && checkpoint.size > coverage.lastIndex) {
    return { records: coverage.records, inLog: true, lastIndex: coverage.lastIndex, treeSize: checkpoint.size, checkpointAt: formatOffsetTime(checkpoint.at, CST_MINUTES) };
  }
  return { records: coverage.records, inLog: false, lastIndex: null, treeSize: null, checkpointAt: null };
}

type ScanRecordView = NonNullable<ConsumerResolveView['scans']>;
type Suspicion = NonNullable<ScanRecordView['suspicion']>;

/** China Standard Time: the consumers of these pages, and scans keep no offset of their own. */
const CST_MINUTES = 480;

function scanRecord(row: repo.ScanJudgement, region: ScanRecordView['firstVerified']['region'], verdict: VerdictValue, settings: ResolveSettings): ScanRecordView {
  return {
    count: row.count,
    networks: row.networks,
    windowHours: settings.windowHours,
    firstVerified: { at: formatOffsetTime(row.firstAt, CST_MINUTES), thisScan: row.isFirst, region },
    suspicion:
      verdict === 'suspicious'
        ? {
            // The statement's verdict decided it; this says which evidence did (clients first, as the README lists them).
            rule: row.clients > settings.suspiciousNetworks ? 'many-networks' : 'far-apart',
            networks: row.networks,
            places: row.places,
            distanceKm: Math.round(row.spreadKm),
          }
        : null,
  };
}

/** The region of the first located or region-given scan: the one given, else the city nearest to the location. */
async function placeRegion(db: Database, place: NonNullable<repo.ScanJudgement['firstPlace']>): Promise<ScanRecordView['firstVerified']['region']> {
  const near = place.lat !== null && place.lon !== null ? nearestCity(place.lat, place.lon) : null;
  const codes = [place.regionCode, near].filter((c): c is string => c !== null);
  if (codes.length === 0) return null;
  const regions = await findRegions(db, codes);
  // A region code is only checked for its form on the way in: one that does not exist names nothing.
  const given = place.regionCode ? regions.get(place.regionCode) : undefined;
  if (given) return { code: given.code, name: given.fullName, approximate: false };
  const city = near ? regions.get(near) : undefined;
  return city ? { code: city.code, name: city.fullName, approximate: true } : null;
}

/** "30 天" / "30 days", or hours when the window is not whole days. */
export function windowText(lang: Lang, hours: number): string {
  const days = hours % 24 === 0 ? hours / 24 : null;
  if (lang === 'en') return days !== null ? `${days} day${days === 1 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`;
  return days !== null ? `${days} 天` : `${hours} 小时`;
}

const km = (n: number) => n.toLocaleString('en-US');

/** The suspicious verdict in words, with the evidence that made it. */
function suspicionText(lang: Lang, s: Suspicion, windowHours: number): string {
  if (lang === 'en') {
    return s.rule === 'far-apart'
      ? `Suspicious: this code has been verified from ${s.places} different networks in places up to ${km(s.distanceKm)} km apart. It may have been copied.`
      : `Suspicious: this code has been verified from ${s.networks} different networks in the last ${windowText(lang, windowHours)}, far more than one genuine box sees. It may have been copied.`;
  }
  return s.rule === 'far-apart'
    ? `可疑：此码已在 ${s.places} 个不同网络、相距 ${km(s.distanceKm)} 公里的地区被查验，可能被复制。`
    : `可疑：此码近 ${windowText(lang, windowHours)}内已在 ${s.networks} 个不同网络被查验，远多于一件正品通常的查验者，可能被复制。`;
}
