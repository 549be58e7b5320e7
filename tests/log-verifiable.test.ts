// The verifiable log (issue 15, items 1–3): every event enters one Merkle tree in commit order, the signed
// checkpoint verifies with the published key, the tiles rebuild its root, an event's proof verifies and its
// commitment is the one its record and salt give; consistency between checkpoints; the public endpoints refuse
// junk with 4xx; a record changed behind the service's back (PostgreSQL, as superuser) is found and named.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import {
  bytesEqual,
  decodeBase64,
  eventCommitment,
  noteVerifier,
  openCheckpoint,
  parseTlogProof,
  verifyConsistency,
} from '../src/modules/tlog/index.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { TEST_DATABASE_URL } from './support/databases.js';
import { expectProblem } from './support/http.js';
import { ORIGIN, sequenceEverything, auditTree, checkEventProof, fetchCheckpoint, fetchKey, type ProofAnswer } from './log-helpers.js';

// The timer is off here: each test runs the sequencing steps it needs (app.verifiableLog.sequence()).
const { app, database, createOrganization } = await setupApp(t, { logSequenceIntervalMs: 0 });
const c = chainClient(app);
const coop = await createOrganization({ name: '抚松县可验证日志合作社', kinds: ['cooperative'] });
const stranger = await createOrganization({ name: '无关加工厂', kinds: ['processor'] });
const site = await c.site(coop.headers, { name: '日志基地' });
const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'LOG-1', siteId: site.id, quantity: kg(40), producedAt: '2018-09-20T09:00:00+08:00' });
const observe = (text: string, extra: Record<string, unknown> = {}) =>
  c.call('POST', `/v1/lots/${seed.id}/events`, coop.headers, {
    type: 'agro_input',
    occurredAt: '2024-09-18T08:00:00+08:00',
    data: { category: 'fertilizer', product: text, dose: { value: 2.5, unit: 'kg/亩' }, ...extra },
  });

const vkey = await fetchKey(app);
const commitOrder = async () =>
  (await queryRows<{ id: string }>(database.db, sql`select id from events order by tx_id, seq`)).map((r) => r.id);
const logOrder = async () =>
  (await queryRows<{ event_id: string }>(database.db, sql`select event_id from log_entries order by index`)).map((r) => r.event_id);
const sequenceAll = () => sequenceEverything(app, database.db);
const proofOf = async (id: string, headers = coop.headers) => {
  const res = await app.inject({ method: 'GET', url: `/v1/events/${id}/proof`, headers });
  t.equal(res.statusCode, 200, `proof of ${id}: ${res.body.slice(0, 200)}`);
  return res.json() as ProofAnswer;
};

