import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import envSchema from 'env-schema';

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
  /**
   * The chain part of a consumer page (origins, tests, certificates…) is kept per lot and checked again this long
   * (ms, ±25 %) after it was read: rebuilt when the chain's record changed, else kept.
   */
  consumerPageCacheMs: number;
  /** …and rebuilt at least this often (ms) in any case. */
  consumerPageMaxAgeMs: number;
  /**
   * The key that seals stored secrets (TOTP seeds), 32 bytes as 64 hex digits or base64; on the embedded database
   * it may be absent and is then generated at first start (lib/secret-key.ts).
   */
  secretKey: string | undefined;
  /** An office session ends after this many minutes without a request… */
  sessionIdleMinutes: number;
  /** …and this many hours after sign-in, whatever happens. */
  sessionAbsoluteHours: number;
  /** A device session ("keep me signed in on this phone", recorders and viewers only): idle days… */
  deviceSessionIdleDays: number;
  /** …and absolute days. */
  deviceSessionAbsoluteDays: number;
  /** Who must sign in with a second factor (TOTP): roles, and `regulator` for every user of a regulator. */
  totpRequiredFor: ('owner' | 'recorder' | 'viewer' | 'regulator')[];
  /** Failed sign-ins of one login within the throttle window before further attempts get 429. */
  loginFailuresPerLogin: number;
  /** Failed sign-ins from one client address within the window before it gets 429. */
  loginFailuresPerAddress: number;
  /** The window (minutes) failed sign-ins are counted over. */
  loginThrottleWindowMinutes: number;
  /**
   * The verifiable log's signing key (a C2SP signed-note Ed25519 private key); on the embedded database it may be
   * absent and is then generated at first start (modules/tlog/log.key.ts).
   */
  logKey: string | undefined;
  /** The log's origin line; by default the host of PUBLIC_BASE_URL followed by `/log`. */
  logOrigin: string | undefined;
  /** How often (ms) the sequencer appends new events to the log and signs a checkpoint; 0: no sequencer in this process. */
  logSequenceIntervalMs: number;
  /** Witnesses whose cosignatures of checkpoints the log accepts and serves: C2SP verifier keys of type 0x04 (cosignature/v1). */
  logWitnesses: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TOTP_SUBJECTS = ['owner', 'recorder', 'viewer', 'regulator'] as const;

/** The 32 bytes of a secret key written as 64 hex digits or base64 (either alphabet), or null. */
export function secretKeyBytes(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

const wholeNumber = (minimum: number, maximum: number, defaultValue: number) => ({ type: 'integer', minimum, maximum, default: defaultValue }) as const;

/**
 * Every variable the service reads, as the JSON schema the environment is checked against (env-schema, with
 * defaults). URLs and the rules between variables are checked after it, in loadConfig.
 */
const ENV_SCHEMA = {
  type: 'object',
  properties: {
    PORT: wholeNumber(0, 65535, 3000),
    HOST: { type: 'string', default: '127.0.0.1' },
    DATABASE_URL: { type: 'string' },
    DATABASE_READ_URL: { type: 'string' },
    HERBTRACE_DATA_DIR: { type: 'string', default: './data' },
    HERBTRACE_ADMIN_TOKEN: { type: 'string', minLength: 24 },
    PUBLIC_BASE_URL: { type: 'string' },
    LOG_LEVEL: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    BODY_LIMIT_BYTES: wholeNumber(1024, 104_857_600, 1_048_576),
    PUBLIC_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000, 300),
    GRAPH_MAX_NODES: wholeNumber(10, 10_000_000, 50_000),
    GRAPH_MAX_DEPTH: wholeNumber(2, 100_000, 200),
    SCAN_SUSPICIOUS_NETWORKS: wholeNumber(1, 1_000_000, 20),
    SCAN_SUSPICIOUS_PLACES: wholeNumber(2, 1000, 3),
    SCAN_SUSPICIOUS_DISTANCE_KM: wholeNumber(1, 40_000, 500),
    SCAN_WINDOW_HOURS: wholeNumber(1, 876_000, 720),
    CONSUMER_PAGE_CACHE_MS: wholeNumber(10, 3_600_000, 30_000),
    CONSUMER_PAGE_MAX_AGE_MS: wholeNumber(10, 86_400_000, 600_000),
    TRUST_PROXY: { type: 'string', enum: ['true', 'false'], default: 'false' },
    HERBTRACE_SECRET_KEY: { type: 'string' },
    SESSION_IDLE_MINUTES: wholeNumber(1, 1440, 30),
    SESSION_ABSOLUTE_HOURS: wholeNumber(1, 720, 12),
    DEVICE_SESSION_IDLE_DAYS: wholeNumber(1, 90, 14),
    DEVICE_SESSION_ABSOLUTE_DAYS: wholeNumber(1, 365, 30),
    TOTP_REQUIRED_FOR: { type: 'string', default: 'owner,regulator' },
    LOGIN_FAILURES_PER_LOGIN: wholeNumber(3, 1000, 10),
    LOGIN_FAILURES_PER_ADDRESS: wholeNumber(3, 100_000, 100),
    LOGIN_THROTTLE_WINDOW_MINUTES: wholeNumber(1, 1440, 15),
    HERBTRACE_LOG_KEY: { type: 'string' },
    HERBTRACE_LOG_ORIGIN: { type: 'string' },
    LOG_SEQUENCE_INTERVAL_MS: wholeNumber(0, 1000, 200),
    HERBTRACE_LOG_WITNESSES: { type: 'string' },
    // Read only to refuse it (see loadConfig).
    SCAN_SUSPICIOUS_COUNT: { type: 'string' },
  },
} as const;

