// The recording screens. Each builds the request the API documents, checks it as the server would
// (limits.js), and hands it to the outbox (state.write): sent at once when online, kept on the phone when
// not. A refusal is shown with its explanation; the corrected form replaces the refused write in the outbox.
import { useEffect, useState } from 'preact/hooks';
import { useLot, useMyLots, useMySites, useReference } from '../data.js';
import { explain } from '../explain.js';
import { LIMITS } from '../limits.js';
import { ATTRIBUTE_TEXT_MAX, attributes as ATTRIBUTES, groups, label, operations, params as PARAMS, methods, adjuvants, PARAM_ORDER, speciesName } from '../../lib/vocabulary.js';
import { placeholder } from '../outbox.js';
import { useRestored, useSave } from '../save.js';
import { lang, t } from '../state.js';
import { check, Field, formatQuantity, Header, html, lotNumberRules, nowLocal, Outcome, quantityOf, quantityRules, QuantityField, useForm, withOffset } from '../ui.js';

const lotHref = (id) => `#/lot/${encodeURIComponent(id)}`;

function SaveButton({ busy }) {
  return html`<button class="primary" type="submit" disabled=${busy} data-testid="save">${busy ? t('syncing') : t('submit')}</button>`;
}

/** Fields of a stage's attributes, from the vocabulary (labels, types, limits, closed and open lists). */
function AttributeFields({ form, stage, only }) {
  const specs = ATTRIBUTES[stage] || {};
  return Object.entries(specs)
    .filter(([key]) => !only || only.includes(key))
    .map(([key, spec]) => {
      const name = `attr_${key}`;
      const text = `${spec[lang()] || spec['zh-CN']}${spec.unit ? ` (${spec.unit[lang()]})` : ''}`;
      if (spec.choicesOf) {
        return html`<${Field} form=${form} name=${name} text=${text} options=${[['', '—'], ...Object.keys(groups[spec.choicesOf] || {}).map((k) => [k, label(spec.choicesOf, k, lang())])]} />`;
      }
      const kind = spec.type === 'integer' ? 'integer' : spec.type === 'number' ? 'decimal' : spec.type === 'date' ? 'date' : 'text';
      const suggestions = spec.suggestionsOf ? Object.keys(groups[spec.suggestionsOf] || {}) : spec.examples;
      return html`<${Field} form=${form} name=${name} text=${text} kind=${kind} hint=${spec.type === 'list' ? t('listHint') : undefined} suggestions=${suggestions} />`;
    });
}

function attributeRules(stage, only) {
  const out = {};
  for (const [key, spec] of Object.entries(ATTRIBUTES[stage] || {})) {
    if (only && !only.includes(key)) continue;
    const rules = { maxLength: spec.maxLength ?? ATTRIBUTE_TEXT_MAX };
    if (spec.type === 'date') rules.pattern = /^\d{4}-\d{2}-\d{2}$/;
    if (spec.type === 'integer' || spec.type === 'number') {
      rules.number = { min: spec.min ?? spec.exclusiveMin, max: spec.max, integer: spec.type === 'integer', decimals: spec.maxDecimals };
      if (spec.exclusiveMin !== undefined) rules.number.positive = spec.exclusiveMin === 0;
    }
    out[`attr_${key}`] = rules;
  }
  return out;
}

function attributeValues(values, stage) {
  const out = {};
  for (const [key, spec] of Object.entries(ATTRIBUTES[stage] || {})) {
    const raw = values[`attr_${key}`];
    if (raw === undefined || String(raw).trim() === '') continue;
    const text = String(raw).trim();
    if (spec.type === 'integer' || spec.type === 'number') out[key] = Number(text);
    else if (spec.type === 'list') out[key] = text.split(/[,，、\s]+/).filter(Boolean);
    else out[key] = text;
  }
  return out;
}

/** Sites of mine to choose from (including those registered offline and not sent yet). */
function SitePicker({ form, name = 'siteId', kinds }) {
  const sites = useMySites();
  const items = sites.items.filter((s) => !kinds || kinds.includes(s.kind));
  return html`<${Field} form=${form} name=${name} text=${t('site')} options=${[['', '—'], ...items.map((s) => [s.id, `${s.name}${s.pending ? t('pendingLot') : ''}`])]} />`;
}

