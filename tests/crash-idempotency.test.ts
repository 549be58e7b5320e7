// Idempotency across crashes: the service runs as a child process (not app.inject), is killed with SIGKILL
// while keyed writes are in flight, and restarted; every key is then retried with its body. Each key must have
// written exactly once, and every retry must replay, byte for byte, the answer the client got (or, when the
// client got none, the answer the first retry got).
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { newLogKey } from '../src/modules/tlog/index.js';
import { ADMIN_TOKEN, makeCreditCode } from './support/app.js';
import { databaseForService, freePort, killService, serviceSettings, startService as startChild } from './support/child-service.js';

// A PostgreSQL deployment configures its log key (as its secret key); the embedded one would generate it.
const LOG_KEY = newLogKey('trace.example.cn/log').signerKey;
// Two kills, early and late in the burst (400 ms and 1.6 s, the range three rounds covered): each round is a
// restart of the service, the slowest part of the suite, and a third showed nothing the two do not.
const ROUNDS = 2;
const KILL_AFTER_MS = [400, 1600];

t.test('keyed writes killed mid-flight replay after the restart and wrote exactly once', async (t) => {
  const { env, open } = await databaseForService(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startService = () => startChild(port, { ...serviceSettings(LOG_KEY), ...env });
  const kill = killService;

  interface Sent {
    status: number;
    body: string;
    replayed: boolean;
  }

  async function post(path: string, headers: Record<string, string>, body: unknown): Promise<Sent> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  let service = await startService();
  t.teardown(() => kill(service));

  // The chain the writes draw on: one seed lot that every shipment and transformation takes from, so that they
  // queue on its row lock and many are in flight when the process dies.
  async function organization(name: string) {
    const org = await post('/v1/organizations', admin, { name, kinds: ['cooperative'], creditCode: makeCreditCode(), regionCode: '220621' });
    const id = (JSON.parse(org.body) as { id: string }).id;
    const key = JSON.parse((await post(`/v1/organizations/${id}/api-keys`, admin, {})).body) as { key: string };
    return { id, headers: { authorization: `Bearer ${key.key}` } };
  }
  const coop = await organization('崩溃测试合作社');
  const buyer = await organization('崩溃测试收购商');
  const site = JSON.parse((await post('/v1/sites', coop.headers, { kind: 'cultivation_base', name: '崩溃基地', regionCode: '220621' })).body) as { id: string };
  const seedRes = await post('/v1/lots', coop.headers, {
    stage: 'seed',
    speciesCode: 'renshen',
    lotNumber: 'CRASH-SD-1',
    siteId: site.id,
    quantity: { value: '1000', unit: 'kg' },
    producedAt: '2024-04-01T08:00:00+08:00',
  });
  t.equal(seedRes.status, 201, seedRes.body);
  const seed = JSON.parse(seedRes.body) as { id: string };

  interface Keyed {
    key: string;
    kind: 'shipment' | 'transformation' | 'codes';
    path: string;
    body: unknown;
    first?: Sent | undefined;
  }
  const requests: Keyed[] = [];

  function roundRequests(round: number): Keyed[] {
    const made: Keyed[] = [];
    for (let i = 0; i < 6; i++) {
      made.push({
        key: `crash-${round}-ship-${i}`,
        kind: 'shipment',
        path: '/v1/shipments',
        body: { toOrganizationId: buyer.id, shippedAt: '2024-06-01T08:00:00+08:00', lines: [{ lotId: seed.id, quantity: { value: '0.75', unit: 'kg' } }] },
      });
      made.push({
        key: `crash-${round}-transform-${i}`,
        kind: 'transformation',
        path: '/v1/transformations',
        body: {
          occurredAt: '2024-05-01T08:00:00+08:00',
          siteId: site.id,
          inputs: [{ lotId: seed.id, quantity: { value: '1', unit: 'kg' } }],
          outputs: [{ stage: 'cultivation', lotNumber: `CRASH-CU-${round}-${i}`, quantity: { value: 100, unit: 'plant' } }],
        },
      });
    }
    for (let i = 0; i < 2; i++) {
      made.push({ key: `crash-${round}-codes-${i}`, kind: 'codes', path: `/v1/lots/${seed.id}/codes`, body: { count: 5_000, level: 'lot' } });
    }
    return made;
  }

  for (let round = 0; round < ROUNDS; round++) {
    const batch = roundRequests(round);
    requests.push(...batch);
    const inFlight = batch.map(async (r) => {
      try {
        r.first = await post(r.path, { ...coop.headers, 'idempotency-key': r.key }, r.body);
      } catch {
        r.first = undefined; // the connection died with the process: the client never learnt the outcome
      }
    });
    // Kill at a different point of the burst each round.
    await new Promise((r) => setTimeout(r, KILL_AFTER_MS[round]));
    await kill(service);
    await Promise.all(inFlight);
    const restart = Date.now();
    service = await startService();
    t.comment(`round ${round}: restarted in ${Date.now() - restart} ms`);
  }

  const answered = requests.filter((r) => r.first !== undefined);
  const unanswered = requests.filter((r) => r.first === undefined);
  t.ok(unanswered.length > 0, `some requests were cut off by the kills (${unanswered.length} of ${requests.length})`);
  t.comment(`${answered.length} answered before a kill, ${unanswered.length} cut off`);

  for (const r of answered) {
    t.equal(r.first!.status, 201, `${r.key}: the answer before the kill was a success (${r.first!.body.slice(0, 200)})`);
  }

  // Every key retried after the restart: it replays what the client saw, or runs once and then replays that.
  const retryStart = Date.now();
  for (const r of requests) {
    const retry = await post(r.path, { ...coop.headers, 'idempotency-key': r.key }, r.body);
    t.equal(retry.status, 201, `${r.key}: the retry succeeds (${retry.body.slice(0, 200)})`);
    if (r.first) {
      t.ok(retry.replayed, `${r.key}: answered before the kill, so the retry is a replay`);
      t.equal(retry.body, r.first.body, `${r.key}: the replay is byte-identical to the answer before the kill`);
    } else {
      const again = await post(r.path, { ...coop.headers, 'idempotency-key': r.key }, r.body);
      t.equal(again.status, 201);
      t.ok(again.replayed, `${r.key}: a second retry is a replay`);
      t.equal(again.body, retry.body, `${r.key}: and byte-identical to the first retry`);
    }
  }
  t.comment(`retries took ${Date.now() - retryStart} ms`);
  await kill(service);

  // What is stored: exactly one write per key.
  const database = open();
  const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: number | string }>(database.db, query))[0]?.n);
  const ships = requests.filter((r) => r.kind === 'shipment').length;
  const transforms = requests.filter((r) => r.kind === 'transformation').length;
  const issues = requests.filter((r) => r.kind === 'codes').length;
  t.equal(await count(sql`select count(*) as n from shipments where from_organization_id = ${coop.id}`), ships, 'one shipment per shipment key');
  t.equal(await count(sql`select count(*) as n from lots where lot_number like 'CRASH-CU-%'`), transforms, 'one output lot per transformation key');
  t.equal(await count(sql`select count(*) as n from events where type = 'codes_issued'`), issues, 'one code issue per codes key');
  t.equal(await count(sql`select count(*) as n from codes where lot_id = ${seed.id}`), issues * 5_000, '5,000 codes per codes key');
  const remaining = (await queryRows<{ remaining: string }>(database.db, sql`select remaining::text as remaining from lots where id = ${seed.id}`))[0]!.remaining;
  t.equal(Number(remaining), 1000 - ships * 0.75 - transforms * 1, 'the seed lot was drawn once per key');
  t.equal(await count(sql`select count(*) as n from idempotency_keys where state <> 'done'`), 0, 'no key left pending');
});
