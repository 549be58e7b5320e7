import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { asc, count, eq, inArray } from 'drizzle-orm';
import DigitalLinkModule from 'digital-link.js';
import { loadConfig } from '../src/config.js';
import { codes, codeScans, events, lots, sites } from '../src/db/schema.js';
import { recordScans } from '../src/modules/codes/codes.repository.js';
import { fileDatabase, makeCreditCode } from './support/app.js';
import { kg } from './support/chain.js';
import { BASE, codedChain as ownChain, GTIN13, GTIN14, WRONG_GTIN } from './support/codes.js';
import { expectProblem } from './support/http.js';
import { sequenceEverything } from './log-helpers.js';
import { answerSchemas } from './support/openapi.js';

const { DigitalLink } = DigitalLinkModule as unknown as { DigitalLink: (uri: string) => { isValid(): boolean; getIdentifier(): Record<string, string>; getKeyQualifiers(): Record<string, string> } };

// Each test has a chain (organisations, lots) and an app with its settings of its own, all on one database.
const codedChain = async (t: Parameters<typeof ownChain>[0], overrides: Parameters<typeof ownChain>[1] = {}) =>
  ownChain(t, overrides, { database: await fileDatabase() });

t.test('issuing codes', async (t) => {
  const w = await codedChain(t);
  const { app, issue, database } = w;

  await t.test('count bounds and body validation', async (t) => {
    for (const payload of [{ count: 0 }, { count: 100_001 }, { count: 1.5 }, {}, { count: 1, level: 'pallet' }, { count: 1, extra: true }]) {
      expectProblem(t, await issue(w.coop.headers, w.product.id, payload), 400);
    }
  });

  await t.test('only the holder issues; strangers do not see the lot', async (t) => {
    expectProblem(t, await issue(w.stranger.headers, w.product.id, { count: 1 }), 404);
    expectProblem(t, await app.inject({ method: 'POST', url: `/v1/lots/${w.product.id}/codes`, payload: { count: 1 } }), 401);
  });

  await t.test('unit codes only for product lots; lot-level codes for any lot', async (t) => {
    const p = expectProblem(t, await issue(w.coop.headers, w.dried.id, { count: 1 }), 422);
    t.equal(p.rule, 'unit-codes-product-only');
    const res = await issue(w.coop.headers, w.dried.id, { count: 2, level: 'lot' });
    t.equal(res.statusCode, 201);
    for (const code of res.json().codes) t.equal(code.url, `${BASE}/q/${code.code}`);
  });

  await t.test('with a GTIN: GS1 Digital Link URLs, checked by digital-link.js', async (t) => {
    const res = await issue(w.coop.headers, w.product.id, { count: 5 });
    t.equal(res.statusCode, 201);
    const body = res.json();
    t.equal(body.count, 5);
    t.match(body.eventId, /^evt_/);
    const seen = new Set<string>();
    for (const { code, url } of body.codes) {
      t.match(code, /^[2-9A-HJKMNP-Za-km-np-z]{16}$/, 'no ambiguous characters, 16 long (≈92 bits)');
      seen.add(code);
      t.equal(url, `${BASE}/01/${GTIN14}/10/SH-2411-01/21/${code}`);
      const dl = DigitalLink(url);
      t.ok(dl.isValid(), `digital-link.js accepts ${url}`);
      t.same(dl.getIdentifier(), { '01': GTIN14 });
      t.same(dl.getKeyQualifiers(), { '10': 'SH-2411-01', '21': code });
    }
    t.equal(seen.size, 5);
    const [ev] = await database.db.select().from(events).where(eq(events.id, body.eventId));
    t.equal(ev?.type, 'codes_issued');
    t.same(ev?.data, { count: 5, level: 'unit' });
  });

  await t.test('without a GTIN: /q/ URLs', async (t) => {
    const res = await issue(w.coop.headers, w.plain.id, { count: 2 });
    t.equal(res.statusCode, 201);
    for (const { code, url } of res.json().codes) t.equal(url, `${BASE}/q/${code}`);
  });

  await t.test('a lot number outside GS1 AI 10 with a GTIN is a clear 422', async (t) => {
    // The API's lot-number pattern already keeps within AI 10; a lot number stored before that rule (or
    // imported) may not, and the issuance still says so clearly.
    const product = (await w.c.transform(w.coop.headers, { occurredAt: '2024-11-22T09:00:00+08:00', inputs: [{ lotId: w.dried.id, quantity: kg(10) }], outputs: [{ stage: 'product', lotNumber: 'LEGACY-01', quantity: { value: 10, unit: 'box' }, gtin: GTIN13 }] })).outputs[0];
    await database.db.update(lots).set({ lotNumber: '松岭-2411' }).where(eq(lots.id, product.id));
    const p = expectProblem(t, await issue(w.coop.headers, product.id, { count: 1 }), 422);
    t.equal(p.rule, 'gs1-lot-number');
    t.match(p.detail, /AI 10/);
  });

  await t.test('percent-encoding of a lot number with reserved characters', async (t) => {
    const product = (await w.c.transform(w.coop.headers, { occurredAt: '2024-11-22T09:00:00+08:00', inputs: [{ lotId: w.dried.id, quantity: kg(10) }], outputs: [{ stage: 'product', lotNumber: 'AB/12', quantity: { value: 10, unit: 'box' }, gtin: GTIN13 }] })).outputs[0];
    const res = await issue(w.coop.headers, product.id, { count: 1 });
    t.equal(res.statusCode, 201);
    const { code, url } = res.json().codes[0];
    t.equal(url, `${BASE}/01/${GTIN14}/10/AB%2F12/21/${code}`);
    t.ok(DigitalLink(url).isValid(), 'digital-link.js accepts the encoded lot');
    const resolved = await app.inject({ method: 'GET', url: url.slice(BASE.length), headers: { accept: 'application/json' } });
    t.equal(resolved.statusCode, 200, 'the encoded Digital Link resolves');
    t.equal(resolved.json().verdict, 'genuine');
  });

  await t.test('a blocked lot gets no codes and nothing is written', async (t) => {
    const held = (await w.c.transform(w.coop.headers, { occurredAt: '2024-11-22T09:00:00+08:00', inputs: [{ lotId: w.dried.id, quantity: kg(10) }], outputs: [{ stage: 'product', lotNumber: 'HOLD-01', quantity: { value: 10, unit: 'box' } }] })).outputs[0];
    await w.c.call('POST', `/v1/lots/${held.id}/status`, w.coop.headers, { status: 'hold', reason: '待检' }, 200);
    const [before] = await database.db.select({ n: count() }).from(codes);
    const p = expectProblem(t, await issue(w.coop.headers, held.id, { count: 3 }), 422);
    t.equal(p.rule, 'blocked-lot');
    const [after] = await database.db.select({ n: count() }).from(codes);
    t.equal(Number(after!.n), Number(before!.n));
  });

  await t.test('listing: JSON pages and CSV for the label printer', async (t) => {
    const first = await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/codes?limit=3`, headers: w.coop.headers });
    t.equal(first.statusCode, 200);
    const page1 = first.json();
    t.equal(page1.items.length, 3);
    t.type(page1.nextCursor, 'string');
    const second = (await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/codes?limit=3&cursor=${page1.nextCursor}`, headers: w.coop.headers })).json();
    t.equal(second.items.length, 2);
    t.equal(second.nextCursor, null);
    const csv = await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/codes?format=csv`, headers: w.coop.headers });
    t.equal(csv.statusCode, 200);
    t.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    t.equal(lines[0], 'code,url,level,status');
    t.equal(lines.length, 6);
    t.match(lines[1], new RegExp(`^[^,]+,${BASE}/01/${GTIN14}/10/SH-2411-01/21/[^,]+,unit,active$`));
    expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/codes`, headers: w.stranger.headers }), 404);
  });

  await t.test('100,000 codes in one request', async (t) => {
    const started = performance.now();
    const res = await issue(w.coop.headers, w.product.id, { count: 100_000 });
    const ms = performance.now() - started;
    t.equal(res.statusCode, 201);
    t.equal(res.json().codes.length, 100_000);
    t.comment(`100,000 codes issued in ${Math.round(ms)} ms on ${database.kind}`);
    t.ok(ms < 30_000, 'in seconds');
    const [n] = await database.db.select({ n: count() }).from(codes).where(eq(codes.lotId, w.product.id));
    t.equal(Number(n!.n), 100_005);
    // The CSV streams them page by page (20,000 a page): every code once, in order, across the page boundaries.
    const csvStarted = performance.now();
    const csv = await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/codes?format=csv`, headers: w.coop.headers });
    t.comment(`CSV of 100,005 codes in ${Math.round(performance.now() - csvStarted)} ms`);
    t.equal(csv.statusCode, 200);
    t.ok(csv.body.endsWith('\r\n'), 'the last record ends its line');
    const lines = csv.body.slice(0, -2).split('\r\n');
    t.equal(lines[0], 'code,url,level,status');
    const listed = lines.slice(1).map((l) => l.split(',')[0]!);
    t.equal(listed.length, 100_005, 'every code');
    t.equal(new Set(listed).size, 100_005, 'each once');
    t.ok(listed.every((c, i) => i === 0 || listed[i - 1]! < c), 'in code order');
  });
});

t.test('QR images', async (t) => {
  const w = await codedChain(t);
  const { app } = w;
  const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes;

  const svg = await app.inject({ method: 'GET', url: `/v1/codes/${unit.code}/qr.svg` });
  t.equal(svg.statusCode, 200);
  t.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
  t.match(svg.body, /^<svg[\s\S]*<\/svg>\s*$/);
  t.match(String(svg.headers['cache-control']), /max-age=31536000/);
  t.ok(svg.headers.etag);

  const png = await app.inject({ method: 'GET', url: `/v1/codes/${unit.code}/qr.png?size=200` });
  t.equal(png.statusCode, 200);
  t.equal(png.headers['content-type'], 'image/png');
  t.same([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  t.equal(png.rawPayload.readUInt32BE(16), 200, 'width as asked');
  const again = await app.inject({ method: 'GET', url: `/v1/codes/${unit.code}/qr.png?size=200`, headers: { 'if-none-match': String(png.headers.etag) } });
  t.equal(again.statusCode, 304, 'ETag revalidation');

  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/codes/${unit.code}/qr.png?size=5000` }), 400);
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/codes/NoSuchCode2345678/qr.svg' }), 404);
});

