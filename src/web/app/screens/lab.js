// Labs: the lots granted to my lab, and a report entered item by item with each item's verdict against the
// pharmacopoeia limits as the server judged it (a failing report puts the lot on hold).
import { useState } from 'preact/hooks';
import { useGet, useReference } from '../data.js';
import { explain } from '../explain.js';
import { LIMITS } from '../limits.js';
import { label } from '../../lib/vocabulary.js';
import { useRestored, useSave } from '../save.js';
import { lang, t } from '../state.js';
import { check, Field, Header, html, nowLocal, Outcome, useForm, withOffset } from '../ui.js';

export function LabLots() {
  const grants = useGet('/v1/lab-grants');
  return html`<${Header} title=${t('labLots')} back="#/" />
    <main>
      ${grants.loading
        ? html`<p class="muted">${t('loading')}</p>`
        : grants.data && grants.data.items.length
          ? html`<ul class="list card" data-testid="lab-lots">${grants.data.items.map(
              (g) => html`<li><a class="row" href=${`#/lab/${encodeURIComponent(g.lot.id)}/report`}>
                <span class="main"><b>${g.lot.lotNumber}</b><span class="muted small">${label('stages', g.lot.stage, lang())} · ${g.grantedBy.name}</span></span>
                <span class="small">${t('enterReport')}</span></a></li>`,
            )}</ul>`
          : html`<p class="muted">${t('noLots')}</p>`}
    </main>`;
}

/** A pharmacopoeia limit's comparator as it reads: "不得少于 X" is ≥ X, "不得过 X" is ≤ X. */
const COMPARATORS = { gte: '≥', lte: '≤', gt: '>', lt: '<', eq: '=' };

const verdictClass = (v) => (v === 'pass' ? 'verdict-pass' : 'verdict-fail');

export function LabReport({ id, fix }) {
  const reference = useReference();
  const restored = useRestored(fix);
  const form = useForm((restored && restored.values) || { reportNumber: '', sampledAt: nowLocal(), testedAt: nowLocal() });
  const [items, setItems] = useState((restored && restored.items) || [{ analyte: 'ginsenoside_rg1_re', value: '', unit: '%' }]);
  const [itemErrors, setItemErrors] = useState({});
  const { outcome, busy, save } = useSave(fix);
  const list = reference.analytes;
  const byCode = reference.analyteByCode;
  const update = (i, patch) => setItems(items.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const submit = async (event) => {
    event.preventDefault();
    let ok = form.validate({ reportNumber: { required: true, maxLength: LIMITS.lab.reportNumberMaxLength }, sampledAt: { required: true }, testedAt: { required: true } });
    const errs = {};
    items.forEach((x, i) => {
      const m = check(x.value, { required: true, maxLength: 24, number: { min: 0, decimals: LIMITS.lab.valueDecimals } });
      if (m) errs[i] = m;
    });
    setItemErrors(errs);
    if (Object.keys(errs).length) ok = false;
    if (!ok) return;
    const body = {
      reportNumber: form.values.reportNumber.trim(),
      sampledAt: withOffset(form.values.sampledAt),
      testedAt: withOffset(form.values.testedAt),
      results: items.map((x) => ({ analyte: x.analyte, value: x.value.trim(), unit: x.unit })),
    };
    // No onSaved: the verdict is shown here, from the server's answer.
    await save({ path: `/v1/lots/${encodeURIComponent(id)}/lab-results`, body, summary: { kind: 'lab_result', text: `${t('enterReport')} ${body.reportNumber}`, lotId: id } }, { state: { values: form.values, items } });
  };
  const report = outcome && outcome.answer;
  if (report) {
    return html`<${Header} title=${report.reportNumber} back="#/lab" />
      <main data-testid="lab-verdict">
        <p class="card">${t('verdict')}：<b class=${verdictClass(report.verdict)} data-testid="report-verdict">${label('labVerdicts', report.verdict, lang())}</b></p>
        ${report.hold ? html`<p class="banner error" role="alert" data-testid="lot-held">${t('lotOnHold')}</p>` : null}
        <ul class="list card">${report.items.map(
          (item) => html`<li class="row" data-testid="item-verdict"><span class="main"><b>${byCode.get(item.analyte) ? byCode.get(item.analyte)[lang()] : item.analyte}</b>
            <span class="small muted">${item.value} ${item.unit}${item.limit ? ` · ${COMPARATORS[item.limit.comparator] || item.limit.comparator} ${item.limit.value} ${item.limit.unit}` : ''}</span></span>
            <span class=${verdictClass(item.verdict)}>${label('itemVerdicts', item.verdict, lang())}</span></li>`,
        )}</ul>
        <a class="button" href="#/lab">${t('back')}</a>
      </main>`;
  }
  return html`<${Header} title=${t('enterReport')} back="#/lab" />
    <main><form onSubmit=${submit} novalidate>
      <${Field} form=${form} name="reportNumber" text=${t('reportNumber')} />
      <${Field} form=${form} name="sampledAt" text=${t('sampledAt')} kind="datetime" />
      <${Field} form=${form} name="testedAt" text=${t('testedAt')} kind="datetime" />
      ${items.map(
        (x, i) => html`<div class="step" data-testid="lab-item">
          <label for=${`an${i}`}>${t('analyte')} ${i + 1}</label>
          <select id=${`an${i}`} value=${x.analyte} onChange=${(e) => update(i, { analyte: e.currentTarget.value, unit: (byCode.get(e.currentTarget.value) || { units: ['%'] }).units[0] })}>
            ${list.map((a) => html`<option value=${a.code}>${a[lang()]}</option>`)}
          </select>
          <div class="inline">
            <div><label for=${`av${i}`}>${t('value')}</label><input id=${`av${i}`} type="text" inputmode="decimal" value=${x.value} aria-invalid=${itemErrors[i] ? 'true' : 'false'} onInput=${(e) => update(i, { value: e.currentTarget.value })} /></div>
            <div><label for=${`au${i}`}>${t('unit')}</label><select id=${`au${i}`} value=${x.unit} onChange=${(e) => update(i, { unit: e.currentTarget.value })}>${((byCode.get(x.analyte) || {}).units || ['%']).map((u) => html`<option value=${u}>${u}</option>`)}</select></div>
          </div>
          ${itemErrors[i] ? html`<p class="field-error">${itemErrors[i]}</p>` : null}
          ${items.length > 1 ? html`<button class="danger" type="button" onClick=${() => setItems(items.filter((_, j) => j !== i))}>${t('removeItem')}</button>` : null}
        </div>`,
      )}
      ${items.length < LIMITS.lab.maxItems ? html`<button class="secondary" type="button" onClick=${() => setItems([...items, { analyte: list[0] ? list[0].code : '', value: '', unit: list[0] ? list[0].units[0] : '%' }])}>${t('addItem')}</button>` : null}
      <${Outcome} outcome=${outcome} explain=${explain} />
      <button class="primary" type="submit" disabled=${busy} data-testid="save">${t('submit')}</button>
    </form></main>`;
}
