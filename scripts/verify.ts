/**
 * `npm run verify -- --url <base> --key <vkey> [...]`: checks HerbTrace's verifiable log from its public endpoints
 * and a verifier key pinned by whoever runs it (never the key the service serves). The checks are the library's
 * (src/modules/tlog/verifier.ts); this file reads arguments and files, prints, and sets the exit code:
 * 0 all verified, 1 something failed (named), 2 usage.
 *
 *   full audit (default)        every tile and entry bundle fetched, the tree rebuilt, the root compared
 *   --state FILE                monitor: consistency with the checkpoint saved in FILE; saved anew only on success
 *   --witness-key FILE          with --state: then cosign the checkpoint and submit the cosignature
 *   --lot lot_… --token T       every event of the lot's provenance proven in the log, its record matching
 *   --audit                     the full audit as well, with --state or --lot
 *   --origin O                  the origin checkpoints must name (default: the key's name)
 *   --witness VKEY              a witness key whose cosignatures are checked and reported (repeatable)
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The verifier alone, not the tlog module's index: that also exports the service side (the sequencer, its routes)
// and would load the database drivers, Fastify and TypeBox into a command that only fetches and checks: 2.5 s of
// CPU a run instead of 0.5 s. verifier.ts imports only the pure primitives (trees, notes, tiles, commitments).
import { LogVerifier, VerifierError, type Finding, type MonitorState, type WitnessResult } from '../src/modules/tlog/verifier.js';

const usage = `usage: npm run verify -- --url <base URL> --key <verifier key or file> [--state FILE [--witness-key FILE]] [--lot lot_… --token TOKEN] [--audit] [--origin O] [--witness VKEY]…`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      origin: { type: 'string' },
      state: { type: 'string' },
      'witness-key': { type: 'string' },
      lot: { type: 'string' },
      token: { type: 'string' },
      audit: { type: 'boolean', default: false },
      witness: { type: 'string', multiple: true, default: [] },
      concurrency: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
/** A key given inline or as a file holding it. */
const keyText = (value: string) => (existsSync(value) ? readFileSync(value, 'utf8') : value).trim();
if (!args.url) fail('--url is required');
if (!args.key) fail('--key is required: the log’s verifier key, obtained out of band and pinned');
if (args['witness-key'] && !args.state) fail('--witness-key needs --state: a witness cosigns only what is consistent with what it saw before');
const token = args.token ?? process.env.HERBTRACE_TOKEN;
if (args.lot && !token) fail('--lot needs --token (or HERBTRACE_TOKEN): a key or session that may read the lot');

let verifier: LogVerifier;
try {
  verifier = new LogVerifier({
    baseUrl: args.url,
    verifierKey: keyText(args.key),
    ...(args.origin ? { origin: args.origin } : {}),
    witnesses: args.witness.map(keyText),
    ...(args.concurrency ? { concurrency: Number(args.concurrency) } : {}),
  });
} catch (err) {
  fail(`bad key: ${(err as Error).message}`);
}

const findings: Finding[] = [];
const say = (line: string) => console.log(line);

try {
  const { opened } = await verifier.checkpoint();
  const { size } = opened.checkpoint;
  say(`✓ checkpoint of ${verifier.origin}: tree size ${size}, signed by the pinned key`);
  for (const c of opened.cosignatures) say(`✓ cosigned by witness ${c.name} at ${new Date(c.timestamp * 1000).toISOString()}`);

  if (args.state) {
    const saved = existsSync(args.state) ? (JSON.parse(readFileSync(args.state, 'utf8')) as MonitorState) : undefined;
    const result: WitnessResult = args['witness-key'] ? await verifier.witness(saved, keyText(args['witness-key'])) : { ...(await verifier.monitor(saved)), cosigned: false };
    findings.push(...result.findings);
    if (result.findings.length === 0 && result.state) {
      say(saved ? `✓ consistent with the checkpoint saved ${saved.verifiedAt} (tree size ${saved.size} → ${result.state.size})` : `✓ first run: nothing saved before`);
      if (result.cosigned) say(`✓ cosigned as a witness and submitted: ${result.cosignatureLine}`);
      // Written whole, then renamed: a crash never leaves half a state.
      writeFileSync(`${args.state}.tmp`, `${JSON.stringify(result.state, null, 2)}\n`);
      renameSync(`${args.state}.tmp`, args.state);
      say(`✓ saved tree size ${result.state.size} to ${args.state}`);
    } else {
      say(`✗ state not updated: ${args.state} keeps the last verified checkpoint`);
    }
  }

  if (args.lot) {
    const result = await verifier.lot(args.lot, token!, opened.checkpoint);
    findings.push(...result.findings);
    if (result.findings.length === 0) say(`✓ lot ${args.lot}: ${result.events} events of its provenance in the log, every record matching its entry`);
  }

  if (args.audit || (!args.state && !args.lot)) {
    const started = Date.now();
    const audit = await verifier.audit(opened.checkpoint, (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r  auditing ${done}/${total}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    findings.push(...audit);
    if (audit.length === 0) say(`✓ full audit: ${size} entries rebuild the checkpoint's root; every tile matches (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
} catch (err) {
  if (err instanceof VerifierError) findings.push(...err.findings);
  else findings.push({ message: `could not complete: ${(err as Error).message}` });
}

if (findings.length === 0) {
  say('VERDICT: VERIFIED');
  process.exit(0);
}
for (const f of findings) say(`✗ ${f.message}`);
say(`VERDICT: FAILED (${findings.length} problem${findings.length === 1 ? '' : 's'})`);
process.exit(1);