t.test('consumer resolve: both paths, JSON and HTML, zh and en, nothing private', async (t) => {
  const w = await codedChain(t);
  const { app, database } = w;
  // The JSON answer is joined from pre-serialised parts (resolve.service.ts): held to its OpenAPI schema here.
  const answers = await answerSchemas(app);
  const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes;
  const [short] = (await w.issue(w.coop.headers, w.plain.id, { count: 1 })).json().codes;
  const dlPath = unit.url.slice(BASE.length);
  const json = { accept: 'application/json' };

  await t.test('Digital Link path, JSON', async (t) => {
    const res = await app.inject({ method: 'GET', url: dlPath, headers: json });
    t.equal(res.statusCode, 200);
    t.match(String(res.headers['content-type']), /^application\/json/);
    t.equal(res.headers['cache-control'], 'no-store');
    const v = res.json();
    answers.matches(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 200, v);
    answers.refuses(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 200, { ...v, verdict: 'probably' }, 'a verdict outside the list');
    answers.refuses(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 200, { ...v, scans: { ...v.scans, count: '1' } }, 'a count as text');
    const { producer: _producer, ...withoutProducer } = v;
    answers.refuses(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 200, withoutProducer, 'an answer without its producer');
    const shortJson = answers.check(t, 'GET /q/{code}', await app.inject({ method: 'GET', url: `/q/${short.code}`, headers: json }));
    t.equal(shortJson.verdict, 'genuine', 'the /q/ path, JSON');
    t.equal(v.verdict, 'genuine');
    t.equal(v.lang, 'zh-CN');
    t.match(v.message, /正品/);
    t.equal(v.warning, null);
    t.equal(v.code, unit.code);
    t.match(v.product, { name: '松岭人参胶囊', lotNumber: 'SH-2411-01', gtin: GTIN14, status: 'active', species: { code: 'renshen', nameZh: '人参' } });
    t.match(v.producer, { name: '抚松县松岭人参种植专业合作社', region: /抚松县/ });
    t.equal(v.origins.length, 1);
    t.match(v.origins[0], { base: '松岭GAP园参基地', regionCode: '220621', region: /抚松县/, sharePct: 100 });
    t.match(v.harvests, [{ date: /^2024-09-18/, rootAgeYears: 6 }]);
    t.match(v.processing.map((p: { stage: string }) => p.stage), ['processed', 'product']);
    t.strictSame(v.processing[0].steps, ['刷洗', '烘干 45 °C · 72 小时'], 'steps in words of the page language');
    t.equal(v.product.herb, '人参');
    t.match(v.tests, [{ stage: 'processed', lotNumber: 'SL-SSS-01', lab: '通化长白山中药材质量检测有限公司', verdict: 'pass' }]);
    t.match(v.scans, { count: 1, networks: 1, windowHours: 720, firstVerified: { at: /^\d{4}-\d\d-\d\dT.*\+08:00$/, thisScan: true, region: null }, suspicion: null });
    for (const secret of [w.coopCreditCode, w.coop.key, w.coop.key.split('.')[0]!, w.coop.organization.id]) {
      t.notOk(res.body.includes(secret), 'no credit code, key or organisation id');
    }
    t.notMatch(res.body, /households|24户/, 'no household data');
  });

  await t.test('/q/ path, HTML in Chinese by default, English on request', async (t) => {
    const zh = await app.inject({ method: 'GET', url: `/q/${short.code}`, headers: { accept: 'text/html' } });
    t.equal(zh.statusCode, 200);
    t.match(String(zh.headers['content-type']), /^text\/html/);
    t.match(zh.body, /<html lang="zh-CN">/);
    t.match(zh.body, /正品/);
    t.match(zh.body, /松岭GAP园参基地/);
    t.match(zh.body, /参龄 6 年/);
    t.notMatch(zh.body, /<script|https?:\/\/(?!trace)/, 'no scripts, no external assets');
    t.ok(Buffer.byteLength(zh.body) < 16_384, 'small page');
    for (const secret of [w.coopCreditCode, w.coop.key]) t.notOk(zh.body.includes(secret), 'no credit code or key');

    const en = await app.inject({ method: 'GET', url: `/q/${short.code}?lang=en` });
    t.match(en.body, /<html lang="en">/);
    t.match(en.body, /Genuine/);
    t.match(en.body, /Root age 6 years/);
    t.match(en.body, /Oven-dried 45 °C · 72 h/, 'the steps in English');
    t.match(en.body, /Ginseng \(Panax ginseng\)/, 'the herb named in English');
    t.notMatch(en.body, /hours 72|temperatureC/, 'no raw parameter keys');
    t.match(zh.body, /烘干 45 °C · 72 小时/);
    t.notMatch(zh.body, /hours 72|temperatureC|Ginseng/, 'no raw keys or English in the Chinese page');
    const enJson = (await app.inject({ method: 'GET', url: `${dlPath}?lang=en`, headers: json })).json();
    answers.matches(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 200, enJson);
    t.match(enJson.product, { name: '松岭人参胶囊', herb: 'Ginseng (Panax ginseng)' }, 'the own name stays; the herb in English');
    t.strictSame(enJson.processing[0].steps, ['Brush-washed', 'Oven-dried 45 °C · 72 h']);
    const plainEn = (await app.inject({ method: 'GET', url: `/q/${short.code}?lang=en`, headers: json })).json();
    t.equal(plainEn.product.name, 'Ginseng (Panax ginseng)', 'a product without a name of its own: its herb, in English');
    const byHeader = await app.inject({ method: 'GET', url: dlPath, headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' } });
    t.match(byHeader.body, /<html lang="en">/);
    const zhHeader = await app.inject({ method: 'GET', url: dlPath, headers: { 'accept-language': 'zh-CN,en;q=0.5' } });
    t.match(zhHeader.body, /<html lang="zh-CN">/);
  });

  await t.test('HTML is escaped', async (t) => {
    const product = (await w.c.transform(w.coop.headers, { occurredAt: '2024-11-22T09:00:00+08:00', inputs: [{ lotId: w.dried.id, quantity: kg(5) }], outputs: [{ stage: 'product', lotNumber: 'XSS-01', quantity: { value: 5, unit: 'box' }, attributes: { name: '<script>alert(1)</script>' } }] })).outputs[0];
    const [c] = (await w.issue(w.coop.headers, product.id, { count: 1, level: 'lot' })).json().codes;
    const res = await app.inject({ method: 'GET', url: `/q/${c.code}` });
    t.notMatch(res.body, /<script>alert/);
    t.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  await t.test('the page names the public log: being written, then the checkpoint that includes the records', async (t) => {
    // A product lot of its own: the per-lot view (and the log coverage in it) is cached per lot.
    const made = async (lotNumber: string) => {
      const product = (await w.c.transform(w.coop.headers, { occurredAt: '2024-11-23T09:00:00+08:00', inputs: [{ lotId: w.dried.id, quantity: kg(1) }], outputs: [{ stage: 'product', lotNumber, quantity: { value: 10, unit: 'box' } }] })).outputs[0];
      return (await w.issue(w.coop.headers, product.id, { count: 1, level: 'lot' })).json().codes[0].code as string;
    };
    // The timer is off in tests: nothing is in the log until a sequencing step runs.
    const pending = await made('LOG-PENDING');
    const before = answers.check(t, 'GET /q/{code}', await app.inject({ method: 'GET', url: `/q/${pending}`, headers: json }));
    t.match(before.log, { inLog: false, records: Number, lastIndex: null, treeSize: null, checkpointAt: null }, 'not in the log yet: no checkpoint claimed');
    t.ok(before.log.records >= 6, `${before.log.records} records upstream`);
    const pendingPage = await app.inject({ method: 'GET', url: `/q/${pending}` });
    t.match(pendingPage.body, /本产品的 \d+ 条记录正在写入公开可验证日志/);
    t.notMatch(pendingPage.body, /已全部写入/);

    const logged = await made('LOG-DONE');
    // Every committed event into the log (on PostgreSQL the queue waits for transactions running elsewhere).
    const n = (await database.db.select({ n: count() }).from(events))[0]!.n;
    const step = await sequenceEverything(app, database.db);
    t.ok(step.size >= n, 'every event is in the log');
    const after = answers.check(t, 'GET /q/{code}', await app.inject({ method: 'GET', url: `/q/${logged}`, headers: json }));
    t.match(after.log, { inLog: true, records: Number, lastIndex: Number, treeSize: step.size, checkpointAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$/ });
    t.ok(after.log.lastIndex < after.log.treeSize, 'the checkpoint includes the last of them');
    // The product's records are its chain's events, as its EPCIS export lists them: not the other products made
    // from the same dried root (several in this file).
    const productId = (await database.db.select({ id: lots.id }).from(lots).where(eq(lots.lotNumber, 'LOG-DONE')))[0]!.id;
    const exported = (await app.inject({ method: 'GET', url: `/v1/lots/${productId}/epcis`, headers: w.coop.headers })).json();
    t.equal(after.log.records, exported.epcisBody.eventList.length, 'as many records as the chain export has events');
    const checkpoint = await app.inject({ method: 'GET', url: '/log/checkpoint' });
    t.equal(checkpoint.body.split('\n')[1], String(after.log.treeSize), 'the tree size of the checkpoint /log/checkpoint serves');
    const zhPage = (await app.inject({ method: 'GET', url: `/q/${logged}` })).body;
    t.match(zhPage, new RegExp(`本产品的 ${after.log.records} 条记录已全部写入公开可验证日志（最后一条为日志第 ${after.log.lastIndex + 1} 条），包含它们的检查点共 ${step.size} 条，签发于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d（北京时间）`));
    const enPage = (await app.inject({ method: 'GET', url: `/q/${logged}?lang=en` })).body;
    t.match(enPage, new RegExp(`All ${after.log.records} records of this product are in the public verifiable log \\(the last is entry ${after.log.lastIndex + 1}\\), under the checkpoint of ${step.size} entries signed`));
    // The pending lot's view is still the one cached before the step: it goes on saying "being written", never more.
    const stillCached = (await app.inject({ method: 'GET', url: `/q/${pending}`, headers: json })).json();
    t.equal(stillCached.log.inLog, false);
  });

  await t.test('400 on a malformed path or a wrong check digit; 404 unknown', async (t) => {
    expectProblem(t, await app.inject({ method: 'GET', url: '/q/abc', headers: json }), 400);
    expectProblem(t, await app.inject({ method: 'GET', url: `/01/${WRONG_GTIN}/10/SH-2411-01/21/${unit.code}`, headers: json }), 400);
    expectProblem(t, await app.inject({ method: 'GET', url: `/01/12AB/10/SH-2411-01/21/${unit.code}`, headers: json }), 400);
    expectProblem(t, await app.inject({ method: 'GET', url: `/01/${GTIN13}/10/${'A'.repeat(21)}/21/${unit.code}`, headers: json }), 400);
    const html = await app.inject({ method: 'GET', url: `/01/${WRONG_GTIN}/10/SH-2411-01/21/${unit.code}` });
    t.equal(html.statusCode, 400);
    t.match(String(html.headers['content-type']), /^text\/html/);

    const unknown = await app.inject({ method: 'GET', url: '/q/NoSuchCode2345678', headers: json });
    t.equal(unknown.statusCode, 404);
    answers.matches(t, 'GET /q/{code}', 404, unknown.json());
    t.equal(unknown.json().verdict, 'unknown');
    t.match(unknown.json().warning, /12315/);
    const unknownHtml = await app.inject({ method: 'GET', url: '/q/NoSuchCode2345678?lang=en' });
    t.equal(unknownHtml.statusCode, 404);
    t.match(unknownHtml.body, /Unknown/);
    t.match(unknownHtml.body, /counterfeit/);
    // A real serial under another GTIN or lot is not that product's code.
    const otherLot = await app.inject({ method: 'GET', url: `/01/${GTIN13}/10/OTHER-LOT/21/${unit.code}`, headers: json });
    t.equal(otherLot.statusCode, 404);
    answers.matches(t, 'GET /01/{gtin}/10/{lot}/21/{serial}', 404, otherLot.json());
    t.equal(otherLot.json().verdict, 'unknown');
  });

  await t.test('every resolve is recorded with a coarse network', async (t) => {
    const rows = await database.db.select().from(codeScans).where(eq(codeScans.code, unit.code));
    t.ok(rows.length >= 3);
    for (const r of rows) t.ok(r.network === null || /\/(24|48)$/.test(r.network), 'network prefix only');
    t.equal(rows[0]!.lotId, w.product.id);
  });
});

// Places used below: Changchun, Guangzhou (≈ 2,550 km from Changchun) and Ürümqi (≈ 2,900 km from Changchun,
// ≈ 3,270 km from Guangzhou).
const CHANGCHUN = '?lat=43.88&lon=125.32';
const CHANGCHUN_2 = '?lat=43.90&lon=125.30';
const GUANGZHOU = '?lat=23.13&lon=113.26';
const URUMQI = '?lat=43.83&lon=87.62';

const scanJson = async (app: FastifyInstance, code: string) => (await app.inject({ method: 'GET', url: `/q/${code}`, headers: { accept: 'application/json' } })).json();

/**
 * Scans `code` (JSON) every 150 ms until `done` holds of the answer or 20 s passed, and asserts it held: a scan
 * past the TTL is answered from the entry it replaces while one refresh runs in the background, so what a
 * refresh brings shows in a later scan.
 */
async function scanUntil(t: Test, app: FastifyInstance, code: string, what: string, done: (v: any) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 150));
    const v = await scanJson(app, code);
    if (done(v) || Date.now() > deadline) {
      t.ok(done(v), what);
      return v;
    }
  }
}

t.test('the page’s chain part: checked again after CONSUMER_PAGE_CACHE_MS, rebuilt only when the chain’s record changed', async (t) => {
  const w = await codedChain(t, { consumerPageCacheMs: 100, consumerPageMaxAgeMs: 3_600_000 });
  const { app, database } = w;
  const code = (await w.issue(w.coop.headers, w.product.id, { count: 1, level: 'lot' })).json().codes[0].code as string;
  const until = (what: string, done: (v: any) => boolean) => scanUntil(t, app, code, what, done);
  const first = await scanJson(app, code);
  t.match(first.origins, [{ base: '松岭GAP园参基地' }]);
  t.match(first.tests, [{ lotNumber: 'SL-SSS-01', testedAt: /^2024-10-15/ }]);
  t.strictSame(first.certificates, []);
  t.equal(first.log.inLog, false);

  // A change the service itself never makes (sites are not renamed): outside the chain's record, so a refresh that
  // finds the record unchanged keeps the entry, and the old name, until the entry is built again.
  await database.db.update(sites).set({ name: '改名后的基地' }).where(eq(sites.id, w.base.id));
  await sequenceEverything(app, database.db);
  const rechecked = await until('a refresh read the log coverage again: the records are in the log now', (v) => v.log.inLog === true);
  t.equal(rechecked.origins[0].base, '松岭GAP园参基地', 'the chain was not walked again: its record is unchanged');
  t.equal(rechecked.log.records, first.log.records);

  // A lab result on a lot of the chain is an event of the chain: the next refresh builds the entry again, whole.
  await w.c.call('POST', `/v1/lots/${w.dried.id}/lab-results`, w.lab.headers, {
    reportNumber: 'THJC-2024-1101',
    sampledAt: '2024-10-30T09:00:00+08:00',
    testedAt: '2024-11-01T16:00:00+08:00',
    results: [{ analyte: 'moisture', value: '9.8', unit: '%' }],
  });
  const retested = await until('the new report is on the page', (v) => /^2024-11-01/.test(v.tests[0]?.testedAt ?? ''));
  t.equal(retested.log.records, first.log.records + 1, 'one record more');
  t.equal(retested.origins[0].base, '改名后的基地', 'built again from scratch: the rename is read too');

  // Certificates belong to an organisation, not a lot: their own part of the stamp.
  const certificate = await w.c.call('POST', '/v1/certificates', w.coop.headers, { kind: 'gap', siteId: w.base.id, authority: '吉林省药品监督管理局', number: 'JL-GAP-2024-017', validFrom: '2024-01-01', validUntil: '2099-12-31' });
  const certified = await until('the new certificate is on the page', (v) => v.certificates.length === 1);
  t.match(certified.certificates, [{ kind: 'gap', number: 'JL-GAP-2024-017', assertion: 'self_declared' }]);
  const authority = await w.createOrganization({ name: '吉林省药品监督管理局', kinds: ['certifier'], regionCode: '220000', creditCode: makeCreditCode('220000', '11') });
  await w.c.call('POST', `/v1/certificates/${certificate.id}/confirm`, authority.headers, {}, 200);
  await until('the confirmation is on the page', (v) => v.certificates[0]?.assertion === 'confirmed');
});

t.test('the page’s chain part is built again after CONSUMER_PAGE_MAX_AGE_MS, whatever the check finds', async (t) => {
  const w = await codedChain(t, { consumerPageCacheMs: 50, consumerPageMaxAgeMs: 300 });
  const code = (await w.issue(w.coop.headers, w.product.id, { count: 1, level: 'lot' })).json().codes[0].code as string;
  const first = await scanJson(w.app, code);
  t.equal(first.origins[0].base, '松岭GAP园参基地');
  await w.database.db.update(sites).set({ name: '另一个名字' }).where(eq(sites.id, w.base.id));
  await scanUntil(t, w.app, code, 'the rename, outside the chain’s record, is on the page once the entry is old enough', (v) => v.origins[0].base === '另一个名字');
});

t.test('verdicts: distinct networks and far-apart places, not requests; void, recalled; scan statistics', async (t) => {
  const w = await codedChain(t, { scanSuspiciousNetworks: 3, scanSuspiciousPlaces: 3, scanSuspiciousDistanceKm: 500 });
  const { app, database } = w;
  const answers = await answerSchemas(app);
  const issued = (await w.issue(w.coop.headers, w.product.id, { count: 10 })).json().codes as { code: string; url: string }[];
  const code = (i: number) => issued[i]!.code;
  /** A scan from a client address (its /24 is the network) with an optional device cookie. */
  const get = (c: string, query = '', from = '198.51.100.7', headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/q/${c}${query}`, remoteAddress: from, headers: { accept: 'application/json', 'user-agent': 'MicroMessenger test', ...headers } });
  const scan = async (c: string, query = '', from = '198.51.100.7', headers: Record<string, string> = {}) => (await get(c, query, from, headers)).json();

  await t.test('a hundred scans from one network leave a genuine code genuine, whatever cookies they send', async (t) => {
    // Sent together, so they also share the recorder's batches; each from another address of the same /24.
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => get(code(0), i % 3 === 0 ? CHANGCHUN : i % 3 === 1 ? GUANGZHOU : URUMQI, `203.0.113.${i + 1}`, { cookie: `ht_device=${String(i).padStart(22, 'x')}` })),
    );
    const views = responses.map((r) => r.json());
    t.ok(responses.every((r) => r.statusCode === 200));
    t.same([...new Set(views.map((v) => v.verdict))], ['genuine'], 'all genuine');
    t.same(views.map((v) => v.scans.count).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1), 'every scan counted');
    t.ok(views.every((v) => v.scans.networks === 1 && v.scans.suspicion === null), 'one network');
  });

  await t.test('two located scans 2,500 km apart from one network stay genuine', async (t) => {
    t.equal((await scan(code(1), CHANGCHUN)).verdict, 'genuine', 'Changchun');
    t.equal((await scan(code(1), GUANGZHOU)).verdict, 'genuine', 'Guangzhou, 2,500 km away, same network');
    t.equal((await scan(code(1), URUMQI, '198.51.100.200')).verdict, 'genuine', 'and Ürümqi, same network');
  });

  await t.test('more distinct networks than SCAN_SUSPICIOUS_NETWORKS in the window make it suspicious', async (t) => {
    const verdicts = [];
    for (const net of [1, 2, 3, 4]) verdicts.push((await scan(code(2), '', `192.0.${net}.10`)).verdict);
    t.same(verdicts, ['genuine', 'genuine', 'genuine', 'suspicious'], 'the fourth network crosses 3');
    const v = await scan(code(2), '?lang=en', '192.0.1.10');
    t.equal(v.verdict, 'suspicious', 'and stays so for a network seen before: the evidence is still in the window');
    answers.matches(t, 'GET /q/{code}', 200, v, 'a suspicious answer (many networks)');
    t.match(v.scans, { count: 5, networks: 4, suspicion: { rule: 'many-networks', networks: 4 } });
    t.match(v.message, /4 different networks in the last 30 days/);
    t.match(v.warning, /first verification/);
    const zh = await app.inject({ method: 'GET', url: `/q/${code(2)}`, remoteAddress: '192.0.2.10' });
    t.match(zh.body, /data-verdict="suspicious"/);
    t.match(zh.body, /可疑：此码近 30 天内已在 4 个不同网络被查验/, 'the page says why');
  });

  await t.test('one device cookie seen from several networks counts once', async (t) => {
    const cookie = { cookie: 'ht_device=AAAAAAAAAAAAAAAAAAAAAA' };
    const verdicts = [];
    for (const net of [1, 2, 3, 4, 5]) verdicts.push((await scan(code(3), '', `100.64.${net}.1`, cookie)).verdict);
    t.same(verdicts, ['genuine', 'genuine', 'genuine', 'genuine', 'genuine'], 'a phone moving between networks is one client');
    const v = await scan(code(3), '', '100.64.9.1');
    t.equal(v.scans.networks, 6);
    t.equal(v.verdict, 'genuine', 'six networks, two clients');
    const stored = await database.db.select().from(codeScans).where(eq(codeScans.code, code(3)));
    const devices = new Set(stored.map((s) => s.device));
    t.equal(devices.size, 2, 'one stored device id and null');
    const [device] = [...devices].filter((d) => d !== null);
    t.not(device, 'AAAAAAAAAAAAAAAAAAAAAA', 'the cookie is stored hashed');
    t.match(device, /^[A-Za-z0-9_-]{22}$/);
    await scan(code(4), '', '100.64.1.1', cookie);
    const [other] = await database.db.select().from(codeScans).where(eq(codeScans.code, code(4)));
    t.not(other!.device, device, 'hashed with the code: scans of two codes by one device are not linkable');
  });

  await t.test('located scans from SCAN_SUSPICIOUS_PLACES networks in places far apart make it suspicious', async (t) => {
    t.equal((await scan(code(5), CHANGCHUN, '10.1.1.1')).verdict, 'genuine', 'Changchun');
    t.equal((await scan(code(5), CHANGCHUN_2, '10.1.2.1')).verdict, 'genuine', 'Changchun, another network');
    const gift = await scan(code(5), GUANGZHOU, '10.1.3.1');
    t.equal(gift.verdict, 'genuine', 'a gift sent to Guangzhou: two places');
    t.equal(gift.scans.networks, 3);
    // A fourth network would cross SCAN_SUSPICIOUS_NETWORKS: the far-apart rule is tested on its own code.
    t.equal((await scan(code(6), CHANGCHUN, '10.2.1.1')).verdict, 'genuine');
    t.equal((await scan(code(6), GUANGZHOU, '10.2.2.1')).verdict, 'genuine', 'two places');
    t.equal((await scan(code(6), GUANGZHOU, '10.2.1.1')).verdict, 'genuine', 'a network already counted adds no place');
    const third = await scan(code(6), `${URUMQI}&lang=en`, '10.2.3.1');
    t.equal(third.verdict, 'suspicious', 'Ürümqi, a third network in a third place');
    t.match(third.scans.suspicion, { rule: 'far-apart', networks: 3, places: 3 });
    answers.matches(t, 'GET /q/{code}', 200, third, 'a suspicious answer (far apart)');
    t.ok(third.scans.suspicion.distanceKm > 3000 && third.scans.suspicion.distanceKm < 3500, `Guangzhou–Ürümqi ${third.scans.suspicion.distanceKm} km`);
    t.match(third.message, /3 different networks in places up to 3,\d{3} km apart/);
    t.equal((await scan(code(6), '', '10.2.1.1')).verdict, 'suspicious', 'a later scan without a location too');
    const zh = await app.inject({ method: 'GET', url: `/q/${code(6)}`, remoteAddress: '10.2.1.1' });
    t.match(zh.body, /可疑：此码已在 3 个不同网络、相距 3,\d{3} 公里的地区被查验，可能被复制。/);
  });

  await t.test('first verified: date and region, the same for every later scan; distinct networks shown', async (t) => {
    const first = await scan(code(7), '?region=220621', '10.3.1.1');
    t.match(first.scans.firstVerified, { thisScan: true, region: { code: '220621', name: /吉林省 白山市 抚松县/, approximate: false } });
    answers.matches(t, 'GET /q/{code}', 200, first, 'an answer with the first verified region');
    const later = await scan(code(7), CHANGCHUN, '10.3.2.1');
    t.same(later.scans.firstVerified, { ...first.scans.firstVerified, thisScan: false });
    t.equal(later.scans.networks, 2);
    const day = first.scans.firstVerified.at.slice(0, 10);
    const zh = (await app.inject({ method: 'GET', url: `/q/${code(7)}`, remoteAddress: '10.3.3.1' })).body;
    t.match(zh, `首次查验：${day}，吉林省 白山市 抚松县</p>`);
    t.match(zh, '近 30 天内有 3 个不同网络查验过此码（共 3 次）');
    const en = (await app.inject({ method: 'GET', url: `/q/${code(7)}?lang=en`, remoteAddress: '10.3.3.1' })).body;
    t.match(en, `First verified: ${day}, 吉林省 白山市 抚松县</p>`);
    t.match(en, 'Verified from 3 different networks in the last 30 days (4 scans)');

    // Only a location: the nearest city, said to be near it.
    const located = await scan(code(8), CHANGCHUN, '10.4.1.1');
    t.match(located.scans.firstVerified, { thisScan: true, region: { code: '220100', name: '吉林省 长春市', approximate: true } });
    const page = (await app.inject({ method: 'GET', url: `/q/${code(8)}`, remoteAddress: '10.4.1.1' })).body;
    t.match(page, /首次查验：\d{4}-\d\d-\d\d，吉林省 长春市附近<\/p>/);
    // Nothing said where: no region; a location far from every listed city names none either.
    t.equal((await scan(code(9), '', '10.5.1.1')).scans.firstVerified.region, null);
    t.equal((await scan(code(9), '?lat=0&lon=0', '10.5.1.1')).scans.firstVerified.region, null, 'a location far from every listed city names none');
  });

  await t.test('verdicts from the old rule are not sticky', async (t) => {
    // A code a stranger turned suspicious under the request-counting rule: its stored verdicts do not carry over.
    const stale = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes[0].code as string;
    await database.db.insert(codeScans).values({ code: stale, lotId: w.product.id, network: '198.51.100.0/24', verdict: 'suspicious' });
    t.equal((await scan(stale)).verdict, 'genuine');
  });

  await t.test('lot-level codes are never suspicious', async (t) => {
    const [lotCode] = (await w.issue(w.coop.headers, w.dried.id, { count: 1, level: 'lot' })).json().codes as { code: string }[];
    const verdicts = [];
    for (const net of [1, 2, 3, 4, 5]) verdicts.push((await scan(lotCode!.code, net % 2 ? CHANGCHUN : GUANGZHOU, `10.6.${net}.1`)).verdict);
    t.same(verdicts, ['genuine', 'genuine', 'genuine', 'genuine', 'genuine']);
  });

  await t.test('a voided code resolves as void', async (t) => {
    const c = code(1);
    expectProblem(t, await app.inject({ method: 'POST', url: `/v1/codes/${c}/void`, headers: w.stranger.headers, payload: { reason: 'x' } }), 404);
    const res = await app.inject({ method: 'POST', url: `/v1/codes/${c}/void`, headers: w.coop.headers, payload: { reason: '标签破损' } });
    t.equal(res.statusCode, 200);
    t.equal(res.json().status, 'void');
    expectProblem(t, await app.inject({ method: 'POST', url: `/v1/codes/${c}/void`, headers: w.coop.headers, payload: { reason: 'again' } }), 422);
    const v = await scan(c, '', '10.7.1.1');
    answers.matches(t, 'GET /q/{code}', 200, v, 'a void answer');
    t.equal(v.verdict, 'void');
    t.match(v.message, /作废/);
    t.equal(v.scans.suspicion, null);
  });

  await t.test('scan statistics per code and per lot, for the holder only', async (t) => {
    const codeStats = await app.inject({ method: 'GET', url: `/v1/codes/${code(2)}/scans`, headers: w.coop.headers });
    t.equal(codeStats.statusCode, 200);
    const cs = codeStats.json();
    t.equal(cs.stats.totalScans, 6);
    t.equal(cs.stats.distinctNetworks, 4);
    t.equal(cs.stats.suspiciousScans, 3);
    t.equal(cs.recent.length, 6);
    t.ok(cs.recent.some((r: { userAgent: string | null }) => r.userAgent === 'MicroMessenger test'));
    const lotStats = await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/scans`, headers: w.coop.headers });
    t.equal(lotStats.statusCode, 200);
    const ls = lotStats.json();
    t.equal(ls.codes, 11);
    t.equal(ls.voidedCodes, 1);
    t.equal(ls.scannedCodes, 11);
    t.equal(ls.topCodes[0].code, code(0));
    t.equal(ls.topCodes[0].scans, 100);
    expectProblem(t, await app.inject({ method: 'GET', url: `/v1/codes/${code(2)}/scans`, headers: w.stranger.headers }), 404);
    expectProblem(t, await app.inject({ method: 'GET', url: `/v1/lots/${w.product.id}/scans`, headers: w.stranger.headers }), 404);
  });

  await t.test('a recalled lot’s codes resolve as recalled', async (t) => {
    await w.c.call('POST', `/v1/lots/${w.dried.id}/status`, w.coop.headers, { status: 'recalled', reason: '重金属超标' }, 200);
    const v = await scan(code(2));
    answers.matches(t, 'GET /q/{code}', 200, v, 'a recalled answer');
    t.equal(v.verdict, 'recalled', 'recalled comes before suspicious');
    t.equal(v.product.status, 'recalled');
    const html = await app.inject({ method: 'GET', url: issued[2]!.url.slice(BASE.length) });
    t.match(html.body, /已召回/);
    t.match(html.body, /请勿食用或使用/);
  });
});