function DateField({ form, name = 'occurredAt', text }) {
  return html`<${Field} form=${form} name=${name} text=${text || t('date')} kind="datetime" />`;
}

export function NewSite({ fix }) {
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { kind: 'cultivation_base', name: '', regionCode: '', lat: '', lon: '', areaMu: '' });
  const { outcome, busy, save } = useSave(fix);
  const [gpsProblem, setGpsProblem] = useState(null);
  const locate = () => {
    if (!navigator.geolocation) return setGpsProblem(t('gpsFailed'));
    navigator.geolocation.getCurrentPosition(
      (p) => form.setValues((v) => ({ ...v, lat: p.coords.latitude.toFixed(6), lon: p.coords.longitude.toFixed(6) })),
      () => setGpsProblem(t('gpsFailed')),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  };
  const submit = async (event) => {
    event.preventDefault();
    const v = form.values;
    const rules = { name: { required: true, maxLength: LIMITS.site.nameMaxLength }, regionCode: { required: true, pattern: LIMITS.site.regionCode }, areaMu: { number: { positive: true, max: LIMITS.site.areaMuMax, decimals: LIMITS.site.areaMuDecimals } } };
    if (v.lat || v.lon) Object.assign(rules, { lat: { required: true, number: { min: -90, max: 90 } }, lon: { required: true, number: { min: -180, max: 180 } } });
    if (!form.validate(rules)) return;
    const body = { kind: v.kind, name: v.name.trim(), regionCode: v.regionCode.trim() };
    if (v.lat && v.lon) body.location = { lat: Number(v.lat), lon: Number(v.lon) };
    if (v.areaMu) body.areaMu = Number(v.areaMu);
    await save(
      { path: '/v1/sites', body, summary: { kind: 'site', text: `${t('newSite')} ${body.name}`, creates: [{ type: 'site', name: body.name, kind: body.kind, answerPath: 'id' }] } },
      { onSaved: () => (location.hash = '#/'), state: { values: form.values } },
    );
  };
  return html`<${Header} title=${t('newSite')} back="#/" />
    <main><form onSubmit=${submit} novalidate>
      <${Field} form=${form} name="kind" text=${t('siteKind')} options=${LIMITS.site.kinds.map((k) => [k, label('siteKinds', k, lang())])} />
      <${Field} form=${form} name="name" text=${t('siteName')} />
      <${Field} form=${form} name="regionCode" text=${t('regionCode')} kind="integer" />
      <button class="secondary" type="button" onClick=${locate}>${t('useGps')}</button>
      ${gpsProblem ? html`<p class="field-error">${gpsProblem}</p>` : null}
      <div class="inline" style="grid-template-columns:1fr 1fr">
        <${Field} form=${form} name="lat" text=${t('lat')} kind="decimal" />
        <${Field} form=${form} name="lon" text=${t('lon')} kind="decimal" />
      </div>
      <${Field} form=${form} name="areaMu" text=${t('areaMu')} kind="decimal" />
      <${Outcome} outcome=${outcome} explain=${explain} />
      <${SaveButton} busy=${busy} />
    </form></main>`;
}

export function CommissionSeed({ fix }) {
  const reference = useReference();
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { speciesCode: 'renshen', lotNumber: '', siteId: '', quantity: '', unit: 'kg', producedAt: nowLocal(), attr_variety: '', attr_germplasmOrigin: '', attr_germinationRatePct: '' });
  const { outcome, busy, save } = useSave(fix);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ speciesCode: { required: true }, lotNumber: lotNumberRules, siteId: { required: true }, quantity: quantityRules, producedAt: { required: true }, ...attributeRules('seed') })) return;
    const v = form.values;
    const body = { stage: 'seed', speciesCode: v.speciesCode, lotNumber: v.lotNumber.trim(), siteId: v.siteId, quantity: quantityOf(v.quantity, v.unit), producedAt: withOffset(v.producedAt) };
    const attrs = attributeValues(v, 'seed');
    if (Object.keys(attrs).length) body.attributes = attrs;
    await save(
      { path: '/v1/lots', body, summary: { kind: 'commission', text: `${t('newSeed')} ${body.lotNumber}`, creates: [{ type: 'lot', lotNumber: body.lotNumber, stage: 'seed', speciesCode: body.speciesCode, quantity: body.quantity, remaining: body.quantity, status: 'active', answerPath: 'id' }] } },
      { onSaved: (r) => (location.hash = lotHref(r.answer ? r.answer.id : placeholder(r.entry.id, 'id'))), state: { values: form.values } },
    );
  };
  const speciesOptions = reference.species.length ? reference.species.map((s) => [s.code, speciesName(s, lang())]) : [['renshen', 'renshen']];
  return html`<${Header} title=${t('newSeed')} back="#/" />
    <main><form onSubmit=${submit} novalidate>
      <${Field} form=${form} name="speciesCode" text=${t('species')} options=${speciesOptions} />
      <${Field} form=${form} name="lotNumber" text=${t('lotNumber')} hint=${t('lotNumberHint')} />
      <${SitePicker} form=${form} />
      <${QuantityField} form=${form} name="quantity" unitName="unit" text=${t('quantity')} />
      <${DateField} form=${form} name="producedAt" text=${t('producedAt')} />
      <${AttributeFields} form=${form} stage="seed" only=${['variety', 'germplasmOrigin', 'germinationRatePct']} />
      <${Outcome} outcome=${outcome} explain=${explain} />
      <${SaveButton} busy=${busy} />
    </form></main>`;
}

