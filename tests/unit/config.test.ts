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
  });
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

const INTEGERS: [string, number, number][] = [
  ['PORT', 0, 65535],
  ['BODY_LIMIT_BYTES', 1024, 104_857_600],
  ['PUBLIC_RATE_LIMIT_PER_MINUTE', 1, 1_000_000],
  ['GRAPH_MAX_NODES', 10, 10_000_000],
  ['GRAPH_MAX_DEPTH', 2, 100_000],
  ['SCAN_SUSPICIOUS_NETWORKS', 1, 1_000_000],
  ['SCAN_SUSPICIOUS_PLACES', 2, 1000],
  ['SCAN_SUSPICIOUS_DISTANCE_KM', 1, 40_000],
  ['SCAN_WINDOW_HOURS', 1, 876_000],
];

t.test('whole numbers: digits only, within their range', async (t) => {
  for (const [name, min, max] of INTEGERS) {
    t.doesNotThrow(() => loadConfig({ [name]: String(min) }), `${name}=${min}`);
    t.doesNotThrow(() => loadConfig({ [name]: String(max) }), `${name}=${max}`);
    const bad = [...(min > 0 ? [String(min - 1)] : []), String(max + 1), '-1', '1.5', '1e3', '0x10', '12abc', 'many', '99999999999999999999'];
    for (const value of bad) {
      t.strictSame(problemsOf(t, { [name]: value }), [`${name} must be a whole number from ${min} to ${max}, got "${value}"`], `${name}=${value}`);
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
