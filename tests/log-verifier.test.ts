// The verifier (issue 15, items 4–5) through app.inject, on both databases: the full audit, the monitor and its
// saved state, a lot's events proven one by one, the witness cosigning a consistent checkpoint and refusing an
// inconsistent one, and POST /log/cosignatures refusing every bad cosignature with a 4xx that stores nothing.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import {
  SIGNATURE_TYPE,
  cosigner,
  encodeBase64,
  generateNoteKey,
  newLogKey,
  noteSigner,
  parseNote,
  signCheckpoint,
  signatureLine,
  type MonitorState,
} from '../src/modules/tlog/index.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { expectProblem } from './support/http.js';
import { ORIGIN, fetchKey, sequenceEverything, verifierFor } from './log-helpers.js';

const LOG_KEY = newLogKey(ORIGIN).signerKey;
const witnessA = generateNoteKey('witness.example.org/a', SIGNATURE_TYPE.cosignatureV1);
const witnessB = generateNoteKey('witness.example.org/b', SIGNATURE_TYPE.cosignatureV1);
const stranger = generateNoteKey('witness.example.org/unknown', SIGNATURE_TYPE.cosignatureV1);

const { app, database, createOrganization } = await setupApp(t, { logKey: LOG_KEY, logWitnesses: [witnessA.verifierKey, witnessB.verifierKey] });
const c = chainClient(app);
const coop = await createOrganization({ name: '验证器合作社', kinds: ['cooperative', 'processor'] });
const outsider = await createOrganization({ name: '验证器无关方', kinds: ['trader'] });
const site = await c.site(coop.headers, { name: '验证器基地' });
const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'VF-SEED', siteId: site.id, quantity: kg(50), producedAt: '2019-04-01T08:00:00+08:00' });
const observe = (lotId: string, product: string) =>
  c.call('POST', `/v1/lots/${lotId}/events`, coop.headers, { type: 'agro_input', occurredAt: '2024-05-18T08:00:00+08:00', data: { category: 'fertilizer', product, dose: { value: 1, unit: 'kg/亩' } } });
for (let i = 0; i < 5; i++) await observe(seed.id, `有机肥 ${i}`);
const grown = (await c.transform(coop.headers, {
  occurredAt: '2024-05-01T08:00:00+08:00',
  siteId: site.id,
  inputs: [{ lotId: seed.id, quantity: kg(10) }],
  outputs: [{ stage: 'cultivation', lotNumber: 'VF-CU', quantity: { value: 100, unit: 'plant' } }],
})).outputs[0] as { id: string };
await observe(grown.id, '腐熟农家肥');