function StepsEditor({ steps, setSteps, stage }) {
  const ops = Object.keys(operations).filter((op) => !stage || operations[op].stages.includes(stage));
  const update = (i, patch) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return html`<fieldset class="card" style="border:1px solid var(--line)">
    <legend>${t('steps')}</legend>
    ${steps.map((step, i) => {
      const spec = operations[step.op];
      const names = spec ? PARAM_ORDER.filter((p) => spec.params.includes(p)) : [];
      return html`<div class="step" data-testid="step">
        <label for=${`op${i}`}>${t('operation')} ${i + 1}</label>
        <select id=${`op${i}`} value=${step.op} onChange=${(e) => update(i, { op: e.currentTarget.value, params: {} })}>
          ${ops.map((op) => html`<option value=${op}>${label('operations', op, lang())}</option>`)}
        </select>
        ${names.map((p) => {
          const ps = PARAMS[p];
          const id = `p${i}-${p}`;
          const value = step.params[p] ?? '';
          const set = (e) => update(i, { params: { ...step.params, [p]: e.currentTarget.value } });
          const text = `${ps[lang()]}${ps.unit ? ` (${ps.unit[lang()]})` : ''}`;
          if (ps.type === 'choice') {
            const group = ps.choicesOf === 'methods' ? Object.fromEntries(Object.entries(methods).filter(([, m]) => !m.ops || m.ops.includes(step.op))) : adjuvants;
            return html`<label for=${id}>${text}</label><select id=${id} value=${value} onChange=${set}><option value="">—</option>${Object.keys(group).map((k) => html`<option value=${k}>${label(ps.choicesOf, k, lang())}</option>`)}</select>`;
          }
          return html`<label for=${id}>${text}</label><input id=${id} type="text" inputmode=${ps.type === 'range' ? 'text' : 'decimal'} value=${value} onInput=${set} />`;
        })}
        <button class="danger" type="button" onClick=${() => setSteps(steps.filter((_, j) => j !== i))}>${t('removeStep')}</button>
      </div>`;
    })}
    ${steps.length < LIMITS.step.maxSteps ? html`<button class="secondary" type="button" onClick=${() => setSteps([...steps, { op: ops[0], params: {} }])}>${t('addStep')}</button>` : null}
  </fieldset>`;
}

