// Configuration: every variable, its default, and a ConfigError naming the variable for each bad value.
import path from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems loadConfig reports for `env` (fails the test when it accepts it). */
function problemsOf(t: Test, env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    t.type(error, ConfigError, 'a ConfigError');
    t.match((error as Error).message, /^Invalid configuration:\n {2}- /, 'with a readable message');
    return (error as ConfigError).problems;
  }
  t.fail(`accepted ${JSON.stringify(env)}`);
  return [];
}

t.test('defaults on an empty environment', async (t) => {
  t.strictSame(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: undefined,
    databaseReadUrl: undefined,
    dataDir: path.resolve('./data'),
    adminToken: undefined,
    publicBaseUrl: 'http://localhost:3000',
    logLevel: 'info',
    bodyLimitBytes: 1_048_576,
    publicRateLimitPerMinute: 300,
    trustProxy: false,
    graphMaxNodes: 50_000,
    graphMaxDepth: 200,
    scanSuspiciousNetworks: 20,
    scanSuspiciousPlaces: 3,
    scanSuspiciousDistanceKm: 500,
    scanWindowHours: 720,
    consumerPageCacheMs: 30_000,
    consumerPageMaxAgeMs: 600_000,
    secretKey: undefined,
    sessionIdleMinutes: 30,
    sessionAbsoluteHours: 12,
    deviceSessionIdleDays: 14,
    deviceSessionAbsoluteDays: 30,
    totpRequiredFor: ['owner', 'regulator'],
    loginFailuresPerLogin: 10,
    loginFailuresPerAddress: 100,
    loginThrottleWindowMinutes: 15,
    logKey: undefined,
    logOrigin: undefined,
    logSequenceIntervalMs: 200,
    logWitnesses: [],
  });
});

t.test('every variable is read', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://herbtrace@db.internal:5432/herbtrace',
    DATABASE_READ_URL: 'postgresql://herbtrace@replica.internal/herbtrace',
    HERBTRACE_DATA_DIR: '/var/lib/herbtrace',
    HERBTRACE_ADMIN_TOKEN: 'x'.repeat(24),
    PUBLIC_BASE_URL: 'https://trace.example.cn//',
    LOG_LEVEL: 'warn',
    BODY_LIMIT_BYTES: '2048',
    PUBLIC_RATE_LIMIT_PER_MINUTE: '60',
    TRUST_PROXY: 'true',
    GRAPH_MAX_NODES: '1000',
    GRAPH_MAX_DEPTH: '50',
    SCAN_SUSPICIOUS_NETWORKS: '5',
    SCAN_SUSPICIOUS_PLACES: '2',
    SCAN_SUSPICIOUS_DISTANCE_KM: '40000',
    SCAN_WINDOW_HOURS: '24',
    CONSUMER_PAGE_CACHE_MS: '5000',
    CONSUMER_PAGE_MAX_AGE_MS: '60000',
    HERBTRACE_SECRET_KEY: 'ab'.repeat(32),
    SESSION_IDLE_MINUTES: '15',
    SESSION_ABSOLUTE_HOURS: '8',
    DEVICE_SESSION_IDLE_DAYS: '7',
    DEVICE_SESSION_ABSOLUTE_DAYS: '21',
    TOTP_REQUIRED_FOR: 'owner, recorder,regulator',
    LOGIN_FAILURES_PER_LOGIN: '5',
    LOGIN_FAILURES_PER_ADDRESS: '50',
    LOGIN_THROTTLE_WINDOW_MINUTES: '30',
    HERBTRACE_LOG_KEY: 'PRIVATE+KEY+trace.example.cn/log+0a1b2c3d+AQ+abc/def=',
    HERBTRACE_LOG_ORIGIN: 'trace.example.cn/log',
    LOG_SEQUENCE_INTERVAL_MS: '500',
    HERBTRACE_LOG_WITNESSES: 'regulator.example+593df6a4+BLa1mZkBWAEvHl5z+lx1267CiAXM+vGuPfAvWo8hChh4, regulator.example+593df6a4+BLa1mZkBWAEvHl5z+lx1267CiAXM+vGuPfAvWo8hChh4',
  });
  t.strictSame(config, {
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: 'postgres://herbtrace@db.internal:5432/herbtrace',
    databaseReadUrl: 'postgresql://herbtrace@replica.internal/herbtrace',
    dataDir: '/var/lib/herbtrace',
    adminToken: 'x'.repeat(24),
    publicBaseUrl: 'https://trace.example.cn',
    logLevel: 'warn',
    bodyLimitBytes: 2048,
    publicRateLimitPerMinute: 60,
    trustProxy: true,
    graphMaxNodes: 1000,
    graphMaxDepth: 50,
    scanSuspiciousNetworks: 5,
    scanSuspiciousPlaces: 2,
    scanSuspiciousDistanceKm: 40_000,
    scanWindowHours: 24,
    consumerPageCacheMs: 5000,
    consumerPageMaxAgeMs: 60_000,
    secretKey: 'ab'.repeat(32),
    sessionIdleMinutes: 15,
    sessionAbsoluteHours: 8,
    deviceSessionIdleDays: 7,
    deviceSessionAbsoluteDays: 21,
    totpRequiredFor: ['owner', 'recorder', 'regulator'],
    loginFailuresPerLogin: 5,
    loginFailuresPerAddress: 50,
    loginThrottleWindowMinutes: 30,
    logKey: 'PRIVATE+KEY+trace.example.cn/log+0a1b2c3d+AQ+abc/def=',
    logOrigin: 'trace.example.cn/log',
    logSequenceIntervalMs: 500,
    logWitnesses: ['regulator.example+593df6a4+BLa1mZkBWAEvHl5z+lx1267CiAXM+vGuPfAvWo8hChh4'],
  });
  t.strictSame(loadConfig({ TOTP_REQUIRED_FOR: 'none' }).totpRequiredFor, [], 'two-factor required for nobody');
  t.equal(loadConfig({ HERBTRACE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey, Buffer.alloc(32, 7).toString('base64'), 'a base64 key');
});

