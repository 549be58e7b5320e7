import { Type, type Static } from 'typebox';
import { Timestamp } from '../../lib/schemas.js';

export const CodeLevel = Type.Union([Type.Literal('unit'), Type.Literal('lot')], {
  description: 'unit: one code per retail unit (product lots only); lot: one code for the whole lot (any stage)',
});

export const IssueCodesBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 100_000, description: 'How many codes to issue in this request', examples: [40000] }),
    level: Type.Optional({ ...CodeLevel, default: 'unit' }),
  },
  { $id: 'IssueCodesBody', additionalProperties: false },
);
export type IssueCodesInput = Static<typeof IssueCodesBody>;

export const Code = Type.Object(
  {
    code: Type.String({ description: 'The unguessable serial (GS1 AI 21 when the lot has a GTIN)', examples: ['K7mPqX3vRt9wZa2B'] }),
    url: Type.String({
      description: 'What the QR code encodes: a GS1 Digital Link URI with a GTIN, otherwise PUBLIC_BASE_URL/q/{code}',
      examples: ['https://trace.example.cn/01/06901234567892/10/SH-2411-01/21/K7mPqX3vRt9wZa2B'],
    }),
    level: CodeLevel,
    status: Type.Union([Type.Literal('active'), Type.Literal('void')]),
  },
  { $id: 'Code' },
);
export type CodeView = Static<typeof Code>;

export const IssuedCodes = Type.Object(
  {
    lotId: Type.String(),
    eventId: Type.String({ description: 'The codes_issued event that records this issuance' }),
    count: Type.Integer(),
    codes: Type.Array(Type.Object({ code: Type.String(), url: Type.String() })),
  },
  { $id: 'IssuedCodes' },
);

export const CodeListQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json', description: 'csv: every code of the lot, for a label printer' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const VoidCodeBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, examples: ['label damaged at the packing line'] }) },
  { $id: 'VoidCodeBody', additionalProperties: false },
);

export const ScanStats = Type.Object(
  {
    totalScans: Type.Integer(),
    scansInWindow: Type.Integer({ description: 'Scans within SCAN_WINDOW_HOURS' }),
    distinctNetworks: Type.Integer({ description: 'Distinct coarse client networks (/24 or /48)' }),
    firstScanAt: Type.Union([Timestamp, Type.Null()]),
    lastScanAt: Type.Union([Timestamp, Type.Null()]),
    suspiciousScans: Type.Integer({ description: 'Scans that resolved as suspicious' }),
  },
  { $id: 'ScanStats' },
);

export const CodeScans = Type.Object(
  {
    code: Type.String(),
    lotId: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('void')]),
    stats: Type.Unsafe<Static<typeof ScanStats>>({ $ref: 'ScanStats#' }),
    recent: Type.Array(
      Type.Object({
        scannedAt: Timestamp,
        network: Type.Union([Type.String(), Type.Null()]),
        userAgent: Type.Union([Type.String(), Type.Null()]),
        location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
        regionCode: Type.Union([Type.String(), Type.Null()]),
        verdict: Type.String(),
      }),
      { description: 'The latest 50 scans' },
    ),
  },
  { $id: 'CodeScans' },
);

export const LotScans = Type.Object(
  {
    lotId: Type.String(),
    codes: Type.Integer({ description: 'Codes issued for the lot' }),
    voidedCodes: Type.Integer(),
    scannedCodes: Type.Integer({ description: 'Codes scanned at least once' }),
    stats: Type.Unsafe<Static<typeof ScanStats>>({ $ref: 'ScanStats#' }),
    topCodes: Type.Array(Type.Object({ code: Type.String(), scans: Type.Integer(), lastScanAt: Timestamp }), {
      description: 'The 20 most scanned codes',
    }),
  },
  { $id: 'LotScans' },
);

