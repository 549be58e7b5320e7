/**
 * `npm run log-key -- <origin>`: a new signing key for the verifiable log (HERBTRACE_LOG_KEY), for deployments on
 * PostgreSQL, where it must be configured (every replica signs with the same key). Prints the private key (keep it
 * secret, with the other secrets) and its verifier key (public: publish it; auditors pin it).
 */
import { newLogKey } from '../src/modules/tlog/index.js';

const origin = process.argv[2];
if (!origin || /\s|\+/.test(origin)) {
  console.error('usage: npm run log-key -- <origin>   e.g. trace.example.cn/log (the host of PUBLIC_BASE_URL + /log)');
  process.exit(2);
}
const { signerKey, verifierKey } = newLogKey(origin);
process.stdout.write(`HERBTRACE_LOG_KEY=${signerKey}\nverifier key: ${verifierKey}\n`);
