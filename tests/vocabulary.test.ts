// GET /v1/vocabulary through the HTTP API: the static vocabulary and the database's reference data, public
// and cacheable (ETag, 304), held to its OpenAPI schema.
import t from 'tap';
import { setupApp } from './support/app.js';
import { answerSchemas } from './support/openapi.js';
import { rules, stages } from '../src/web/lib/vocabulary.js';

t.test('the vocabulary: terms, species and analytes; revalidated by its ETag', async (t) => {
  const { app } = await setupApp(t);
  const answers = await answerSchemas(app);
  const res = await app.inject({ method: 'GET', url: '/v1/vocabulary' });
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.match(res.headers['cache-control'], /^public, max-age=\d+/);
  const etag = res.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
  const v = answers.check(t, 'GET /v1/vocabulary', res);
  t.equal(`"${v.version}"`, etag, 'the version is the ETag');
  t.strictSame(v.stages, stages, 'the static terms, as vocabulary.js has them');
  t.strictSame(Object.keys(v.rules).sort(), Object.keys(rules).sort(), 'every rule explanation');
  t.match(v.operations['干燥'], { 'zh-CN': '干燥', en: 'Drying', stages: ['processed', 'decoction_piece'] });
  t.match(v.params.temperatureC, { type: 'number', unit: { 'zh-CN': '°C', en: '°C' } });
  t.match(v.attributes.harvest.rootAgeYears, { type: 'integer', min: 1, max: 100 });
  t.match(
    v.species.find((s: { code: string }) => s.code === 'renshen'),
    { nameZh: '人参', nameEn: 'Ginseng', latinName: 'Ginseng Radix et Rhizoma', scientificName: 'Panax ginseng', kind: 'plant', medicinalPart: { 'zh-CN': String, en: String } },
  );
  t.match(v.analytes.find((a: { code: string }) => a.code === 'pb'), { 'zh-CN': String, en: String, category: 'heavy_metal', units: ['mg/kg'] });
  answers.refuses(t, 'GET /v1/vocabulary', 200, { ...v, species: [{ code: 'x' }] }, 'a species without its names');

  const again = await app.inject({ method: 'GET', url: '/v1/vocabulary', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304, 'unchanged: 304');
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  const weak = await app.inject({ method: 'GET', url: '/v1/vocabulary', headers: { 'if-none-match': `"other", W/${etag}` } });
  t.equal(weak.statusCode, 304, 'a list with the (weak) ETag in it: 304');
  const stale = await app.inject({ method: 'GET', url: '/v1/vocabulary', headers: { 'if-none-match': '"something-else"' } });
  t.equal(stale.statusCode, 200, 'another ETag: the document');
  t.equal(stale.body, res.body);
  const refused = await app.inject({ method: 'GET', url: '/v1/vocabulary?lang=en&x=1' });
  t.equal(refused.statusCode, 200, 'a query string changes nothing (the document has both languages)');
});
