// One of the suite's test hosts: see tests/support/host.ts. `npm test` runs as many as .taprc's `jobs`.
import { runHost } from '../support/host.js';

await runHost();