function stepsBody(steps) {
  return steps.map((s) => {
    const p = {};
    for (const [k, v] of Object.entries(s.params)) {
      const text = String(v).trim();
      if (!text) continue;
      const type = PARAMS[k] ? PARAMS[k].type : 'text';
      p[k] = (type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    }
    return Object.keys(p).length ? { op: s.op, params: p } : { op: s.op };
  });
}

/**
 * One form for every transformation of one or more of my lots into one or more new lots: planting,
 * harvest, processing and 炮制, split, merge. `kind` picks the fields.
 */
function TransformationForm({ kind, inputIds, title, fix }) {
  const restored = useRestored(fix);
  const mine = useMyLots();
  const reference = useReference();
  const multipleInputs = kind === 'merge';
  const multipleOutputs = kind === 'split';
  const form = useForm((restored && restored.values) || { occurredAt: nowLocal(), siteId: '', outputStage: '', lotNumber: '', quantity: '', unit: kind === 'plant' ? 'plant' : 'kg' });
  const [inputs, setInputs] = useState((restored && restored.inputs) || inputIds.map((id) => ({ lotId: id, quantity: '', unit: '' })));
  const [outputs, setOutputs] = useState((restored && restored.outputs) || (multipleOutputs ? [{ lotNumber: '', quantity: '' }, { lotNumber: '', quantity: '' }] : []));
  const [steps, setSteps] = useState((restored && restored.steps) || (kind === 'process' ? [{ op: '洗', params: {} }] : []));
  const [inputErrors, setInputErrors] = useState({});
  const { outcome, busy, save } = useSave(fix);
  // The first input decides the species and which stages may come next (the merge form picks it).
  const first = useLot(inputs[0].lotId || null);
  const input = first.data;
  // Prefill what is used with what remains of the input.
  useEffect(() => {
    if (!input || multipleInputs) return;
    setInputs((list) => list.map((x, i) => (i === 0 && !x.quantity && input.remaining ? { ...x, quantity: String(input.remaining.value), unit: input.remaining.unit } : x)));
  }, [input && input.id]);
  const fixedStage = kind === 'plant' ? 'cultivation' : kind === 'harvest' ? 'harvest' : kind === 'split' || kind === 'merge' ? (input ? input.stage : null) : null;
  const nextStages = input ? (reference.nextStages[input.stage] || []).filter((s) => s !== input.stage || input.stage === 'processed' || input.stage === 'decoction_piece') : [];
  const stage = fixedStage || form.values.outputStage || nextStages[0] || null;
  // The stage list shows what the form will send: its first choice once the input and the rule are known.
  useEffect(() => {
    if (kind === 'process' && !form.values.outputStage && nextStages[0]) form.setValues((v) => ({ ...v, outputStage: nextStages[0] }));
  }, [nextStages.join()]);
  // A plant's harvest has a root age, an animal's an antler grade and a deer: only the fields of the herb's kind.
  const herb = input && reference.speciesByCode.get(input.speciesCode);
  const kindFields = { plant: ['rootAgeYears'], fungus: [], animal: ['antlerGrade', 'deerId'] };
  const harvestOnly = herb && kindFields[herb.kind] ? kindFields[herb.kind] : undefined;
  const attrOnly = kind === 'plant' ? ['plot', 'beds', 'mode', 'households', 'transplantedAt'] : stage === 'harvest' ? harvestOnly : undefined;
  const lotsById = new Map(mine.items.map((l) => [l.id, l]));

  const submit = async (event) => {
    event.preventDefault();
    const v = form.values;
    const rules = { occurredAt: { required: true }, ...attributeRules(stage, attrOnly) };
    if (!multipleOutputs) Object.assign(rules, { lotNumber: lotNumberRules, quantity: quantityRules });
    let ok = form.validate(rules);
    const ie = {};
    inputs.forEach((x, i) => {
      const m = x.lotId ? check(x.quantity, quantityRules) : t('required');
      if (m) ie[`in${i}`] = m;
    });
    outputs.forEach((o, i) => {
      const a = check(o.lotNumber, lotNumberRules);
      const b = check(o.quantity, quantityRules);
      if (a) ie[`outn${i}`] = a;
      if (b) ie[`outq${i}`] = b;
    });
    setInputErrors(ie);
    if (Object.keys(ie).length) ok = false;
    if (!ok) return;
    const unitOf = (x) => x.unit || (lotsById.get(x.lotId) && lotsById.get(x.lotId).remaining ? lotsById.get(x.lotId).remaining.unit : 'kg');
    const attrs = attributeValues(v, stage);
    const outs = multipleOutputs
      ? outputs.map((o) => ({ stage, lotNumber: o.lotNumber.trim(), quantity: quantityOf(o.quantity, unitOf(inputs[0])) }))
      : [{ stage, lotNumber: v.lotNumber.trim(), quantity: quantityOf(v.quantity, v.unit), ...(Object.keys(attrs).length ? { attributes: attrs } : {}) }];
    const body = { occurredAt: withOffset(v.occurredAt), inputs: inputs.map((x) => ({ lotId: x.lotId, quantity: quantityOf(x.quantity, unitOf(x)) })), outputs: outs };
    if (v.siteId) body.siteId = v.siteId;
    if (steps.length) body.process = { steps: stepsBody(steps) };
    const speciesCode = input ? input.speciesCode : undefined;
    await save(
      {
        path: '/v1/transformations',
        body,
        summary: {
          kind,
          text: `${title} ${outs.map((o) => o.lotNumber).join('、')}`,
          lotId: inputs[0].lotId,
          creates: outs.map((o, i) => ({ type: 'lot', lotNumber: o.lotNumber, stage: o.stage, speciesCode, quantity: o.quantity, remaining: o.quantity, status: 'active', attributes: o.attributes, answerPath: `outputs/${i}/id` })),
        },
      },
      {
        onSaved: (r) => {
          if (r.answer) location.hash = lotHref(r.answer.outputs[0].id);
          else location.hash = lotHref(placeholder(r.entry.id, 'outputs/0/id'));
        },
        state: { values: form.values, inputs, outputs, steps },
      },
    );
  };

  const candidates = mine.items.filter((l) => l.status === 'active' && !l.inTransit && (!input || l.stage === input.stage));
  return html`<${Header} title=${title} back=${inputIds[0] ? lotHref(inputIds[0]) : '#/'} />
    <main><form onSubmit=${submit} novalidate>
      ${inputIds[0] || input ? html`<${LotLine} lot=${input} loading=${first.loading} testId="input-lot" detail=${input ? `${label('stages', input.stage, lang())} · ${t('available', formatQuantity(input.remaining))}${input.pending ? t('pendingLot') : ''}` : null} />` : null}
      <${DateField} form=${form} />
      <fieldset class="card" style="border:1px solid var(--line)">
        <legend>${t('inputs')}</legend>
        ${inputs.map(
          (x, i) => html`<div>
            ${multipleInputs
              ? html`<label for=${`inl${i}`}>${t('inputLot')} ${i + 1}</label>
                  <select id=${`inl${i}`} value=${x.lotId} onChange=${(e) => setInputs(inputs.map((y, j) => (j === i ? { ...y, lotId: e.currentTarget.value } : y)))}>
                    <option value="">—</option>
                    ${candidates.map((l) => html`<option value=${l.id}>${l.lotNumber} · ${formatQuantity(l.remaining)}${l.pending ? t('pendingLot') : ''}</option>`)}
                  </select>`
              : null}
            <label for=${`inq${i}`}>${t('inputQuantity')}${x.unit ? ` (${label('units', x.unit, lang())})` : ''}</label>
            <input id=${`inq${i}`} type="text" inputmode="decimal" value=${x.quantity} aria-invalid=${inputErrors[`in${i}`] ? 'true' : 'false'} onInput=${(e) => setInputs(inputs.map((y, j) => (j === i ? { ...y, quantity: e.currentTarget.value } : y)))} />
            ${inputErrors[`in${i}`] ? html`<p class="field-error">${inputErrors[`in${i}`]}</p>` : null}
          </div>`,
        )}
        ${multipleInputs ? html`<button class="secondary" type="button" onClick=${() => setInputs([...inputs, { lotId: '', quantity: '', unit: '' }])}>${t('addInput')}</button>` : null}
      </fieldset>
      ${kind === 'process' && input
        ? html`<${Field} form=${form} name="outputStage" text=${t('stage')} options=${nextStages.map((s) => [s, label('stages', s, lang())])} />`
        : null}
      ${multipleOutputs
        ? html`<fieldset class="card" style="border:1px solid var(--line)"><legend>${t('outputs')}</legend>
            ${outputs.map(
              (o, i) => html`<div class="step">
                <label for=${`on${i}`}>${t('lotNumber')} ${i + 1}</label>
                <input id=${`on${i}`} type="text" value=${o.lotNumber} onInput=${(e) => setOutputs(outputs.map((y, j) => (j === i ? { ...y, lotNumber: e.currentTarget.value } : y)))} />
                ${inputErrors[`outn${i}`] ? html`<p class="field-error">${inputErrors[`outn${i}`]}</p>` : null}
                <label for=${`oq${i}`}>${t('outputQuantity')}</label>
                <input id=${`oq${i}`} type="text" inputmode="decimal" value=${o.quantity} onInput=${(e) => setOutputs(outputs.map((y, j) => (j === i ? { ...y, quantity: e.currentTarget.value } : y)))} />
                ${inputErrors[`outq${i}`] ? html`<p class="field-error">${inputErrors[`outq${i}`]}</p>` : null}
              </div>`,
            )}
            <button class="secondary" type="button" onClick=${() => setOutputs([...outputs, { lotNumber: '', quantity: '' }])}>${t('addOutput')}</button>
          </fieldset>`
        : html`<${Field} form=${form} name="lotNumber" text=${`${t('lotNumber')} (${label('stages', stage, lang())})`} hint=${t('lotNumberHint')} />
            <${QuantityField} form=${form} name="quantity" unitName="unit" text=${t('outputQuantity')} units=${kind === 'plant' ? LIMITS.quantity.units : LIMITS.quantity.massUnits.concat(['piece', 'box'])} />
            <${AttributeFields} form=${form} stage=${stage} only=${attrOnly} />`}
      ${kind === 'plant' ? html`<${SitePicker} form=${form} kinds=${['cultivation_base', 'forest_plot', 'animal_farm']} />` : html`<${SitePicker} form=${form} />`}
      ${kind === 'process' ? html`<${StepsEditor} steps=${steps} setSteps=${setSteps} stage=${stage} />` : null}
      <${Outcome} outcome=${outcome} explain=${explain} />
      <${SaveButton} busy=${busy} />
    </form></main>`;
}

export const Planting = ({ id, fix }) => html`<${TransformationForm} kind="plant" inputIds=${[id]} title=${t('plant')} fix=${fix} />`;
export const Harvest = ({ id, fix }) => html`<${TransformationForm} kind="harvest" inputIds=${[id]} title=${t('harvest')} fix=${fix} />`;
export const Processing = ({ id, fix }) => html`<${TransformationForm} kind="process" inputIds=${[id]} title=${t('process')} fix=${fix} />`;
export const Split = ({ id, fix }) => html`<${TransformationForm} kind="split" inputIds=${[id]} title=${t('split')} fix=${fix} />`;
export const Merge = ({ fix }) => html`<${TransformationForm} kind="merge" inputIds=${['', '']} title=${t('merge')} fix=${fix} />`;

/**
 * The lot a form acts on, one line above its fields. While its data loads (up to the service worker's 5 s on a
 * slow network) a line of the same height stands in, so the fields and the save button do not move under the
 * person's finger when the data arrives. Nothing when it could not be read (the form still works).
 */
function LotLine({ lot, loading, detail, testId }) {
  if (!lot) return loading ? html`<p class="card small" aria-busy="true">${t('loading')}</p>` : null;
  return html`<p class="card small" data-testid=${testId}><b>${lot.lotNumber}</b>${detail ? html` · ${detail}` : null}</p>`;
}

export function AgroInput({ id, fix }) {
  const lot = useLot(id);
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { occurredAt: nowLocal(), category: 'fertilizer', product: '', registrationNumber: '', dose: '', doseUnit: 'kg/亩', area: '', phi: '', operator: '' });
  const { outcome, busy, save } = useSave(fix);
  const L = LIMITS.agroInput;
  const submit = async (event) => {
    event.preventDefault();
    const ok = form.validate({
      occurredAt: { required: true },
      product: { required: true, maxLength: L.productMaxLength },
      registrationNumber: { maxLength: L.registrationNumberMaxLength },
      dose: { required: true, number: { positive: true, max: L.doseMax, decimals: L.doseDecimals } },
      doseUnit: { required: true, maxLength: L.doseUnitMaxLength },
      area: { maxLength: L.areaMaxLength },
      phi: { number: { integer: true, min: 0, max: L.phiMax } },
      operator: { maxLength: L.operatorMaxLength },
    });
    if (!ok) return;
    const v = form.values;
    const data = { category: v.category, product: v.product.trim(), dose: { value: v.dose.trim(), unit: v.doseUnit.trim() } };
    if (v.registrationNumber.trim()) data.registrationNumber = v.registrationNumber.trim();
    if (v.area.trim()) data.area = v.area.trim();
    if (v.phi.trim()) data.preHarvestIntervalDays = Number(v.phi);
    if (v.operator.trim()) data.operator = v.operator.trim();
    await save(
      { path: `/v1/lots/${encodeURIComponent(id)}/events`, body: { type: 'agro_input', occurredAt: withOffset(v.occurredAt), data }, summary: { kind: 'agro_input', text: `${t('agroInput')} ${data.product}`, lotId: id } },
      { onSaved: () => (location.hash = lotHref(id)), state: { values: form.values } },
    );
  };
  return html`<${Header} title=${t('agroInput')} back=${lotHref(id)} />
    <main><form onSubmit=${submit} novalidate>
      <${LotLine} lot=${lot.data} loading=${lot.loading} />
      <${DateField} form=${form} />
      <${Field} form=${form} name="category" text=${t('category')} options=${L.categories.map((c) => [c, label('agroInputCategories', c, lang())])} />
      <${Field} form=${form} name="product" text=${t('product')} />
      <${Field} form=${form} name="registrationNumber" text=${t('registrationNumber')} />
      <div class="inline">
        <${Field} form=${form} name="dose" text=${t('dose')} kind="decimal" />
        <${Field} form=${form} name="doseUnit" text=${t('doseUnit')} />
      </div>
      <${Field} form=${form} name="area" text=${t('area')} />
      <${Field} form=${form} name="phi" text=${t('phi')} kind="integer" />
      <${Field} form=${form} name="operator" text=${t('operator')} />
      <${Outcome} outcome=${outcome} explain=${explain} />
      <${SaveButton} busy=${busy} />
    </form></main>`;
}

