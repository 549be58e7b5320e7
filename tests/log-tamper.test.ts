// Tampering behind the service's back (issue 15, tests): the database superuser switches the append-only guards
// off (session_replication_role = replica: no triggers, no foreign keys) and rewrites history — an event's
// occurredAt, a lab-result value, an event deleted, an event inserted back-dated. The verifier, from the public
// endpoints and a lot reader's token only, names each (event id and log index). Then the operator rebuilds the
// log tables from the altered events and signs the new tree with the service's own key: the tree audits clean on
// its own, but the monitor's consistency check against the checkpoint it saved earlier fails, and a witness
// refuses to cosign. PostgreSQL only: PGlite has no superuser to speak of (tests/log-race.test.ts does the same).
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/db/client.js';
import { SIGNATURE_TYPE, generateNoteKey, newLogKey } from '../src/modules/tlog/index.js';
import { setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { TEST_DATABASE_URL } from './support/databases.js';
import { ORIGIN, fetchKey, sequenceEverything, verifierFor } from './log-helpers.js';

const skip = TEST_DATABASE_URL ? false : 'needs PostgreSQL: the database superuser switches the append-only triggers off';

t.test('the verifier names every record changed, deleted or back-dated behind the service’s back', { skip }, async (t) => {
  const witness = generateNoteKey('witness.example.org/regulator', SIGNATURE_TYPE.cosignatureV1);
  const { app, database, createOrganization } = await setupApp(t, { logKey: newLogKey(ORIGIN).signerKey, logWitnesses: [witness.verifierKey] });
  const c = chainClient(app);
  const coop = await createOrganization({ name: '篡改测试合作社', kinds: ['cooperative'] });
  const token = coop.headers.authorization.slice('Bearer '.length);
  const site = await c.site(coop.headers, { name: '篡改基地' });
  const lot = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'TAMPER-1', siteId: site.id, quantity: kg(20), producedAt: '2020-04-01T08:00:00+08:00' });
  const observe = async (product: string) => {
    await c.call('POST', `/v1/lots/${lot.id}/events`, coop.headers, { type: 'agro_input', occurredAt: '2024-06-01T08:00:00+08:00', data: { category: 'fertilizer', product, dose: { value: 3, unit: 'kg/亩' } } });
  };
  for (const product of ['豆饼肥', '骨粉', '草木灰', '腐殖酸']) await observe(product);
  await c.call('POST', `/v1/lots/${lot.id}/lab-results`, coop.headers, {
    reportNumber: 'TAMPER-LAB-1',
    sampledAt: '2024-09-01T09:00:00+08:00',
    testedAt: '2024-09-05T16:00:00+08:00',
    results: [{ analyte: 'pb', value: '0.8', unit: 'mg/kg' }],
  });
  await sequenceEverything(app, database.db);
  const vkey = await fetchKey(app);
  const verifier = verifierFor(app, vkey);
  const seen = await verifier.monitor(undefined);
  t.strictSame(seen.findings, [], 'the monitor’s first run');
  const saved = seen.state!;
  t.strictSame((await verifier.lot(lot.id, token)).findings, [], 'before: every event of the lot verifies');

  const timeline = (await c.get(coop.headers, `/v1/lots/${lot.id}/timeline?scope=lot`)).items as { id: string; type: string; data: Record<string, unknown> }[];
  const observations = timeline.filter((e) => e.type === 'agro_input');
  const lab = timeline.find((e) => JSON.stringify(e.data).includes('TAMPER-LAB-1'));
  t.ok(lab, 'the lab result’s event');
  const [moved, deleted] = [observations[0]!.id, observations[1]!.id];
  const indexOf = async (id: string) => Number((await queryRows<{ index: string }>(database.db, sql`select index from log_entries where event_id = ${id}`))[0]!.index);
  const [movedIndex, labIndex, deletedIndex] = [await indexOf(moved), await indexOf(lab!.id), await indexOf(deleted)];

  /** As the superuser, with every trigger (the append-only guards, the foreign keys) off for this transaction. */
  const behindTheBack = (work: (tx: Database) => Promise<void>) =>
    database.db.transaction(async (tx) => {
      await queryRows(tx, sql`set local session_replication_role = replica`);
      await work(tx);
    });
  await behindTheBack(async (tx) => {
    await queryRows(tx, sql`update events set occurred_at = occurred_at - interval '400 days' where id = ${moved}`);
    await queryRows(tx, sql`update events set data = replace(data::text, '"0.8"', '"0.08"')::jsonb where id = ${lab!.id}`);
    await queryRows(tx, sql`update lab_result_items set value = '0.08' where value = '0.8'`);
    await queryRows(tx, sql`delete from event_lots where event_id = ${deleted}`);
    await queryRows(tx, sql`delete from epcis_events where event_id = ${deleted}`);
    await queryRows(tx, sql`delete from events where id = ${deleted}`);
    // Back-dated: a copy of an observation, as if recorded in 2023 (it enters the log now, after later ones).
    await queryRows(
      tx,
      sql`insert into events (id, type, organization_id, occurred_at, occurred_at_offset, recorded_at, data, actor_kind, actor_key_id, actor_user_id)
          select 'evt_backdated00000001', type, organization_id, '2023-03-01T08:00:00+08:00', occurred_at_offset, '2023-03-01T09:00:00+08:00',
                 jsonb_set(data, '{product}', '"补记的肥料"'), actor_kind, actor_key_id, actor_user_id
          from events where id = ${observations[2]!.id}`,
    );
    await queryRows(tx, sql`insert into event_lots (event_id, lot_id, role) values ('evt_backdated00000001', ${lot.id}, 'subject')`);
  });
  await sequenceEverything(app, database.db);
  const backdatedIndex = await indexOf('evt_backdated00000001');

  const { findings } = await verifier.lot(lot.id, token);
  const messages = findings.map((f) => f.message);
  t.comment(messages.join('\n'));
  const named = (id: string, index: number, what: RegExp) =>
    t.ok(findings.some((f) => f.eventId === id && f.index === index && what.test(f.message)), `names ${id} at log index ${index}: ${what}`);
  named(moved, movedIndex, /record does not match its entry in the log/);
  named(lab!.id, labIndex, /record does not match its entry in the log/);
  named(deleted, deletedIndex, /no longer answers the event: it was deleted/);
  named('evt_backdated00000001', backdatedIndex, /back-dated/);
  t.equal(findings.length, 4, 'and nothing else');

  // The operator covers the traces: the log tables rebuilt from the altered events, signed with the log's own key.
  await behindTheBack(async (tx) => {
    for (const table of ['log_entry_lots', 'log_entries', 'log_tiles', 'log_partial_tiles', 'log_entry_bundles', 'log_partial_entry_bundles', 'log_checkpoints', 'log_cosignatures', 'log_state']) {
      await queryRows(tx, sql.raw(`delete from ${table}`));
    }
    await queryRows(tx, sql`delete from event_consumers where name = 'verifiable-log'`);
  });
  await observe('重建之后');
  await sequenceEverything(app, database.db);
  const rebuilt = await verifier.checkpoint();
  t.ok(rebuilt.opened.checkpoint.size > saved.size, 'a larger tree, signed with the same key');
  t.strictSame(await verifier.audit(rebuilt.opened.checkpoint), [], 'on its own it audits clean: only history can tell');
  const monitored = await verifier.monitor(saved);
  t.match(monitored.findings[0]?.message, new RegExp(`not consistent with the one of size ${saved.size} verified earlier`), 'the monitor catches the rewrite');
  t.equal(monitored.state, undefined, 'and keeps its saved checkpoint');
  const witnessed = await verifier.witness(saved, witness.signerKey);
  t.notOk(witnessed.cosigned, 'the witness refuses to cosign');
  t.match(witnessed.findings.map((f) => f.message).join('\n'), /not consistent[\s\S]*refuses to cosign/);
  t.equal(Number((await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from log_cosignatures`))[0]!.n), 0, 'no cosignature stored');
});