t.test('the old request-counting setting is refused, not silently ignored', async (t) => {
  t.throws(() => loadConfig({ SCAN_SUSPICIOUS_COUNT: '20' }), /SCAN_SUSPICIOUS_NETWORKS/);
  t.match(loadConfig({}), { scanSuspiciousNetworks: 20, scanSuspiciousPlaces: 3, scanSuspiciousDistanceKm: 500, scanWindowHours: 720 });
  t.throws(() => loadConfig({ SCAN_SUSPICIOUS_PLACES: '1' }), /SCAN_SUSPICIOUS_PLACES/);
});

t.test('the consumer page sets a device cookie once and counts the scan with it', async (t) => {
  const w = await codedChain(t);
  const [unit] = (await w.issue(w.coop.headers, w.product.id, { count: 1 })).json().codes as { code: string }[];
  const page = await w.app.inject({ method: 'GET', url: `/q/${unit!.code}` });
  const setCookie = String(page.headers['set-cookie']);
  t.match(setCookie, /^ht_device=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=34560000; HttpOnly; SameSite=Lax$/);
  const cookie = setCookie.split(';')[0]!;
  const again = await w.app.inject({ method: 'GET', url: `/q/${unit!.code}`, headers: { cookie: `other=1; ${cookie}` } });
  t.equal(again.headers['set-cookie'], undefined, 'kept, not set again');
  const json = await w.app.inject({ method: 'GET', url: `/q/${unit!.code}`, headers: { accept: 'application/json' } });
  t.equal(json.headers['set-cookie'], undefined, 'JSON clients get none');
  const malformed = await w.app.inject({ method: 'GET', url: `/q/${unit!.code}`, headers: { cookie: 'ht_device=not-ours' } });
  t.match(String(malformed.headers['set-cookie']), /^ht_device=[A-Za-z0-9_-]{22};/, 'a malformed cookie is replaced');
  // In the order the scans were made (a table's physical order is no order).
  const stored = await w.database.db.select().from(codeScans).where(eq(codeScans.code, unit!.code)).orderBy(asc(codeScans.scannedAt), asc(codeScans.id));
  const devices = stored.map((s) => s.device);
  t.equal(devices[0], devices[1], 'the first scan already carries the device it was given');
  t.equal(devices[2], null, 'no cookie, no device');
  t.not(devices[3], devices[0]);
});