const vkey = await fetchKey(app);
const token = coop.headers.authorization.slice('Bearer '.length);
const cosignatureCount = async () => Number((await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from log_cosignatures`))[0]!.n);
const sequenceAll = () => sequenceEverything(app, database.db);
await sequenceAll();

t.test('full audit: the tiles and bundles rebuild the signed root', async (t) => {
  const verifier = verifierFor(app, vkey);
  const { opened } = await verifier.checkpoint();
  t.ok(opened.checkpoint.size >= 8, `${opened.checkpoint.size} entries`);
  t.strictSame(await verifier.audit(opened.checkpoint), [], 'nothing found');
  const wrongKey = verifierFor(app, newLogKey(ORIGIN).verifierKey);
  await t.rejects(wrongKey.checkpoint(), /does not verify with the pinned key/, 'another key pinned: the checkpoint is refused');
  await t.rejects(verifierFor(app, vkey, { origin: 'other.example/log' }).checkpoint(), /is of "trace\.example\.cn\/log", not "other\.example\/log"/, 'another origin is refused');
});

t.test('monitor: saves the verified checkpoint, checks consistency from it next time', async (t) => {
  const verifier = verifierFor(app, vkey);
  const first = await verifier.monitor(undefined);
  t.strictSame(first.findings, []);
  const state = first.state!;
  t.equal(state.origin, ORIGIN);
  for (let i = 0; i < 260; i++) await observe(seed.id, `批量 ${i}`); // past a full tile
  await sequenceAll();
  const second = await verifier.monitor(state);
  t.strictSame(second.findings, [], 'the new tree extends the saved one');
  t.ok(second.state!.size > state.size + 256);
  t.strictSame(await verifier.audit(second.current!.checkpoint), [], 'and audits past a full tile');

  // A state file edited by hand (its root changed) is refused, and so is one of another log.
  const edited: MonitorState = { ...state, root: encodeBase64(new Uint8Array(32)) };
  const refused = await verifier.monitor(edited);
  t.match(refused.findings[0]?.message, /does not match its own checkpoint/);
  t.equal(refused.state, undefined, 'nothing to save');
  t.match((await verifier.monitor({ ...state, origin: 'other.example/log' })).findings[0]?.message, /is of other\.example\/log/);

  // A checkpoint signed with the log's key for a tree that is not a prefix of the log's: caught by consistency.
  const forgedNote = signCheckpoint({ origin: ORIGIN, size: state.size, root: new Uint8Array(32).fill(7), extensions: [] }, [noteSigner(LOG_KEY)]);
  const forged: MonitorState = { ...state, checkpoint: forgedNote, root: encodeBase64(new Uint8Array(32).fill(7)) };
  const split = await verifier.monitor(forged);
  t.match(split.findings[0]?.message, new RegExp(`not consistent with the one of size ${state.size} verified earlier`), split.findings[0]?.message ?? "no finding");
  t.equal(split.state, undefined);
});

t.test('lot: every event of the provenance is in the log and matches its entry', async (t) => {
  await sequenceAll();
  const verifier = verifierFor(app, vkey);
  const result = await verifier.lot(grown.id, token);
  t.strictSame(result.findings, [], 'verified');
  t.ok(result.events >= 8, `${result.events} events: the lot's and its seed lot's`);
  const denied = await verifier.lot(grown.id, outsider.headers.authorization.slice('Bearer '.length));
  t.match(denied.findings[0]?.message, /provenance answered 404/, 'a caller who may not read the lot learns nothing');
  t.equal((await app.inject({ method: 'GET', url: `/v1/lots/${grown.id}/log-entries` })).statusCode, 401);
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${grown.id}/log-entries`, headers: outsider.headers }), 404);
  const entries = (await app.inject({ method: 'GET', url: `/v1/lots/${seed.id}/log-entries`, headers: coop.headers })).json() as { entries: { index: number; eventId: string }[] };
  t.ok(entries.entries.length >= 265, 'the seed lot’s entries, from the log’s own tables');
  t.strictSame(entries.entries.map((e) => e.index), [...entries.entries.map((e) => e.index)].sort((a, b) => a - b), 'in log order');
});

