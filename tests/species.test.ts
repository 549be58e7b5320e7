import t, { type Test } from 'tap';
import { setupApp } from './support/app.js';
import { errorPaths, expectProblem } from './support/http.js';

interface Species {
  code: string;
  nameZh: string;
  pinyin: string;
  nameEn: string;
  latinName: string;
  sourceSpecies: { latinName: string; nameZh: string; pharmacopoeia: boolean }[];
  kind: 'plant' | 'animal' | 'fungus';
  medicinalPart: { zh: string; en: string };
  catalogueVersion: number;
}

const { app, createOrganization } = await setupApp(t);

const getList = async (t: Test, query = '') => {
  const res = await app.inject({ method: 'GET', url: `/v1/species${query}` });
  t.equal(res.statusCode, 200, `GET /v1/species${query}: ${res.body.slice(0, 200)}`);
  return res.json() as { items: Species[]; nextCursor: string | null };
};

t.test('the catalogue is public and lists the Jilin herbs', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/species' });
  t.equal(res.statusCode, 200, 'no key needed');
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.equal(res.headers['cache-control'], 'public, max-age=300');
  const body = res.json() as { items: Species[]; nextCursor: string | null };
  t.ok(body.items.length >= 18, `at least 18 species (${body.items.length})`);
  t.equal(body.nextCursor, null, 'the whole catalogue is one page');
  const codes = body.items.map((s) => s.code);
  t.equal(new Set(codes).size, codes.length, 'codes are unique');
  t.strictSame(codes, [...codes].sort(), 'ordered by code');
  for (const code of ['renshen', 'xiyangshen', 'lurong', 'hamayou', 'wuweizi', 'lingzhi', 'tianma', 'xixin']) {
    t.ok(codes.includes(code), `includes ${code}`);
  }
  for (const s of body.items) {
    t.match(s.code, /^[a-z]+$/, `${s.code}: pinyin slug`);
    t.ok(['plant', 'animal', 'fungus'].includes(s.kind), `${s.code}: kind ${s.kind}`);
    t.ok(s.sourceSpecies.length >= 1, `${s.code}: has a source species`);
    t.ok(s.nameZh.length > 0 && s.latinName.length > 0, `${s.code}: names`);
  }

  const renshen = body.items.find((s) => s.code === 'renshen');
  t.ok(renshen?.sourceSpecies.some((src) => src.latinName.startsWith('Panax ginseng')), 'renshen comes from Panax ginseng');
  const lurong = body.items.find((s) => s.code === 'lurong');
  t.equal(lurong?.kind, 'animal');
  t.ok(lurong?.sourceSpecies.some((src) => src.latinName.startsWith('Cervus nippon')), 'lurong comes from Cervus nippon');

  const { headers } = await createOrganization();
  const withKey = await app.inject({ method: 'GET', url: '/v1/species', headers });
  t.equal(withKey.statusCode, 200, 'a key does no harm');
  t.strictSame(withKey.json(), body);
});

t.test('kind filter', async (t) => {
  const animals = await getList(t, '?kind=animal');
  t.strictSame(animals.items.map((s) => s.code), ['hamayou', 'lurong'], 'animals: lurong and hamayou only');
  t.equal(animals.nextCursor, null);
  const fungi = await getList(t, '?kind=fungus');
  t.strictSame(fungi.items.map((s) => s.code), ['lingzhi'], 'fungus: lingzhi only');
  const plants = await getList(t, '?kind=plant');
  const all = await getList(t);
  t.equal(plants.items.length, all.items.length - 3, 'everything else is a plant');
  t.ok(plants.items.every((s) => s.kind === 'plant'));
  t.notOk(plants.items.some((s) => ['lurong', 'hamayou', 'lingzhi'].includes(s.code)));

  const bad = await app.inject({ method: 'GET', url: '/v1/species?kind=mineral' });
  t.strictSame(errorPaths(expectProblem(t, bad, 400, '/problems/validation-error')), ['querystring/kind']);
  const unknownParam = await app.inject({ method: 'GET', url: '/v1/species?family=Araliaceae' });
  t.strictSame(errorPaths(expectProblem(t, unknownParam, 400, '/problems/validation-error')), ['querystring/family']);
});

t.test('GET /v1/species/renshen', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/species/renshen' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'public, max-age=300');
  t.strictSame(res.json(), {
    code: 'renshen',
    nameZh: '人参',
    pinyin: 'rénshēn',
    nameEn: 'Ginseng',
    latinName: 'Ginseng Radix et Rhizoma',
    sourceSpecies: [{ latinName: 'Panax ginseng C. A. Mey.', nameZh: '人参', pharmacopoeia: true }],
    kind: 'plant',
    medicinalPart: { zh: '干燥根和根茎', en: 'dried root and rhizome' },
    catalogueVersion: 1,
  });
  const fromList = (await getList(t)).items.find((s) => s.code === 'renshen');
  t.strictSame(res.json(), fromList, 'the same entry as in the list');

  const lurong = await app.inject({ method: 'GET', url: '/v1/species/lurong' });
  t.equal(lurong.statusCode, 200);
  t.strictSame(
    (lurong.json() as Species).sourceSpecies.map((s) => s.latinName),
    ['Cervus nippon Temminck', 'Cervus elaphus Linnaeus'],
  );
});

t.test('unknown species → 404 problem+json', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/species/yerenshen' });
  const problem = expectProblem(t, res, 404, '/problems/not-found');
  t.equal(problem.instance, '/v1/species/yerenshen');
  t.match(problem.detail, /yerenshen/);
  const upper = await app.inject({ method: 'GET', url: '/v1/species/RENSHEN' });
  expectProblem(t, upper, 404, '/problems/not-found');
});