export function Ship({ id, fix }) {
  const lot = useLot(id);
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { toOrganizationId: '', quantity: '', shippedAt: nowLocal() });
  const { outcome, busy, save } = useSave(fix);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ toOrganizationId: { required: true, maxLength: 64 }, quantity: { ...quantityRules, required: false }, shippedAt: { required: true } })) return;
    const v = form.values;
    const line = { lotId: id };
    if (v.quantity.trim() && lot.data) line.quantity = quantityOf(v.quantity, lot.data.remaining.unit);
    await save(
      { path: '/v1/shipments', body: { toOrganizationId: v.toOrganizationId.trim(), lines: [line], shippedAt: withOffset(v.shippedAt) }, summary: { kind: 'ship', text: `${t('ship')} ${lot.data ? lot.data.lotNumber : id}`, lotId: id } },
      { onSaved: () => (location.hash = lotHref(id)), state: { values: form.values } },
    );
  };
  return html`<${Header} title=${t('ship')} back=${lotHref(id)} />
    <main><form onSubmit=${submit} novalidate>
      <${LotLine} lot=${lot.data} loading=${lot.loading} detail=${lot.data ? t('available', formatQuantity(lot.data.remaining)) : null} />
      <${Field} form=${form} name="toOrganizationId" text=${t('toOrganization')} />
      <${Field} form=${form} name="quantity" text=${`${t('quantity')}${lot.data ? ` (${label('units', lot.data.remaining.unit, lang())})` : ''}`} kind="decimal" hint=${lot.data ? t('available', formatQuantity(lot.data.remaining)) : lot.loading ? t('loading') : undefined} />
      <${DateField} form=${form} name="shippedAt" />
      <${Outcome} outcome=${outcome} explain=${explain} />
      <${SaveButton} busy=${busy} />
    </form></main>`;
}

