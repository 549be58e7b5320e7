import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { resolveAdminToken } from './lib/admin-token.js';
import { resolveSecretKey } from './lib/secret-box.js';
import { resolveLogKey } from './modules/tlog/index.js';
import { loadWebAssets } from './modules/webapp/index.js';

async function main() {
  const config = loadConfig();
  const admin = resolveAdminToken(config);
  const secret = resolveSecretKey(config);
  const logKey = resolveLogKey(config);
  const app = await buildApp({ config: { ...config, adminToken: admin.token, secretKey: secret.key, logKey: logKey.signerKey } });

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  // The field app is built before the service listens: a broken app fails the start, not a phone's first visit.
  await loadWebAssets();
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  app.log.info(`HerbTrace ready on http://${config.host}:${config.port} with ${where}; API docs at /docs`);
  if (secret.generated) {
    // The key itself is never printed: it stays in its file, which belongs in the data directory's backups.
    app.log.info(`Generated the key that seals stored secrets (TOTP seeds) in ${secret.file}; back it up with the data directory`);
  }
  if (logKey.generated) {
    // The verifier key is public (also at /log/key); the private key stays in its file and is never printed.
    process.stdout.write(
      `\nGenerated the verifiable log's signing key (kept in ${logKey.file}; back it up with the data directory).\n` +
        `Its verifier key, for anyone checking the log's checkpoints:\n  ${logKey.verifierKey}\n\n`,
    );
  }
  if (admin.generated) {
    // Printed once, to the terminal, on purpose: this is how the operator learns the token.
    process.stdout.write(
      `\nGenerated an admin token (kept in ${admin.file}):\n  ${admin.token}\n` +
        `Use it as:  curl -H 'Authorization: Bearer ${admin.token}' http://localhost:${config.port}/v1/organizations\n\n`,
    );
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`HerbTrace failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