t.test('witness: cosigns a consistent checkpoint; the service stores it and serves it with the checkpoint', async (t) => {
  await sequenceAll();
  const verifier = verifierFor(app, vkey, { witnesses: [witnessA.verifierKey] });
  const start = await verifier.monitor(undefined);
  await observe(seed.id, '见证前');
  await sequenceAll();
  const result = await verifier.witness(start.state, witnessA.signerKey);
  t.strictSame(result.findings, []);
  t.ok(result.cosigned, 'cosigned and accepted');
  t.match(result.cosignatureLine, /^— witness\.example\.org\/a /);
  const served = (await app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
  t.ok(served.includes(result.cosignatureLine!), 'the checkpoint is served with the cosignature');
  const opened = verifier.open(served);
  t.equal(opened.cosignatures.length, 1, 'and it verifies with the witness key');
  t.equal(opened.cosignatures[0]!.name, 'witness.example.org/a');
  t.equal(opened.checkpoint.size, result.state!.size);
  // A second witness adds its own; a repeated cosignature is stored once.
  const before = await cosignatureCount();
  const again = await verifier.witness(result.state, witnessA.signerKey);
  t.ok(again.cosigned);
  const b = await verifierFor(app, vkey).witness(result.state, witnessB.signerKey);
  t.ok(b.cosigned);
  t.ok((await cosignatureCount()) <= before + 2);
  const both = verifierFor(app, vkey, { witnesses: [witnessA.verifierKey, witnessB.verifierKey] }).open((await app.inject({ method: 'GET', url: '/log/checkpoint' })).body);
  t.ok(both.cosignatures.length >= 1, `${both.cosignatures.length} cosignatures on the current checkpoint`);
});

t.test('witness: refuses a checkpoint inconsistent with its state, and says so', async (t) => {
  const verifier = verifierFor(app, vkey);
  const { state } = await verifier.monitor(undefined);
  const fake = signCheckpoint({ origin: ORIGIN, size: state!.size, root: new Uint8Array(32).fill(9), extensions: [] }, [noteSigner(LOG_KEY)]);
  const before = await cosignatureCount();
  await observe(seed.id, '分叉');
  await sequenceAll();
  const result = await verifier.witness({ ...state!, checkpoint: fake, root: encodeBase64(new Uint8Array(32).fill(9)) }, witnessA.signerKey);
  t.notOk(result.cosigned);
  t.match(result.findings.map((f) => f.message).join('\n'), /not consistent[\s\S]*the witness refuses to cosign this checkpoint/);
  t.equal(result.state, undefined, 'nothing to save');
  t.equal(await cosignatureCount(), before, 'nothing submitted');
});

t.test('POST /log/cosignatures: bad cosignatures are 4xx problems and store nothing', async (t) => {
  await sequenceAll();
  const note = (await app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
  const text = parseNote(note).text;
  const lineOf = (skey: string, body = text) => signatureLine(body, cosigner(skey));
  const post = (checkpoint: unknown) => app.inject({ method: 'POST', url: '/log/cosignatures', payload: { checkpoint } });
  const before = await cosignatureCount();

  expectProblem(t, await post(`${text}\n${lineOf(stranger.signerKey)}`), 403); // a key the log does not know
  const good = lineOf(witnessA.signerKey);
  const bytes = Buffer.from(good.trim().split(' ').pop()!, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  expectProblem(t, await post(`${text}\n${good.split(' ').slice(0, -1).join(' ')} ${bytes.toString('base64')}\n`), 403); // a configured key, a wrong signature
  // A checkpoint the log never published: the witness key is right, the tree is not the log's.
  const unpublished = `${ORIGIN}\n999999\n${encodeBase64(new Uint8Array(32).fill(3))}\n`;
  expectProblem(t, await post(`${unpublished}\n${lineOf(witnessA.signerKey, unpublished)}`), 404);
  const otherRoot = text.replace(/\n[^\n]+\n$/, `\n${encodeBase64(new Uint8Array(32).fill(4))}\n`);
  expectProblem(t, await post(`${otherRoot}\n${lineOf(witnessA.signerKey, otherRoot)}`), 404);
  // A log signature line forged: refused (a known key's signature must verify).
  const logSigner = noteSigner(LOG_KEY);
  const forgedLog = signatureLine(text, { name: logSigner.name, keyId: logSigner.keyId, sign: () => new Uint8Array(64).fill(1) });
  expectProblem(t, await post(`${text}\n${forgedLog}${good}`), 403);
  for (const junk of ['', 'not a note', `${text}\n`, `${text}\n— witness.example.org/a AAAA\n`, 'x'.repeat(20_000)]) {
    expectProblem(t, await post(junk), 400);
  }
  expectProblem(t, await app.inject({ method: 'POST', url: '/log/cosignatures', payload: { checkpoint: note, extra: 1 } }), 400);
  expectProblem(t, await app.inject({ method: 'POST', url: '/log/cosignatures', payload: {} }), 400);
  // Dated more than ten minutes ahead.
  const future = signatureLine(text, cosigner(witnessA.signerKey, () => Math.floor(Date.now() / 1000) + 3600));
  expectProblem(t, await post(`${text}\n${future}`), 400);
  t.equal(await cosignatureCount(), before, 'nothing stored');

  const ok = await post(`${text}\n${good}`);
  t.equal(ok.statusCode, 200, ok.body);
  t.strictSame(ok.json().cosignatures.map((c: { name: string }) => c.name), ['witness.example.org/a']);
});

t.test('a log without configured witnesses accepts no cosignature', async (t) => {
  const { app: bare } = await setupApp(t, { logKey: LOG_KEY });
  const note = (await bare.inject({ method: 'GET', url: '/log/checkpoint' })).body;
  const text = parseNote(note).text;
  const res = await bare.inject({ method: 'POST', url: '/log/cosignatures', payload: { checkpoint: `${text}\n${signatureLine(text, cosigner(witnessA.signerKey))}` } });
  expectProblem(t, res, 403);
});