t.test('concurrent scans are judged against each other and all stored', async (t) => {
  const w = await codedChain(t, { scanSuspiciousNetworks: 5, scanSuspiciousPlaces: 3, scanSuspiciousDistanceKm: 500 });
  const { app, database } = w;
  const [a, b, c] = (await w.issue(w.coop.headers, w.product.id, { count: 3 })).json().codes as { code: string }[];
  const get = (url: string, from: string) => app.inject({ method: 'GET', url, remoteAddress: from, headers: { accept: 'application/json', 'user-agent': 'concurrent test' } });

  // Sent together, these share the recorder's batches: a scan must still count the ones of its batch before it.
  const responses = await Promise.all([
    ...Array.from({ length: 12 }, (_, i) => get(`/q/${a!.code}`, `172.16.${i}.9`)),
    ...Array.from({ length: 12 }, (_, i) => get(`/q/${c!.code}`, `172.17.0.${i}`)),
    get('/q/NoSuchCode12345', '172.18.0.1'),
    get(`/q/${b!.code}${CHANGCHUN}`, '172.19.1.1'),
    get(`/q/${b!.code}${GUANGZHOU}`, '172.19.2.1'),
    get(`/q/${b!.code}${URUMQI}`, '172.19.3.1'),
  ]);
  type View = { scans: { count: number; networks: number }; verdict: string };
  const ofA = responses.slice(0, 12).map((r) => r.json() as View);
  t.ok(responses.slice(0, 24).every((r) => r.statusCode === 200));
  t.same(ofA.map((v) => v.scans.count).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'every scan has its own count');
  for (const v of ofA) {
    t.equal(v.scans.networks, v.scans.count, 'each from another network');
    t.equal(v.verdict, v.scans.count > 5 ? 'suspicious' : 'genuine', `scan ${v.scans.count}`);
  }
  const ofC = responses.slice(12, 24).map((r) => r.json() as View);
  t.ok(ofC.every((v) => v.verdict === 'genuine' && v.scans.networks === 1), 'a burst from one network counts once');

  t.equal(responses[24]!.statusCode, 404);
  t.equal(responses[24]!.json().verdict, 'unknown');

  const ofB = responses.slice(25).map((r) => r.json() as View);
  t.same(ofB.map((v) => v.scans.count).sort(), [1, 2, 3]);
  t.same(ofB.map((v) => v.verdict).sort(), ['genuine', 'genuine', 'suspicious'], 'three networks in three far places in one batch: the last is suspicious');

  const stored = await database.db.select().from(codeScans).where(eq(codeScans.lotId, w.product.id));
  t.equal(stored.filter((s) => s.code === a!.code).length, 12, 'every scan of A stored');
  t.equal(stored.filter((s) => s.code === a!.code && s.verdict === 'suspicious').length, 7);
  t.same(stored.filter((s) => s.code === b!.code).map((s) => s.verdict).sort(), ['genuine', 'genuine', 'suspicious']);
  t.equal(stored.length, 27, 'nothing stored for the unknown code');
});

