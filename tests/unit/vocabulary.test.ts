// The one vocabulary (src/web/lib/vocabulary.js) against the server: every rule the server can refuse a
// request for is explained in both languages, every problem slug too, the lists the API validates against
// have a term for each value (and no term for a value the API refuses), the attribute limits are the server's,
// and every operation and parameter the demo and the test chains record has a term.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { RULE_NAMES } from '../../src/lib/rules.js';
import { COUNT_UNITS, MASS_UNITS } from '../../src/lib/quantity.js';
import { STAGES, LOT_STATUSES } from '../../src/modules/lots/lots.schemas.js';
import { CULTIVATION_MODES, validateAttributes } from '../../src/modules/lots/lots.rules.js';
import { SITE_KINDS } from '../../src/modules/sites/sites.schemas.js';
import { ORGANIZATION_KINDS } from '../../src/modules/organizations/organizations.schemas.js';
import { CERTIFICATE_KINDS } from '../../src/modules/quality/quality.schemas.js';
import { SPECIES_KINDS } from '../../src/modules/species/species.schemas.js';
import { EVENT_TYPES } from '../../src/modules/epcis/epcis.vocabulary.js';
import * as v from '../../src/web/lib/vocabulary.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
function filesUnder(dir: string, ext = '.ts'): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}
const both = (term: unknown) =>
  !!term && typeof (term as v.Term)['zh-CN'] === 'string' && (term as v.Term)['zh-CN'].length > 0 && typeof (term as v.Term).en === 'string' && (term as v.Term).en.length > 0;
const keys = (o: object) => Object.keys(o).sort();

