// The sequencer killed mid-flight (issue 15, tests): the service runs as a child process with a 10 ms sequencing
// period while writers record events as fast as they can, and is killed with SIGKILL during that load, twice.
// After the restart the tree must be consistent with every checkpoint published before the kills (consistency
// proofs verify from each of them to the last), and every committed event is in the log exactly once, in commit
// order. The verifier's command line (npm run verify) audits the live service and monitors it with a state file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/db/client.js';
import { LogVerifier, newLogKey, verifierKeyOf, type Checkpoint } from '../src/modules/tlog/index.js';
import { ADMIN_TOKEN, makeCreditCode } from './support/app.js';
import { databaseForService, freePort, killService, serviceSettings, startService } from './support/child-service.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ORIGIN = 'trace.example.cn/log';
const LOG_KEY = newLogKey(ORIGIN).signerKey;
const VKEY = verifierKeyOf(LOG_KEY);
// Each round kills the service once the log has grown by this many entries under the writers (on a loaded
// machine that takes longer, so it is counted, not timed), and a little later: mid-step or between steps.
// Three service starts and five runs of the command line: on a loaded machine more than the default 180 s.
t.setTimeout(600_000);
const ROUNDS = [{ grow: 10, thenMs: 0 }, { grow: 25, thenMs: 35 }];

t.test('kill -9 while sequencing: the tree stays consistent with every checkpoint published before', { timeout: 600_000 }, async (t) => {
  const { location, env, open } = await databaseForService(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = () => startService(port, { ...serviceSettings(LOG_KEY), LOG_SEQUENCE_INTERVAL_MS: '10', PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000', ...env });
  let service = await start();
  t.teardown(() => killService(service));

  const post = async (url: string, headers: Record<string, string>, body: unknown) => {
    const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any };
  };
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const org = await post('/v1/organizations', admin, { name: '日志崩溃测试合作社', kinds: ['cooperative'], creditCode: makeCreditCode(), regionCode: '220621' });
  const key = (await post(`/v1/organizations/${org.json.id}/api-keys`, admin, {})).json.key as string;
  const headers = { authorization: `Bearer ${key}` };
  const site = (await post('/v1/sites', headers, { kind: 'cultivation_base', name: '崩溃日志基地', regionCode: '220621' })).json;
  const lot = (await post('/v1/lots', headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'LOGCRASH-1', siteId: site.id, quantity: { value: '10', unit: 'kg' }, producedAt: '2024-04-01T08:00:00+08:00' })).json;

  const verifier = new LogVerifier({ baseUrl: base, verifierKey: VKEY });
  const published = new Map<number, Checkpoint>();
  let n = 0;
  for (const { grow, thenMs } of ROUNDS) {
    const from = Math.max(0, ...published.keys());
    let running = true;
    // Writers (the connection dies with the process: a refused or cut request is expected) and a reader of
    // checkpoints, noting every one the service published before the kill.
    const writers = Array.from({ length: 6 }, async () => {
      while (running) {
        try {
          await post(`/v1/lots/${lot.id}/events`, headers, { type: 'agro_input', occurredAt: '2024-05-01T08:00:00+08:00', data: { category: 'fertilizer', product: `肥料 ${n++}`, dose: { value: 1, unit: 'kg/亩' } } });
        } catch {
          return;
        }
      }
    });
    const reader = (async () => {
      while (running) {
        try {
          const { opened } = await verifier.checkpoint();
          published.set(opened.checkpoint.size, opened.checkpoint);
        } catch {
          return;
        }
      }
    })();
    const until = Date.now() + 60_000;
    while (Math.max(0, ...published.keys()) < from + grow && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, thenMs));
    await killService(service);
    running = false;
    await Promise.all([...writers, reader]);
    service = await start();
  }
  t.ok(published.size >= 4, `${published.size} checkpoints seen before the kills`);

  // Until the log has caught up with every committed event (the restarted sequencer's timer runs): on PostgreSQL
  // counted in the database (its queue also waits for other transactions on the server); PGlite admits one
  // process, so there the tree must stop growing with the writers stopped.
  const deadline = Date.now() + 20_000;
  const counts = async () => {
    const db = openDatabase({ databaseUrl: (location as { databaseUrl: string }).databaseUrl });
    try {
      return (await queryRows<{ events: number; logged: number }>(db.db, sql`select (select count(*)::int from events) as events, (select count(*)::int from log_entries) as logged`))[0]!;
    } finally {
      await db.close();
    }
  };
  let last = (await verifier.checkpoint()).opened.checkpoint;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = (await verifier.checkpoint()).opened.checkpoint;
    const caughtUp = 'databaseUrl' in location ? (({ events, logged }) => events === logged && now.size === logged)(await counts()) : now.size === last.size;
    last = now;
    if (caughtUp || Date.now() > deadline) break;
  }
  for (const [size, checkpoint] of [...published].sort((a, b) => a[0] - b[0])) {
    t.equal(await verifier.consistency(checkpoint, last), null, `the checkpoint of size ${size} published before a kill is a prefix of the tree of size ${last.size}`);
  }
  t.strictSame(await verifier.audit(last), [], 'the full audit of the tree after the restarts');

  // The command line, against the live service: a full audit, then the monitor's first and second run.
  const stateDir = mkdtempSync(path.join(tmpdir(), 'herbtrace-verify-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const state = path.join(stateDir, 'state.json');
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', '--url', base, '--key', VKEY, ...args], { cwd: ROOT }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  const audit = await run();
  t.equal(audit.code, 0, audit.out);
  t.match(audit.out, /full audit: \d+ entries rebuild the checkpoint's root[\s\S]*VERDICT: VERIFIED/);
  t.equal((await run('--state', state)).code, 0, 'monitor, first run');
  t.equal(JSON.parse(readFileSync(state, 'utf8')).origin, ORIGIN, 'the state is saved');
  const again = await run('--state', state);
  t.equal(again.code, 0, again.out);
  t.match(again.out, /consistent with the checkpoint saved/);
  const wrongKey = await run('--key', newLogKey(ORIGIN).verifierKey);
  t.equal(wrongKey.code, 1, 'another pinned key: exit 1');
  t.match(wrongKey.out, /VERDICT: FAILED/);
  t.equal((await run('--lot', lot.id)).code, 2, '--lot without a token: usage, exit 2');
  await killService(service);

  // Every committed event in the log exactly once, in commit order.
  const database = open();
  const committed = (await queryRows<{ id: string }>(database.db, sql`select id from events order by tx_id, seq`)).map((r) => r.id);
  const logged = (await queryRows<{ event_id: string }>(database.db, sql`select event_id from log_entries order by index`)).map((r) => r.event_id);
  t.ok(committed.length > 35, `${committed.length} events committed`);
  t.equal(new Set(logged).size, logged.length, 'no event twice');
  t.strictSame(logged, committed, 'every committed event once, in commit order');
});