export function StatusChange({ id, fix }) {
  const lot = useLot(id);
  const releasing = lot.data && lot.data.status === 'hold';
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { reason: '', occurredAt: nowLocal() });
  const { outcome, busy, save } = useSave(fix);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ reason: { required: true, maxLength: LIMITS.status.reasonMaxLength } })) return;
    const status = releasing ? 'active' : 'hold';
    await save(
      { path: `/v1/lots/${encodeURIComponent(id)}/status`, body: { status, reason: form.values.reason.trim(), occurredAt: withOffset(form.values.occurredAt) }, summary: { kind: 'status', text: `${t(releasing ? 'release' : 'hold')} ${lot.data ? lot.data.lotNumber : ''}`, lotId: id } },
      { onSaved: () => (location.hash = lotHref(id)), state: { values: form.values } },
    );
  };
  return html`<${Header} title=${t(releasing ? 'release' : 'hold')} back=${lotHref(id)} />
    <main><form onSubmit=${submit} novalidate>
      <${Field} form=${form} name="reason" text=${t('statusReason')} kind="textarea" />
      <${DateField} form=${form} />
      <${Outcome} outcome=${outcome} explain=${explain} />
      <button class=${releasing ? 'primary' : 'danger'} type="submit" disabled=${busy}>${t(releasing ? 'release' : 'hold')}</button>
    </form></main>`;
}

