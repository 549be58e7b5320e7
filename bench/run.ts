/**
 * Benchmarks: `npm run bench -- <scenario>`. Scenarios generate their own data on PostgreSQL
 * (BENCH_DATABASE_URL, default the local service's `test` database; a scratch database is created next to
 * it and dropped afterwards), run the service in this process and the load in a separate one, and print a
 * table. Never part of `npm test` or CI.
 */
import { chainScenario } from './chain.js';
import { epcisScenario } from './epcis.js';
import { logScenario } from './log.js';
import { loginScenario } from './login.js';
import { provenanceScenario } from './provenance.js';
import { resolveScenario } from './resolve.js';
import { webappScenario } from './webapp.js';

const scenarios: Record<string, () => Promise<void>> = { chain: chainScenario, epcis: epcisScenario, log: logScenario, login: loginScenario, provenance: provenanceScenario, resolve: resolveScenario, webapp: webappScenario };

const name = process.argv[2];
const scenario = name ? scenarios[name] : undefined;
if (!scenario) {
  console.error(`usage: npm run bench -- <${Object.keys(scenarios).join('|')}>`);
  process.exit(2);
}
await scenario();
