import path from 'node:path';

/** Everything the service reads from the environment, parsed once and typed. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Optional read replica for public resolves and provenance reads. */
  databaseReadUrl: string | undefined;
  dataDir: string;
  /** Admin bearer token; on the embedded database it may be absent and is then generated at first start. */
  adminToken: string | undefined;
  /** Origin used in QR code URLs, without a trailing slash. */
  publicBaseUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  /** Requests per minute and client address on the public (unauthenticated) routes. */
  publicRateLimitPerMinute: number;
  /** Trust X-Forwarded-For from a load balancer in front of the service. */
  trustProxy: boolean;
  /** Most lots a provenance, descendants or lineage query may reach before it is refused (422). */
  graphMaxNodes: number;
  /** Longest chain (in edges) such a query may walk. */
  graphMaxDepth: number;
  /**
   * A unit code scanned from more than this many distinct clients (coarse networks, one device cookie seen on
   * several networks counted once) within the scan window resolves as suspicious.
   */
  scanSuspiciousNetworks: number;
  /** Located scans from at least this many networks in places more than the distance apart make it suspicious. */
  scanSuspiciousPlaces: number;
  /** How far apart (km) two located scans must be to count as different places. */
  scanSuspiciousDistanceKm: number;
  /** The window (hours) both scan rules look back over. */
  scanWindowHours: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = text('HOST') ?? '127.0.0.1';
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseReadUrl = url('DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (databaseReadUrl && !databaseUrl) problems.push('DATABASE_READ_URL needs DATABASE_URL as well');
  const dataDir = path.resolve(text('HERBTRACE_DATA_DIR') ?? './data');
  const adminToken = text('HERBTRACE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 24) {
    problems.push('HERBTRACE_ADMIN_TOKEN must be at least 24 characters long');
  }
  const publicBaseUrl = (url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const logLevelRaw = text('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const bodyLimitBytes = integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600);
  const publicRateLimitPerMinute = integer('PUBLIC_RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000);
  const graphMaxNodes = integer('GRAPH_MAX_NODES', 50_000, 10, 10_000_000);
  const graphMaxDepth = integer('GRAPH_MAX_DEPTH', 200, 2, 100_000);
  // The old rule counted requests, which anyone can repeat: refuse the old name rather than ignore it silently.
  if (text('SCAN_SUSPICIOUS_COUNT') !== undefined) {
    problems.push('SCAN_SUSPICIOUS_COUNT is no longer read: the scan rule counts distinct client networks now, set SCAN_SUSPICIOUS_NETWORKS instead');
  }
  const scanSuspiciousNetworks = integer('SCAN_SUSPICIOUS_NETWORKS', 20, 1, 1_000_000);
  const scanSuspiciousPlaces = integer('SCAN_SUSPICIOUS_PLACES', 3, 2, 1000);
  const scanSuspiciousDistanceKm = integer('SCAN_SUSPICIOUS_DISTANCE_KM', 500, 1, 40_000);
  const scanWindowHours = integer('SCAN_WINDOW_HOURS', 720, 1, 876_000);
  const trustProxyRaw = text('TRUST_PROXY') ?? 'false';
  if (!['true', 'false'].includes(trustProxyRaw)) problems.push(`TRUST_PROXY must be true or false, got "${trustProxyRaw}"`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    databaseUrl,
    databaseReadUrl,
    dataDir,
    adminToken,
    publicBaseUrl,
    logLevel: logLevelRaw as Config['logLevel'],
    bodyLimitBytes,
    publicRateLimitPerMinute,
    trustProxy: trustProxyRaw === 'true',
    graphMaxNodes,
    graphMaxDepth,
    scanSuspiciousNetworks,
    scanSuspiciousPlaces,
    scanSuspiciousDistanceKm,
    scanWindowHours,
  };
}