t.test('the empty log has a signed checkpoint of size 0; the verifier key is served', async (t) => {
  t.match(vkey, /^trace\.example\.cn\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/, 'a signed-note verifier key named after the origin');
  t.doesNotThrow(() => noteVerifier(vkey));
  const res = await app.inject({ method: 'GET', url: '/log/checkpoint' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.equal(res.headers['cache-control'], 'public, max-age=1');
  const opened = openCheckpoint(res.body, { origin: ORIGIN, logVerifiers: [noteVerifier(vkey)] });
  t.equal(opened.checkpoint.origin, ORIGIN);
  t.ok(opened.checkpoint.size >= 0);
  t.notOk(res.body.includes('PRIVATE'), 'nothing private in the checkpoint');
});

t.test('events recorded through the API enter the log in commit order after a sequencing step', async (t) => {
  await observe('腐熟农家肥');
  await observe('草木灰 ẞ 😀 \u2028 "quoted" \\ back');
  await c.call('POST', `/v1/lots/${seed.id}/events`, coop.headers, { type: 'sensor', occurredAt: '2024-10-10T08:00:00+08:00', data: { temperatureC: -0.000001, humidityPct: 55, deviceId: 'T-01' } });
  const step = await sequenceAll();
  const order = await commitOrder();
  t.ok(order.length >= 4, `${order.length} events so far (the lot, the observations)`);
  t.equal(step.size, order.length, 'the tree holds every event');
  t.strictSame(await logOrder(), order, 'leaf i is the i-th event in commit order (old events first)');
  t.strictSame(await app.verifiableLog.sequence(), { appended: 0, size: order.length }, 'a second step appends nothing: each event once');

  const opened = await fetchCheckpoint(app, vkey);
  t.equal(opened.checkpoint.size, order.length, 'the checkpoint verifies with the verifier key and has the new size');
  const { problems } = await auditTree(app, vkey, opened);
  t.strictSame(problems, [], 'the tree rebuilt from the served tiles and entry bundles has the checkpoint root');
});

t.test('an event’s proof verifies, and its commitment is the one its record and salt give', async (t) => {
  const order = await commitOrder();
  for (const id of order.slice(-3)) {
    const answer = await proofOf(id);
    t.equal(answer.eventId, id);
    t.equal(answer.index, order.indexOf(id), 'its index is its place in commit order');
    const read = await app.inject({ method: 'GET', url: `/v1/events/${id}`, headers: coop.headers });
    t.strictSame(answer.record, read.json(), 'the record is what GET /v1/events/{id} answers');
    const salt = decodeBase64(answer.salt)!;
    t.equal(salt.length, 32, 'a 32-byte salt');
    t.ok(bytesEqual(eventCommitment(salt, answer.record), decodeBase64(answer.commitment)!), 'SHA-256(salt ‖ JCS(record)) is the entry');
    t.equal(await checkEventProof(app, answer, vkey), null, 'the tlog-proof verifies against the signed checkpoint');
    const parsed = parseTlogProof(answer.proof);
    t.equal(parsed.index, answer.index);
  }
  // The salts differ: equal records would still give unrelated entries.
  const salts = new Set((await queryRows<{ s: string }>(database.db, sql`select encode(salt, 'hex') as s from log_entries`)).map((r) => r.s));
  t.equal(salts.size, order.length, 'one random salt per event');
});

t.test('a proof is under the event’s read rules: a stranger and no key get nothing', async (t) => {
  const [id] = (await commitOrder()).slice(-1);
  const res = await app.inject({ method: 'GET', url: `/v1/events/${id}/proof`, headers: stranger.headers });
  expectProblem(t, res, 404);
  t.equal((await app.inject({ method: 'GET', url: `/v1/events/${id}/proof` })).statusCode, 401);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/events/evt_nosuchevent0000/proof', headers: coop.headers }), 404);
});

t.test('a proof asked for right after recording waits for the event to enter the log', async (t) => {
  const fresh = await observe('刚记录的事件');
  const timeline = (await c.get(coop.headers, `/v1/lots/${seed.id}/timeline?scope=lot`)).items as { id: string; type: string }[];
  t.ok(fresh);
  const order = await commitOrder();
  const id = order[order.length - 1]!;
  t.ok(timeline.some((e) => e.id === id));
  t.notOk((await logOrder()).includes(id), 'not sequenced yet');
  const answer = await proofOf(id);
  t.equal(await checkEventProof(app, answer, vkey), null);
});

t.test('a consistency proof between two checkpoints verifies', async (t) => {
  await sequenceAll();
  const first = await fetchCheckpoint(app, vkey);
  for (let i = 0; i < 300; i++) await observe(`批量 ${i}`); // past one full tile of 256
  await sequenceAll();
  const second = await fetchCheckpoint(app, vkey);
  t.ok(second.checkpoint.size > first.checkpoint.size + 256);
  const res = await app.inject({ method: 'GET', url: `/log/consistency?from=${first.checkpoint.size}&to=${second.checkpoint.size}` });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const { from, to, proof } = res.json() as { from: number; to: number; proof: string[] };
  t.strictSame([from, to], [first.checkpoint.size, second.checkpoint.size]);
  t.ok(verifyConsistency(from, to, proof.map((p) => decodeBase64(p)!), first.checkpoint.root, second.checkpoint.root), 'the new tree extends the old one');
  t.notOk(verifyConsistency(from, to, proof.map((p) => decodeBase64(p)!), second.checkpoint.root, first.checkpoint.root), 'and not the other way round');
  const same = await app.inject({ method: 'GET', url: `/log/consistency?from=${to}&to=${to}` });
  t.strictSame(same.json().proof, [], 'a tree is consistent with itself: an empty proof');

  const { problems } = await auditTree(app, vkey, second);
  t.strictSame(problems, [], 'the audit holds past a full tile (full tile and bundle, then partial ones)');
  const full = await app.inject({ method: 'GET', url: '/log/tile/0/000' });
  t.equal(full.statusCode, 200);
  t.equal(full.headers['cache-control'], 'public, max-age=31536000, immutable', 'a full tile is cached for good');
  t.equal(full.rawPayload.length, 256 * 32);
  t.equal(full.headers['content-type'], 'application/octet-stream');
  const partial = await app.inject({ method: 'GET', url: `/log/tile/0/001.p/${(second.checkpoint.size % 256) || 1}` });
  t.equal(partial.statusCode, 200);
  t.equal(partial.headers['cache-control'], 'public, max-age=60', 'a partial tile briefly');
  const olderPartial = await app.inject({ method: 'GET', url: '/log/tile/0/000.p/7' });
  t.equal(olderPartial.statusCode, 200, 'a partial width of a tile that is full now is still served (its prefix)');
  t.ok(Buffer.from(olderPartial.rawPayload).equals(full.rawPayload.subarray(0, 7 * 32)));
  // An old event's proof against the newer checkpoint.
  const order = await commitOrder();
  t.equal(await checkEventProof(app, await proofOf(order[0]!), vkey), null, 'the first event is proven in the larger tree');
  const stored = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from log_checkpoints`);
  t.ok(Number(stored[0]!.n) >= 3, 'every checkpoint is kept');
});

t.test('bad parameters and tile paths are 4xx problems, never 500', async (t) => {
  const size = (await fetchCheckpoint(app, vkey)).checkpoint.size;
  const cases: [string, number, string?][] = [
    ['/log/consistency?from=0&to=1', 400, 'querystring/from'],
    ['/log/consistency?from=abc&to=1', 400, 'querystring/from'],
    ['/log/consistency?to=1', 400, 'querystring/from'],
    ['/log/consistency?from=1', 400, 'querystring/to'],
    ['/log/consistency?from=3&to=2', 400, 'querystring/from'],
    [`/log/consistency?from=1&to=${size + 1}`, 400, 'querystring/to'],
    ['/log/consistency?from=1&to=99999999999999999999', 400, 'querystring/to'],
    ['/log/tile/0/999', 404],
    ['/log/tile/1/000', 404],
    ['/log/tile/entries/999', 404],
    ['/log/tile/0/000.p/0', 404],
    ['/log/tile/0/000.p/256', 404],
    ['/log/tile/0/0', 404],
    ['/log/tile/00/000', 404],
    ['/log/tile/64/000', 404],
    ['/log/tile/0/x000/001', 404],
    ['/log/tile/0/x001', 404],
    ['/log/tile/entries', 404],
    ['/log/tile/', 404],
    ['/log/tile/0/000/extra', 404],
    ['/log/tile/0/999999999999999999999', 404],
    ['/log/tile/0/%00', 400],
  ];
  for (const [url, status, path] of cases) {
    const res = await app.inject({ method: 'GET', url });
    const problem = expectProblem(t, res, status);
    if (path) t.ok(problem.errors?.some((e) => e.path === path) ?? problem.detail.includes(path), `${url} names ${path}: ${problem.detail}`);
  }
});

t.test('tamper: a record changed in the database behind the service’s back no longer matches its entry', { skip: TEST_DATABASE_URL ? false : 'needs PostgreSQL (the superuser disables the append-only trigger)' }, async (t) => {
  await sequenceAll();
  const order = await commitOrder();
  const victim = order[Math.floor(order.length / 2)]!;
  const before = await proofOf(victim);
  t.equal(await checkEventProof(app, before, vkey), null, 'before: it verifies');
  // As the database superuser (the test connection is one): switch the guard off, rewrite, switch it on.
  await database.db.execute(sql.raw('ALTER TABLE "events" DISABLE TRIGGER "events_append_only"'));
  await database.db.execute(sql`update events set data = jsonb_set(data, '{product}', '"改过的肥料"') where id = ${victim}`);
  await database.db.execute(sql.raw('ALTER TABLE "events" ENABLE TRIGGER "events_append_only"'));
  const after = await proofOf(victim);
  t.equal((after.record.data as { product: string }).product, '改过的肥料', 'the service answers the changed record');
  t.equal(after.salt, before.salt);
  t.not(bytesEqual(eventCommitment(decodeBase64(after.salt)!, after.record), decodeBase64(after.commitment)!), true, 'its commitment no longer matches');
  const verdict = await checkEventProof(app, after, vkey);
  t.ok(verdict, 'the verifier’s check fails');
  t.match(verdict, new RegExp(`^event ${victim} \\(log index ${order.indexOf(victim)}\\): its record does not match its entry in the log`), `naming the event and its index: ${verdict}`);
  // The others still verify, and the tree itself is untouched.
  t.equal(await checkEventProof(app, await proofOf(order[0]!), vkey), null, 'another event still verifies');
  t.strictSame((await auditTree(app, vkey, await fetchCheckpoint(app, vkey))).problems, []);
});
