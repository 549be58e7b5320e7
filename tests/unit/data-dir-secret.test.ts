import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { resolveAdminToken } from '../../src/lib/admin-token.js';
import { resolveSecretKey } from '../../src/lib/secret-box.js';

t.test('generated once into the data directory, kept, refused when damaged, required with DATABASE_URL', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'herbtrace-secrets-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ HERBTRACE_DATA_DIR: dir });
  const first = resolveSecretKey(config);
  t.equal(first.generated, true);
  t.match(first.key, /^[0-9a-f]{64}$/);
  t.equal(statSync(first.file!).mode & 0o777, 0o600, 'readable by the service only');
  t.same(resolveSecretKey(config), { key: first.key, generated: false, file: first.file }, 'a restart keeps it');
  const admin = resolveAdminToken(config);
  t.equal(admin.generated, true);
  t.equal(resolveAdminToken(config).token, admin.token);
  t.not(readFileSync(path.join(dir, 'admin-token'), 'utf8').trim(), first.key, 'two secrets, two files');

  writeFileSync(first.file!, 'not a key\n');
  t.throws(() => resolveSecretKey(config), ConfigError, 'a damaged key file stops the service rather than being replaced');
  t.equal(readFileSync(first.file!, 'utf8'), 'not a key\n', 'and is left as it was');

  const configured = loadConfig({ HERBTRACE_DATA_DIR: dir, HERBTRACE_SECRET_KEY: 'cd'.repeat(32) });
  t.same(resolveSecretKey(configured), { key: 'cd'.repeat(32), generated: false }, 'the variable wins');
  const onPostgres = loadConfig({ DATABASE_URL: 'postgres://db/herbtrace' });
  t.throws(() => resolveSecretKey(onPostgres), /HERBTRACE_SECRET_KEY is required with DATABASE_URL/);
  t.throws(() => resolveAdminToken(onPostgres), /HERBTRACE_ADMIN_TOKEN is required with DATABASE_URL/);
});