t.test('every rule the server can raise is explained in zh-CN and en, and no other', async (t) => {
  for (const rule of RULE_NAMES) t.ok(both(v.rules[rule]), `rule ${rule} is explained in both languages`);
  t.strictSame(keys(v.rules), [...RULE_NAMES].sort(), 'no explanation of a rule the server does not have');
  // RuleViolationError takes a RuleName, so the compiler already refuses another; this finds a rule name
  // passed in a way the type would not see (a cast, a variable typed string).
  const raised = new Set<string>();
  for (const file of filesUnder('src')) {
    const text = read(file);
    for (const m of text.matchAll(/new RuleViolationError\(\s*'([^']+)'/g)) raised.add(m[1]!);
    for (const m of text.matchAll(/\brule: '([a-z0-9-]+)'/g)) if (text.includes('RuleViolationError')) raised.add(m[1]!);
  }
  t.ok(raised.size > 30, `${raised.size} rule names found in src`);
  for (const rule of raised) t.ok((RULE_NAMES as readonly string[]).includes(rule), `${rule} is in src/lib/rules.ts`);
});

t.test('every problem slug the server sends is explained in zh-CN and en', async (t) => {
  const slugs = new Set<string>();
  for (const file of filesUnder('src')) for (const m of read(file).matchAll(/\bslug(?: =|:) '([a-z0-9-]+)'/g)) slugs.add(m[1]!);
  for (const slug of ['validation-error', 'conflict', 'forbidden', 'not-found', 'unauthorized', 'too-many-requests']) t.ok(slugs.has(slug), `${slug} found in src`);
  for (const slug of slugs) t.ok(both(v.problems[slug]), `problem ${slug} is explained in both languages`);
});

t.test('the lists the API validates against, term for term', async (t) => {
  t.strictSame(keys(v.stages), [...STAGES].sort(), 'stages');
  t.strictSame(keys(v.lotStatuses), [...LOT_STATUSES].sort(), 'lot statuses');
  t.strictSame(keys(v.cultivationModes), [...CULTIVATION_MODES].sort(), 'cultivation modes (the only ones accepted)');
  t.strictSame(keys(v.siteKinds), [...SITE_KINDS].sort(), 'site kinds');
  t.strictSame(keys(v.organizationKinds), [...ORGANIZATION_KINDS].sort(), 'organisation kinds');
  t.strictSame(keys(v.certificateKinds), [...CERTIFICATE_KINDS].sort(), 'certificate kinds');
  t.strictSame(keys(v.speciesKinds), [...SPECIES_KINDS].sort(), 'species kinds');
  t.strictSame(keys(v.units), [...Object.keys(MASS_UNITS), ...COUNT_UNITS].sort(), 'quantity units');
  for (const [unit, grams] of Object.entries(MASS_UNITS)) t.equal(v.units[unit]!.grams, Number(grams), `${unit} in grams`);
  t.strictSame(keys(v.attributes), [...STAGES].sort(), 'attributes of every stage');
  t.strictSame(keys(v.eventTypes), Object.keys(EVENT_TYPES).sort(), 'event types (as the timeline names them)');
  for (const [name, group] of Object.entries(v.groups)) {
    for (const [key, term] of Object.entries(group)) t.ok(both(term), `${name}.${key} has both languages`);
  }
  for (const op of Object.values(v.operations)) {
    t.ok(both(op.done), `${op['zh-CN']}: how a done step reads`);
    for (const stage of op.stages) t.ok(stage in v.stages, `${op['zh-CN']}: stage ${stage}`);
    for (const p of op.params) t.ok(p in v.params, `${op['zh-CN']}: parameter ${p}`);
  }
  for (const [key, method] of Object.entries(v.methods)) for (const op of method.ops) t.ok(op in v.operations, `method ${key}: operation ${op}`);
});

t.test('attribute limits are the server’s (lots.rules.ts)', async (t) => {
  const accepts = (stage: v.StageKey, key: string, value: unknown) => {
    try {
      validateAttributes(stage, { [key]: value }, 'attributes');
      return true;
    } catch {
      return false;
    }
  };
  let checked = 0;
  for (const [stage, fields] of Object.entries(v.attributes) as [v.StageKey, Record<string, v.FieldSpec>][]) {
    for (const [key, field] of Object.entries(fields)) {
      if (field.min !== undefined) {
        t.ok(accepts(stage, key, field.min), `${stage}.${key}: ${field.min} accepted`);
        t.notOk(accepts(stage, key, field.min - 1), `${stage}.${key}: ${field.min - 1} refused`);
        checked++;
      }
      if (field.max !== undefined) {
        t.ok(accepts(stage, key, field.max), `${stage}.${key}: ${field.max} accepted`);
        t.notOk(accepts(stage, key, field.max + 1), `${stage}.${key}: ${field.max + 1} refused`);
      }
      if (field.type === 'integer') t.notOk(accepts(stage, key, (field.min ?? 0) + 0.5), `${stage}.${key}: whole numbers only`);
      if (field.type === 'text') {
        t.ok(accepts(stage, key, 'x'.repeat(v.ATTRIBUTE_TEXT_MAX)), `${stage}.${key}: ${v.ATTRIBUTE_TEXT_MAX} characters accepted`);
        t.notOk(accepts(stage, key, 'x'.repeat(v.ATTRIBUTE_TEXT_MAX + 1)), `${stage}.${key}: one more refused`);
      }
      if (field.choicesOf) {
        for (const choice of Object.keys(v.groups[field.choicesOf]!)) t.ok(accepts(stage, key, choice), `${stage}.${key}: ${choice} accepted`);
        t.notOk(accepts(stage, key, '其他模式'), `${stage}.${key}: another value refused`);
      }
    }
  }
  t.ok(checked >= 4, 'the numeric limits were checked');
});

t.test('every operation and parameter the demo and the test chains record has a term', async (t) => {
  const files = ['scripts/demo.ts', 'bench/generate-chain.ts', 'tests/worked-chain.test.ts', 'tests/provenance.test.ts', ...filesUnder('tests/support')];
  const ops = new Set<string>();
  const paramKeys = new Set<string>();
  for (const file of files) {
    const text = read(file);
    for (const m of text.matchAll(/\bop"?:\s*["']([^"']+)["']/g)) ops.add(m[1]!);
    for (const m of text.matchAll(/\bparams"?:\s*\{([^}]*)\}/g)) for (const k of m[1]!.matchAll(/"?([A-Za-z]\w*)"?\s*:/g)) paramKeys.add(k[1]!);
  }
  t.ok(ops.has('干燥') && ops.has('切'), `${ops.size} operations found`);
  for (const op of ops) t.ok(op in v.operations, `operation ${op}`);
  for (const key of paramKeys) t.ok(key in v.params, `parameter ${key}`);
  const demo = read('scripts/demo.ts');
  for (const m of demo.matchAll(/params: \{[^}]*method: '([^']+)'/g)) t.ok(m[1]! in v.methods, `method ${m[1]}`);
});

t.test('formatStep', async (t) => {
  const dried = { op: '干燥', params: { method: '烘干', temperatureC: 45, hours: 72 } };
  t.equal(v.formatStep(dried, 'zh-CN'), '烘干 45 °C · 72 小时');
  t.equal(v.formatStep(dried, 'en'), 'Oven-dried 45 °C · 72 h');
  // PostgreSQL's jsonb hands keys back in its own order: the vocabulary's order decides.
  t.equal(v.formatStep({ op: '干燥', params: { hours: 72, method: '烘干', temperatureC: 45 } }, 'zh-CN'), '烘干 45 °C · 72 小时');
  t.equal(v.formatStep({ op: '切', params: { thicknessMm: '1-2' } }, 'zh-CN'), '切 1–2 mm');
  t.equal(v.formatStep({ op: '切', params: { thicknessMm: 2 } }, 'en'), 'Sliced 2 mm');
  t.equal(v.formatStep({ op: '润', params: { hours: 12 } }, 'en'), 'Softened 12 h');
  t.equal(v.formatStep({ op: '烫', params: { rounds: 4 } }, 'zh-CN'), '烫 4 次');
  t.equal(v.formatStep({ op: '烫', params: { rounds: 1 } }, 'en'), 'Scalded 1 round');
  t.equal(v.formatStep({ op: '洗', params: { method: '刷洗' } }, 'en'), 'Brush-washed');
  t.equal(v.formatStep({ op: '炙', params: { method: '蜜炙', adjuvant: '蜂蜜' } }, 'en'), 'Honey-fried Adjuvant honey');
  t.equal(v.formatStep({ op: '洗' }, 'zh-CN'), '洗');
  t.equal(v.formatStep({ op: '发酵', params: { ratio: '1:3', note: { a: 1 } } }, 'en'), '发酵 ratio 1:3 · note {"a":1}', 'unknown operation and parameters as they are');
  t.equal(v.formatStep({ op: '干燥', params: { method: '微波' } }, 'en'), 'Dried Method 微波', 'an unknown method');
  t.equal(v.formatStep(null, 'en'), '', 'never throws');
  t.equal(v.formatStep({ op: '干燥', params: [1, 2] as unknown }, 'en'), 'Dried');
});

t.test('label, speciesName, pickLang, explainProblem', async (t) => {
  t.equal(v.label('stages', 'decoction_piece', 'zh-CN'), '饮片炮制');
  t.equal(v.label('stages', 'decoction_piece', 'en'), 'Decoction pieces');
  t.equal(v.label('stages', 'unknown_stage', 'en'), 'unknown_stage', 'falls back to the key');
  t.equal(v.label('no-such-group', 'x', 'en'), 'x');
  t.equal(v.label('stages', '__proto__', 'en'), '__proto__', 'not a prototype lookup');
  t.equal(v.label('stages', undefined, 'en'), '');
  const ginseng = { nameZh: '人参', nameEn: 'Ginseng', latinName: 'Panax ginseng' };
  t.equal(v.speciesName(ginseng, 'zh-CN'), '人参');
  t.equal(v.speciesName(ginseng, 'en'), 'Ginseng (Panax ginseng)');
  t.equal(v.speciesName({ nameZh: '人参' }, 'en'), '人参');
  t.equal(
    v.speciesName({ nameZh: '人参', nameEn: 'Ginseng', latinName: 'Ginseng Radix et Rhizoma', sourceSpecies: [{ latinName: 'Panax ginseng C. A. Mey.' }] }, 'en'),
    'Ginseng (Panax ginseng)',
    'a catalogue entry: its source species, not the drug name',
  );
  t.equal(v.scientificName('Asarum heterotropoides Fr. Schmidt var. mandshuricum (Maxim.) Kitag.'), 'Asarum heterotropoides var. mandshuricum');
  t.equal(v.scientificName('Cervus nippon Temminck'), 'Cervus nippon');
  t.equal(v.scientificName('Rhodiola'), 'Rhodiola');
  t.equal(v.scientificName(undefined), '');
  t.equal(v.speciesName(null, 'en'), '');
  t.equal(v.pickLang('en-US'), 'en');
  t.equal(v.pickLang('EN'), 'en');
  t.equal(v.pickLang('zh-TW'), 'zh-CN');
  t.equal(v.pickLang(undefined), 'zh-CN');
  t.equal(v.explainProblem({ type: '/problems/rule/insufficient-quantity', status: 422, rule: 'insufficient-quantity', detail: 'Lot x has 1 kg' }, 'zh-CN'), v.rules['insufficient-quantity']!['zh-CN']);
  t.match(v.explainProblem({ type: '/problems/rule/insufficient-quantity' }, 'zh-CN'), /剩余数量不够/, 'the rule from the type alone');
  t.equal(v.explainProblem({ type: '/problems/not-found', status: 404 }, 'en'), v.problems['not-found']!.en);
  t.equal(v.explainProblem({ type: '/problems/rule/some-new-rule', status: 422, detail: 'Because.' }, 'en'), 'Because.', 'an unknown rule: its detail');
  t.equal(v.explainProblem({ type: '/problems/rule/some-new-rule', status: 422 }, 'zh-CN'), v.problems['rule-violated']!['zh-CN']);
  t.equal(v.explainProblem('not a problem', 'en'), v.problems.unknown!.en);
});

t.test('vocabulary.d.ts declares every export of vocabulary.js', async (t) => {
  const declared = new Set([...read('src/web/lib/vocabulary.d.ts').matchAll(/export (?:const|function) (\w+)/g)].map((m) => m[1]!));
  for (const name of Object.keys(v)) t.ok(declared.has(name), `${name} is declared`);
  const source = read('src/web/lib/vocabulary.js');
  t.notMatch(source, /^\s*import\b/m, 'no imports: the browser loads it as it is');
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  t.notMatch(code, /\b(window|document|process|require|navigator|globalThis|Buffer)\b\s*[.(]/, 'no Node or DOM APIs');
});