t.test('values are trimmed; an empty or blank value is the default', async (t) => {
  const config = loadConfig({ PORT: ' 8081 ', HOST: '', LOG_LEVEL: '   ', HERBTRACE_DATA_DIR: ' ./var ', TRUST_PROXY: ' false ' });
  t.equal(config.port, 8081);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.logLevel, 'info');
  t.equal(config.dataDir, path.resolve('./var'));
  t.equal(config.trustProxy, false);
  t.equal(config.publicBaseUrl, 'http://localhost:8081', 'the default base URL follows PORT');
  t.equal(loadConfig({ HERBTRACE_DATA_DIR: 'data2' }).dataDir, path.resolve('data2'), 'a relative data directory is resolved');
  t.equal(loadConfig({ PORT: '0' }).port, 0, 'port 0: any free port');
});

// The fourth member: other variables a value needs beside it (an idle timeout within its absolute one).
const INTEGERS: [string, number, number, Record<string, string>?][] = [
  ['PORT', 0, 65535],
  ['BODY_LIMIT_BYTES', 1024, 104_857_600],
  ['PUBLIC_RATE_LIMIT_PER_MINUTE', 1, 1_000_000],
  ['GRAPH_MAX_NODES', 10, 10_000_000],
  ['GRAPH_MAX_DEPTH', 2, 100_000],
  ['SCAN_SUSPICIOUS_NETWORKS', 1, 1_000_000],
  ['SCAN_SUSPICIOUS_PLACES', 2, 1000],
  ['SCAN_SUSPICIOUS_DISTANCE_KM', 1, 40_000],
  ['SCAN_WINDOW_HOURS', 1, 876_000],
  ['CONSUMER_PAGE_CACHE_MS', 10, 3_600_000, { CONSUMER_PAGE_MAX_AGE_MS: '86400000' }],
  ['CONSUMER_PAGE_MAX_AGE_MS', 10, 86_400_000, { CONSUMER_PAGE_CACHE_MS: '10' }],
  ['SESSION_IDLE_MINUTES', 1, 1440, { SESSION_ABSOLUTE_HOURS: '720' }],
  ['SESSION_ABSOLUTE_HOURS', 1, 720, { SESSION_IDLE_MINUTES: '1' }],
  ['DEVICE_SESSION_IDLE_DAYS', 1, 90, { DEVICE_SESSION_ABSOLUTE_DAYS: '365' }],
  ['DEVICE_SESSION_ABSOLUTE_DAYS', 1, 365, { DEVICE_SESSION_IDLE_DAYS: '1' }],
  ['LOGIN_FAILURES_PER_LOGIN', 3, 1000],
  ['LOGIN_FAILURES_PER_ADDRESS', 3, 100_000],
  ['LOGIN_THROTTLE_WINDOW_MINUTES', 1, 1440],
];

t.test('whole numbers: digits only, within their range', async (t) => {
  for (const [name, min, max, beside = {}] of INTEGERS) {
    t.doesNotThrow(() => loadConfig({ ...beside, [name]: String(min) }), `${name}=${min}`);
    t.doesNotThrow(() => loadConfig({ ...beside, [name]: String(max) }), `${name}=${max}`);
    const bad = [...(min > 0 ? [String(min - 1)] : []), String(max + 1), '-1', '1.5', '1e3', '0x10', '12abc', 'many', '99999999999999999999'];
    for (const value of bad) {
      t.strictSame(problemsOf(t, { ...beside, [name]: value }), [`${name} must be a whole number from ${min} to ${max}, got "${value}"`], `${name}=${value}`);
    }
  }
});