t.test('the two scan statements judge as the one that always works out places', async (t) => {
  // recordScans sends a batch through the statement without places and the codes whose window has two located
  // networks through the full one; `full` sends everything through the full one. The same random scans, batch by
  // batch, of two sets of codes of one lot must be judged alike (every field but the code), ties in time included.
  const w = await codedChain(t, { scanSuspiciousNetworks: 4, scanSuspiciousPlaces: 3, scanSuspiciousDistanceKm: 500 });
  const K = 6;
  const issued = ((await w.issue(w.coop.headers, w.product.id, { count: 2 * K })).json().codes as { code: string }[]).map((c) => c.code);
  const [split, full] = [issued.slice(0, K), issued.slice(K)];
  const rules = { windowHours: 48, suspiciousNetworks: 4, suspiciousPlaces: 3, distanceKm: 500 };
  let seed = 20261202;
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = seed;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const places: [number | null, number | null, string | null][] = [
    ...Array.from({ length: 8 }, (): [null, null, null] => [null, null, null]),
    [43.82, 125.32, null], // 长春
    [43.9, 125.2, null], // 长春, another spot
    [23.13, 113.26, null], // 广州
    [43.83, 87.62, null], // 乌鲁木齐
    [null, null, '220621'],
    [39.9, 116.41, '110000'],
  ];
  const networks = ['10.9.1.0/24', '10.9.2.0/24', '10.9.3.0/24', '10.9.4.0/24', '10.9.5.0/24', '2001:db8:9::/48', null];
  const devices = [null, null, 'deviceA000000000000000', 'deviceB000000000000000'];
  let at = Date.parse('2026-01-01T00:00:00Z');
  let compared = 0;
  let withPlaces = 0;
  for (let b = 0; b < 60; b++) {
    const scans = Array.from({ length: 1 + Math.floor(random() * 8) }, () => {
      // Hours apart, now and then days (the 48-hour window moves on), and now and then in the same millisecond.
      at += random() < 0.3 ? 0 : Math.floor(random() * (random() < 0.1 ? 100 : 8) * 3_600_000) + 1;
      const [lat, lon, regionCode] = pick(places);
      return { k: Math.floor(random() * K), scannedAt: new Date(at), network: pick(networks), device: pick(devices), userAgent: 'differential', lat, lon, regionCode };
    });
    const unknown = random() < 0.1 ? 0 : -1;
    const of = (codes: string[]) => scans.map(({ k, ...s }, i) => ({ ...s, code: i === unknown ? 'NoSuchCode00000' : codes[k]! }));
    const a = await recordScans(w.database.db, of(split), rules);
    const c = await recordScans(w.database.db, of(full), rules, 'full');
    for (let i = 0; i < scans.length; i++) {
      compared++;
      if (a[i] && a[i]!.places >= 2) withPlaces++;
      t.same(a[i] && { ...a[i], code: undefined }, c[i] && { ...c[i], code: undefined }, `batch ${b}, scan ${i}`);
    }
  }
  t.ok(withPlaces > 10 && compared - withPlaces > 10, `${withPlaces} of ${compared} scans were judged with two places or more`);
  // Per code: the two statements store different codes' scans of one batch in turn, one code's in batch order.
  const stored = async (codes: string[]) => {
    const rows = await w.database.db.select({ code: codeScans.code, verdict: codeScans.verdict }).from(codeScans).where(inArray(codeScans.code, codes)).orderBy(codeScans.id);
    return codes.map((code) => rows.filter((r) => r.code === code).map((r) => r.verdict));
  };
  t.same(await stored(split), await stored(full), 'the same scans stored for each code, in the same order, with the same verdicts');
});
