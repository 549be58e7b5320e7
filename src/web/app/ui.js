// Pieces every screen uses: the header bar, form fields with their checks, dates in the person's time zone,
// quantities. The checks are the server's limits (limits.js, compared with the API document by a test); the
// server still decides.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { label } from '../lib/vocabulary.js';
import { LIMITS } from './limits.js';
import { lang, setLang, t, useAppState } from './state.js';

export { html };

export function Header({ title, back }) {
  const app = useAppState();
  const waiting = app.outbox.length;
  return html`<header class="bar">
    ${back ? html`<a class="back" href=${back} aria-label=${t('back')}>‹</a>` : null}
    <h1>${title}</h1>
    <a href="#/outbox" class="no-print" aria-label=${`${t('outbox')} ${waiting}`} style="text-decoration:none">
      <span aria-hidden="true">⇅</span> <span class="outbox-count" data-testid="outbox-count">${app.outboxLoaded ? waiting : '…'}</span>
    </a>
    <button type="button" onClick=${() => setLang(app.lang === 'en' ? 'zh-CN' : 'en')} lang=${app.lang === 'en' ? 'zh-CN' : 'en'}>${t('language')}</button>
  </header>
  ${!app.online ? html`<p class="banner offline" role="status">${t('offline')}</p>` : null}
  ${app.flash ? html`<p class=${`banner ${app.flash === 'saved' ? 'ok' : 'offline'}`} role="status" data-testid=${app.flash}>${t(app.flash)}</p>` : null}`;
}