t.test('each other bad value names its variable', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"'],
    [{ LOG_LEVEL: 'INFO' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "INFO"'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY must be true or false, got "yes"'],
    [{ TRUST_PROXY: '1' }, 'TRUST_PROXY must be true or false, got "1"'],
    [{ HERBTRACE_ADMIN_TOKEN: 'short' }, 'HERBTRACE_ADMIN_TOKEN must be at least 24 characters long'],
    [{ HERBTRACE_ADMIN_TOKEN: 'x'.repeat(23) }, 'HERBTRACE_ADMIN_TOKEN must be at least 24 characters long'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL is not a valid URL'],
    [{ DATABASE_URL: 'mysql://db/herbtrace' }, 'DATABASE_URL must use postgres: or postgresql:, got "mysql:"'],
    [{ DATABASE_URL: 'postgres://db/a', DATABASE_READ_URL: 'http://replica/a' }, 'DATABASE_READ_URL must use postgres: or postgresql:, got "http:"'],
    [{ DATABASE_READ_URL: 'postgres://replica/a' }, 'DATABASE_READ_URL needs DATABASE_URL as well'],
    [{ PUBLIC_BASE_URL: 'trace.example.cn' }, 'PUBLIC_BASE_URL is not a valid URL'],
    [{ PUBLIC_BASE_URL: 'ftp://trace.example.cn' }, 'PUBLIC_BASE_URL must use http: or https:, got "ftp:"'],
    [{ HERBTRACE_SECRET_KEY: 'ab'.repeat(31) }, 'HERBTRACE_SECRET_KEY must be 32 bytes written as 64 hex digits or as base64 (openssl rand -hex 32)'],
    [{ HERBTRACE_SECRET_KEY: Buffer.alloc(16).toString('base64') }, 'HERBTRACE_SECRET_KEY must be 32 bytes written as 64 hex digits or as base64 (openssl rand -hex 32)'],
    [{ TOTP_REQUIRED_FOR: 'owner,admins' }, 'TOTP_REQUIRED_FOR lists owner, recorder, viewer, regulator (comma-separated) or none, got "admins"'],
    [{ SESSION_IDLE_MINUTES: '800', SESSION_ABSOLUTE_HOURS: '12' }, 'SESSION_IDLE_MINUTES is longer than SESSION_ABSOLUTE_HOURS'],
    [{ DEVICE_SESSION_IDLE_DAYS: '40' }, 'DEVICE_SESSION_IDLE_DAYS is longer than DEVICE_SESSION_ABSOLUTE_DAYS'],
    [{ CONSUMER_PAGE_CACHE_MS: '600001' }, 'CONSUMER_PAGE_CACHE_MS is longer than CONSUMER_PAGE_MAX_AGE_MS'],
    [{ HERBTRACE_LOG_KEY: 'trace.example.cn/log+0a1b2c3d+AQ' }, 'HERBTRACE_LOG_KEY must be a signed-note private key: PRIVATE+KEY+<name>+<key id>+<base64>'],
    [{ HERBTRACE_LOG_ORIGIN: 'two\nlines' }, 'HERBTRACE_LOG_ORIGIN must be one line of text'],
    [{ LOG_SEQUENCE_INTERVAL_MS: '5000' }, 'LOG_SEQUENCE_INTERVAL_MS must be a whole number from 0 to 1000, got "5000"'],
    // A log's signed-note verifier key (Ed25519, type 0x01) is not a witness key, nor is a padded or short one.
    ...['trace.example.cn/log+dafecdad+AWHGJw0JA+J3Eh8C0NzHo54KUFwo3sXFVHbIgaciV+MS', 'regulator.example+593df6a4+BLa1mZkBWAEvHl5z+lx1267CiAXM+vGuPfAvWo8hChh4=', 'regulator.example+593df6a4+BLa1mZkB'].map(
      (key): [Record<string, string>, string] => [
        { HERBTRACE_LOG_WITNESSES: key },
        `HERBTRACE_LOG_WITNESSES lists witness verifier keys <name>+<key id>+<base64 of 0x04 and the 32-byte Ed25519 key> (npm run log-key -- --witness <name>), separated by commas; "${key}" is not one`,
      ],
    ),
  ];
  for (const [env, message] of cases) t.strictSame(problemsOf(t, env), [message], JSON.stringify(env));
  const [old] = problemsOf(t, { SCAN_SUSPICIOUS_COUNT: '20' });
  t.match(old, /^SCAN_SUSPICIOUS_COUNT is no longer read: .*SCAN_SUSPICIOUS_NETWORKS/, 'the replaced setting is refused, not ignored');
});

t.test('every problem at once, each naming its variable', async (t) => {
  const problems = problemsOf(t, { PORT: 'http', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe', DATABASE_READ_URL: 'postgres://r/a', HERBTRACE_ADMIN_TOKEN: 'abc' });
  t.equal(problems.length, 5);
  for (const name of ['PORT', 'LOG_LEVEL', 'TRUST_PROXY', 'DATABASE_READ_URL', 'HERBTRACE_ADMIN_TOKEN']) {
    t.ok(problems.some((p) => p.startsWith(`${name} `)), `${name} is named`);
  }
});

t.test('variables the service does not know are ignored', async (t) => {
  t.strictSame(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production' }), loadConfig({}));
});