export const Verdict = Type.Union(
  [Type.Literal('genuine'), Type.Literal('recalled'), Type.Literal('suspicious'), Type.Literal('void'), Type.Literal('unknown')],
  {
    description:
      'genuine; recalled (do not use); suspicious (scanned from many networks, or from networks in places far apart: see scans.suspicion); void (withdrawn); unknown (no such code)',
  },
);
export type VerdictValue = Static<typeof Verdict>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** What a consumer sees behind a code: names and regions only, never keys, credit codes or households. */
export const ConsumerResolve = Type.Object(
  {
    verdict: Verdict,
    message: Type.String({ description: 'The verdict in words, in the page language' }),
    warning: Nullable(Type.String()),
    lang: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
    code: Nullable(Type.String()),
    product: Nullable(
      Type.Object({
        name: Type.String({ description: 'The product’s own name (as the producer gave it), else its herb in the page language' }),
        herb: Type.String({ description: 'The herb in the page language: 人参; Ginseng (Panax ginseng)', examples: ['人参', 'Ginseng (Panax ginseng)'] }),
        species: Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), latinName: Type.String({ description: 'The drug’s pharmacopoeia name' }) }),
        lotNumber: Type.String(),
        stage: Type.String(),
        gtin: Nullable(Type.String()),
        producedAt: Timestamp,
        expiryDate: Nullable(Type.String()),
        status: Type.String({ description: 'active, hold, recalled or destroyed' }),
      }),
    ),
    producer: Nullable(Type.Object({ name: Type.String(), region: Nullable(Type.String()) })),
    origins: Type.Array(
      Type.Object({
        base: Nullable(Type.String({ description: 'The origin site (base, farm, nursery)' })),
        organization: Type.String(),
        regionCode: Nullable(Type.String()),
        region: Nullable(Type.String()),
        sharePct: Type.Number({ description: 'Share of the product that traces back to this origin, in % (one decimal)' }),
      }),
      { description: 'Origin bases by share, at most 8' },
    ),
    moreOrigins: Type.Integer({ description: 'Further origin bases not listed' }),
    harvests: Type.Array(Type.Object({ date: Timestamp, rootAgeYears: Nullable(Type.Integer()), antlerGrade: Nullable(Type.String()) }), {
      description: 'Distinct harvest days with root age or antler grade, at most 8',
    }),
    processing: Type.Array(
      Type.Object({
        stage: Type.String(),
        organization: Type.String(),
        date: Timestamp,
        steps: Type.Array(Type.String(), { description: 'Each step in words of the page language (烘干 45 °C · 72 小时; Oven-dried 45 °C · 72 h)' }),
      }),
    ),
    tests: Type.Array(
      Type.Object({ stage: Type.String(), lotNumber: Type.String(), lab: Type.String(), testedAt: Timestamp, verdict: Type.String() }),
    ),
    certificates: Type.Array(
      Type.Object({
        kind: Type.String(),
        organization: Type.String(),
        authority: Type.String(),
        number: Type.String(),
        validUntil: Type.String(),
        assertion: Type.Unsafe<string>({
          type: 'string',
          enum: ['confirmed', 'self_declared'],
          description: 'self_declared: recorded by the holder and not confirmed by a regulator or certifier (shown as such, listed after confirmed ones)',
        }),
      }),
    ),
    giClaims: Type.Array(Type.Object({ code: Type.String(), nameZh: Type.String() })),
    scans: Nullable(
      Type.Object(
        {
          count: Type.Integer({ description: 'Scans of this code within the scan window, this one included' }),
          networks: Type.Integer({ description: 'Distinct client networks (/24 or /48) among those scans, this one included' }),
          windowHours: Type.Integer({ description: 'The scan window (SCAN_WINDOW_HOURS) count and networks cover' }),
          firstVerified: Type.Object(
            {
              at: { ...Timestamp, description: 'The first scan of this code ever, in China Standard Time (+08:00)' },
              thisScan: Type.Boolean({ description: 'true when this scan is the first' }),
              region: Nullable(
                Type.Object(
                  {
                    code: Type.String({ description: 'GB/T 2260 code' }),
                    name: Type.String({ examples: ['吉林省 长春市'] }),
                    approximate: Type.Boolean({
                      description: 'true: the nearest city to the consent-given location of the scan; false: the region the scanner gave',
                    }),
                  },
                  { description: 'Where the first located or region-given scan was made; null when no early scan said where' },
                ),
              ),
            },
            { description: '"First verified on DATE in REGION"' },
          ),
          suspicion: Nullable(
            Type.Object(
              {
                rule: Type.Union([Type.Literal('many-networks'), Type.Literal('far-apart')], {
                  description: 'many-networks: more distinct clients than SCAN_SUSPICIOUS_NETWORKS; far-apart: located scans from SCAN_SUSPICIOUS_PLACES or more networks in places farther apart than SCAN_SUSPICIOUS_DISTANCE_KM',
                }),
                networks: Type.Integer({ description: 'Distinct networks in the window' }),
                places: Type.Integer({ description: 'Networks whose located scans lie in places that far apart from one another' }),
                distanceKm: Type.Integer({ description: 'Largest distance between located scans of two networks, km' }),
              },
              { description: 'Why the verdict is suspicious; null otherwise' },
            ),
          ),
        },
        { description: 'The code\'s scan record; null for an unknown code' },
      ),
    ),
    log: Nullable(
      Type.Object(
        {
          records: Type.Integer({ description: 'Events recorded about this product’s lot and every lot upstream of it' }),
          inLog: Type.Boolean({ description: 'true: every one of them is in the public verifiable log, under the checkpoint named here' }),
          lastIndex: Nullable(Type.Integer({ description: 'The highest leaf index among them (0-based)' })),
          treeSize: Nullable(Type.Integer({ description: 'Tree size of a signed checkpoint that includes them all (GET /log/checkpoint)' })),
          checkpointAt: Nullable({ ...Timestamp, description: 'When that checkpoint was signed, in China Standard Time (+08:00)' }),
        },
        { description: 'The product’s records in the verifiable log (/log/); inLog false while they are still being written. Null for an unknown code' },
      ),
    ),
  },
  { $id: 'ConsumerResolve' },
);
export type ConsumerResolveView = Static<typeof ConsumerResolve>;

export const ResolveQuery = Type.Object(
  {
    lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('zh-CN'), Type.Literal('en')])),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'Consent-given location of the scan' })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    region: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'Consent-given GB/T 2260 region of the scan' })),
  },
  // A location is both coordinates: lat without lon (or lon without lat) is a 400, not silently dropped.
  { additionalProperties: true, dependencies: { lat: ['lon'], lon: ['lat'] } },
);
export type ResolveInput = Static<typeof ResolveQuery>;

export const QrQuery = Type.Object(
  { size: Type.Optional(Type.Integer({ minimum: 64, maximum: 2048, default: 320, description: 'Width in pixels (PNG) or nominal size (SVG)' })) },
  { additionalProperties: false },
);

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const codeSchemas = [IssueCodesBody, IssuedCodes, Code, VoidCodeBody, ScanStats, CodeScans, LotScans, ConsumerResolve];