/** `2026-12-02T09:30` for a datetime-local input: now, on the phone's clock, in its time zone. */
export function nowLocal() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value with the phone's offset at that moment: `2026-12-02T09:30:00+08:00`. */
export function withOffset(local) {
  const d = new Date(local);
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  const pad = (n) => String(n).padStart(2, '0');
  return `${local.length === 16 ? `${local}:00` : local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export const formatDate = (iso) => (iso ? String(iso).slice(0, 10) : '');
/** A time as recorded: with the offset it was recorded in (a harvest's own local time), as it says. */
export const formatDateTime = (iso) => (iso ? String(iso).slice(0, 16).replace('T', ' ') : '');
/** A moment of this phone's own (a queued write's time) in the phone's time zone. */
export function formatLocalTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const formatQuantity = (q) => (q ? `${q.value} ${label('units', q.unit, lang())}` : '');

/**
 * One check per rule the server applies to a field; returns the message of the first that fails, or null.
 * @param {string} value the text typed
 * @param {{required?: boolean, maxLength?: number, pattern?: RegExp, number?: {min?: number, max?: number, positive?: boolean, decimals?: number, integer?: boolean}}} rules
 */
export function check(value, rules) {
  const text = String(value ?? '').trim();
  if (!text) return rules.required ? t('required') : null;
  if (rules.maxLength !== undefined && [...text].length > rules.maxLength) return t('tooLong', rules.maxLength);
  if (rules.pattern && !rules.pattern.test(text)) return t('badPattern');
  if (rules.number) {
    const n = rules.number;
    if (!/^-?\d+(\.\d+)?$/.test(text)) return t('notANumber');
    const decimals = (text.split('.')[1] || '').length;
    if (n.integer && decimals > 0) return t('tooManyDecimals', 0);
    if (n.decimals !== undefined && decimals > n.decimals) return t('tooManyDecimals', n.decimals);
    const v = Number(text);
    if (n.positive && !(v > 0)) return t('mustBePositive');
    if (n.min !== undefined && v < n.min) return t('tooSmall', n.min);
    if (n.max !== undefined && v > n.max) return t('tooLarge', n.max);
  }
  return null;
}

/** The state of a form: values by name, errors shown after the first attempt to save. */
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [tried, setTried] = useState(false);
  const set = (name) => (event) => {
    const target = event.currentTarget;
    const value = target.type === 'checkbox' ? target.checked : target.value;
    setValues((v) => ({ ...v, [name]: value }));
  };
  /** @param {Record<string, object>} rules by field name */
  const validate = (rules) => {
    const found = {};
    for (const [name, r] of Object.entries(rules)) {
      const message = check(values[name], r);
      if (message) found[name] = message;
    }
    setErrors(found);
    setTried(true);
    return Object.keys(found).length === 0;
  };
  return { values, setValues, set, errors: tried ? errors : {}, setErrors, validate };
}

let fieldIds = 0;
/** A labelled input with its error; `kind` picks the phone keyboard (decimal, integer, text, date…). */
export function Field({ form, name, text, hint, kind = 'text', options, required, rows, suggestions }) {
  const [id] = useState(() => `f${++fieldIds}`);
  const error = form.errors[name];
  const common = { id, name, value: form.values[name] ?? '', onInput: form.set(name), onChange: form.set(name), 'aria-invalid': error ? 'true' : 'false', 'aria-describedby': error ? `${id}-e` : undefined, required };
  let input;
  if (options) {
    input = html`<select ...${common}>${options.map(([value, shown]) => html`<option value=${value}>${shown}</option>`)}</select>`;
  } else if (kind === 'textarea') input = html`<textarea ...${common} rows=${rows || 3}></textarea>`;
  else if (kind === 'decimal') input = html`<input ...${common} type="text" inputmode="decimal" autocomplete="off" />`;
  else if (kind === 'integer') input = html`<input ...${common} type="text" inputmode="numeric" pattern="[0-9]*" autocomplete="off" />`;
  else if (kind === 'datetime') input = html`<input ...${common} type="datetime-local" />`;
  else if (kind === 'date') input = html`<input ...${common} type="date" />`;
  else if (kind === 'password') input = html`<input ...${common} type="password" autocomplete="current-password" />`;
  else if (kind === 'new-password') input = html`<input ...${common} type="password" autocomplete="new-password" />`;
  else if (kind === 'one-time-code') input = html`<input ...${common} type="text" inputmode="numeric" autocomplete="one-time-code" />`;
  else if (suggestions && suggestions.length) {
    input = html`<input ...${common} type="text" autocomplete="off" list=${`${id}-l`} /><datalist id=${`${id}-l`}>${suggestions.map((v) => html`<option value=${v}></option>`)}</datalist>`;
  } else input = html`<input ...${common} type="text" autocomplete="off" />`;
  return html`<div>
    <label for=${id}>${text}${hint ? html`<span class="hint">${hint}</span>` : null}</label>
    ${input}
    ${error ? html`<p class="field-error" id=${`${id}-e`}>${error}</p>` : null}
  </div>`;
}

export function Checkbox({ form, name, text }) {
  return html`<label style="display:flex;gap:.6rem;align-items:center;min-height:48px;font-weight:400">
    <input type="checkbox" style="width:24px;min-height:24px" checked=${!!form.values[name]} onChange=${form.set(name)} /> ${text}
  </label>`;
}

/** Quantity value and unit side by side; `units` limits the choice (mass units for harvests, say). */
export function QuantityField({ form, name, unitName, text, units = LIMITS.quantity.units }) {
  return html`<div class="inline">
    <${Field} form=${form} name=${name} text=${text} kind="decimal" />
    <${Field} form=${form} name=${unitName} text=${t('unit')} options=${units.map((u) => [u, label('units', u, lang())])} />
  </div>`;
}

/** The answer to a save: confirmation, "kept on the phone", or the refusal with its explanation. */
export function Outcome({ outcome, explain }) {
  if (!outcome) return null;
  if (outcome.refused) return html`<p class="banner error" role="alert" data-testid="refusal">${explain(outcome.refused)}</p>`;
  if (outcome.queued) return html`<p class="banner offline" role="status" data-testid="queued">${t('queued')}</p>`;
  return html`<p class="banner ok" role="status" data-testid="saved">${t('saved')}</p>`;
}

export const quantityRules = { required: true, maxLength: LIMITS.quantity.maxLength, number: { positive: true, decimals: LIMITS.quantity.decimals } };
export const lotNumberRules = { required: true, maxLength: LIMITS.lotNumber.maxLength, pattern: LIMITS.lotNumber.pattern };
export const quantityOf = (value, unit) => ({ value: String(value).trim(), unit });