type EnvName = keyof typeof ENV_SCHEMA.properties;
type Env = {
  [K in EnvName]: (typeof ENV_SCHEMA.properties)[K] extends { type: 'integer' } ? number : (typeof ENV_SCHEMA.properties)[K] extends { default: string } ? string : string | undefined;
};

// No type coercion: Ajv would read "1e3", "0x10" or "1.0" as numbers; loadConfig turns digits, and only digits, into one.
const envAjv = new Ajv.default({ allErrors: true, useDefaults: true, coerceTypes: false, removeAdditional: true, addUsedSchema: false });

/** The message for a variable the schema refused, with the value as it was given. */
function problemWith(name: EnvName, raw: string | undefined): string {
  const schema: { type: string; minimum?: number; maximum?: number; enum?: readonly string[]; minLength?: number } = ENV_SCHEMA.properties[name];
  if (schema.type === 'integer') return `${name} must be a whole number from ${schema.minimum} to ${schema.maximum}, got "${raw}"`;
  if (name === 'TRUST_PROXY') return `TRUST_PROXY must be true or false, got "${raw}"`;
  if (schema.enum) return `${name} must be one of ${schema.enum.join(', ')}, got "${raw}"`;
  if (schema.minLength !== undefined) return `${name} must be at least ${schema.minLength} characters long`;
  return `${name} is not valid`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  // A blank value is no value; whole numbers arrive as text and are taken as numbers only when they are digits.
  const given: Partial<Record<EnvName, string>> = {};
  const data: Record<string, string | number> = {};
  for (const [name, schema] of Object.entries(ENV_SCHEMA.properties) as [EnvName, { type: string }][]) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    given[name] = value;
    data[name] = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
  }
  const validate = (input: Record<string, string | number>) => envSchema<Env>({ schema: ENV_SCHEMA as never, data: input, env: false, ajv: envAjv });
  let values: Env;
  try {
    values = validate(data);
  } catch (error) {
    const refused = new Set(((error as { errors?: ErrorObject[] }).errors ?? []).map((e) => e.instancePath.slice(1) as EnvName));
    if (refused.size === 0) throw error;
    for (const name of refused) {
      problems.push(problemWith(name, given[name]));
      delete data[name];
    }
    // The rest, with defaults for what was refused: the checks below still run, so every problem is reported at once.
    values = validate(data);
  }

  const url = (name: 'DATABASE_URL' | 'DATABASE_READ_URL' | 'PUBLIC_BASE_URL', protocols: string[]): string | undefined => {
    const raw = values[name];
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
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseReadUrl = url('DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  if (databaseReadUrl && !databaseUrl) problems.push('DATABASE_READ_URL needs DATABASE_URL as well');
  const publicBaseUrl = (url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  // The old rule counted requests, which anyone can repeat: refuse the old name rather than ignore it silently.
  if (values.SCAN_SUSPICIOUS_COUNT !== undefined) {
    problems.push('SCAN_SUSPICIOUS_COUNT is no longer read: the scan rule counts distinct client networks now, set SCAN_SUSPICIOUS_NETWORKS instead');
  }

  const secretKey = values.HERBTRACE_SECRET_KEY;
  if (secretKey !== undefined && secretKeyBytes(secretKey) === null) {
    problems.push('HERBTRACE_SECRET_KEY must be 32 bytes written as 64 hex digits or as base64 (openssl rand -hex 32)');
  }
  const totpRequiredFor = values.TOTP_REQUIRED_FOR.split(',').map((v) => v.trim()).filter((v) => v !== '' && v !== 'none');
  const unknownTotp = totpRequiredFor.filter((v) => !(TOTP_SUBJECTS as readonly string[]).includes(v));
  if (unknownTotp.length > 0) {
    problems.push(`TOTP_REQUIRED_FOR lists ${TOTP_SUBJECTS.join(', ')} (comma-separated) or none, got "${unknownTotp.join(',')}"`);
  }
  if (values.SESSION_IDLE_MINUTES > values.SESSION_ABSOLUTE_HOURS * 60) problems.push('SESSION_IDLE_MINUTES is longer than SESSION_ABSOLUTE_HOURS');
  const logKey = values.HERBTRACE_LOG_KEY;
  if (logKey !== undefined && !/^PRIVATE\+KEY\+[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(logKey)) {
    problems.push('HERBTRACE_LOG_KEY must be a signed-note private key: PRIVATE+KEY+<name>+<key id>+<base64>');
  }
  const logOrigin = values.HERBTRACE_LOG_ORIGIN;
  // eslint-disable-next-line no-control-regex
  if (logOrigin !== undefined && /[\u0000-\u001f\u007f]/.test(logOrigin)) problems.push('HERBTRACE_LOG_ORIGIN must be one line of text');
  // Comma- or space-separated vkeys; each must look like a cosignature/v1 key: base64 of the type byte 0x04 and a
  // 32-byte Ed25519 key is 44 characters starting with "B", no padding. (The log service reads each with the
  // log's key parser at start-up, which also checks the key id.)
  const logWitnesses = [...new Set((values.HERBTRACE_LOG_WITNESSES ?? '').split(/[\s,]+/).filter((v) => v !== ''))];
  const badWitness = logWitnesses.find((v) => !/^[^+\s]+\+[0-9a-f]{8}\+B[A-Za-z0-9+/]{43}$/.test(v));
  if (badWitness !== undefined) {
    problems.push(`HERBTRACE_LOG_WITNESSES lists witness verifier keys <name>+<key id>+<base64 of 0x04 and the 32-byte Ed25519 key> (npm run log-key -- --witness <name>), separated by commas; "${badWitness.slice(0, 80)}" is not one`);
  }
  if (values.DEVICE_SESSION_IDLE_DAYS > values.DEVICE_SESSION_ABSOLUTE_DAYS) problems.push('DEVICE_SESSION_IDLE_DAYS is longer than DEVICE_SESSION_ABSOLUTE_DAYS');
  if (values.CONSUMER_PAGE_CACHE_MS > values.CONSUMER_PAGE_MAX_AGE_MS) problems.push('CONSUMER_PAGE_CACHE_MS is longer than CONSUMER_PAGE_MAX_AGE_MS');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl,
    databaseReadUrl,
    dataDir: path.resolve(values.HERBTRACE_DATA_DIR),
    adminToken: values.HERBTRACE_ADMIN_TOKEN,
    publicBaseUrl,
    logLevel: values.LOG_LEVEL as Config['logLevel'],
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    publicRateLimitPerMinute: values.PUBLIC_RATE_LIMIT_PER_MINUTE,
    trustProxy: values.TRUST_PROXY === 'true',
    graphMaxNodes: values.GRAPH_MAX_NODES,
    secretKey,
    sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: values.SESSION_ABSOLUTE_HOURS,
    deviceSessionIdleDays: values.DEVICE_SESSION_IDLE_DAYS,
    deviceSessionAbsoluteDays: values.DEVICE_SESSION_ABSOLUTE_DAYS,
    totpRequiredFor: [...new Set(totpRequiredFor)] as Config['totpRequiredFor'],
    loginFailuresPerLogin: values.LOGIN_FAILURES_PER_LOGIN,
    loginFailuresPerAddress: values.LOGIN_FAILURES_PER_ADDRESS,
    loginThrottleWindowMinutes: values.LOGIN_THROTTLE_WINDOW_MINUTES,
    graphMaxDepth: values.GRAPH_MAX_DEPTH,
    scanSuspiciousNetworks: values.SCAN_SUSPICIOUS_NETWORKS,
    scanSuspiciousPlaces: values.SCAN_SUSPICIOUS_PLACES,
    scanSuspiciousDistanceKm: values.SCAN_SUSPICIOUS_DISTANCE_KM,
    scanWindowHours: values.SCAN_WINDOW_HOURS,
    consumerPageCacheMs: values.CONSUMER_PAGE_CACHE_MS,
    consumerPageMaxAgeMs: values.CONSUMER_PAGE_MAX_AGE_MS,
    logKey,
    logOrigin,
    logSequenceIntervalMs: values.LOG_SEQUENCE_INTERVAL_MS,
    logWitnesses,
  };
}
