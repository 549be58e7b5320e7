/**
 * `npm run log-key -- <origin>`: a new signing key for the verifiable log (HERBTRACE_LOG_KEY), for deployments on
 * PostgreSQL, where it must be configured (every replica signs with the same key). Prints the private key (keep it
 * secret, with the other secrets) and its verifier key (public: publish it; auditors pin it).
 *
 * `npm run log-key -- --witness <name>`: a witness's cosigning key (C2SP tlog-cosignature, type 0x04), for
 * `npm run verify -- --witness-key FILE`; its verifier key goes into the log's HERBTRACE_LOG_WITNESSES.
 */
import { SIGNATURE_TYPE, generateNoteKey, newLogKey } from '../src/modules/tlog/index.js';

const witness = process.argv[2] === '--witness';
const name = witness ? process.argv[3] : process.argv[2];
if (!name || /\s|\+/.test(name)) {
  console.error('usage: npm run log-key -- <origin>   e.g. trace.example.cn/log (the host of PUBLIC_BASE_URL + /log)');
  console.error('       npm run log-key -- --witness <name>   e.g. witness.example.org/herbtrace');
  process.exit(2);
}
if (witness) {
  const { signerKey, verifierKey } = generateNoteKey(name, SIGNATURE_TYPE.cosignatureV1);
  process.stdout.write(`witness key (keep it secret, e.g. in a file for --witness-key): ${signerKey}\nwitness verifier key (for HERBTRACE_LOG_WITNESSES): ${verifierKey}\n`);
} else {
  const { signerKey, verifierKey } = newLogKey(name);
  process.stdout.write(`HERBTRACE_LOG_KEY=${signerKey}\nverifier key: ${verifierKey}\n`);
}
