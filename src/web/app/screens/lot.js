// A lot's page: its data, what can be recorded on it next, its timeline (who recorded what) and the
// provenance summary (origins with their shares).
import { useEffect } from 'preact/hooks';
import { useGet, useLot, useReference } from '../data.js';
import { attributes as ATTRIBUTES, formatStep, label, speciesName } from '../../lib/vocabulary.js';
import { isPlaceholder, sentAnswer } from '../outbox.js';
import { lang, organizationId, t, useAppState } from '../state.js';
import { formatDate, formatDateTime, formatQuantity, Header, html } from '../ui.js';

/** What a stage's lot leads to: the recording screens offered on its page. */
const NEXT = {
  seed: ['plant', 'split', 'ship'],
  cultivation: ['harvest', 'input', 'plant', 'split', 'ship'],
  harvest: ['process', 'split', 'ship'],
  processed: ['process', 'split', 'ship'],
  decoction_piece: ['process', 'split', 'ship'],
  product: ['codes', 'split', 'ship'],
};

function eventText(event) {
  const d = event.data || {};
  const parts = [label('eventTypes', event.type, lang())];
  if (event.type === 'transformation' && d.process && Array.isArray(d.process.steps)) parts.push(d.process.steps.map((s) => formatStep(s, lang())).join(' → '));
  if (event.type === 'agro_input' || (event.type === 'observation' && d.type === 'agro_input')) {
    const x = d.data || d;
    parts.push([x.product, x.dose ? `${x.dose.value} ${x.dose.unit}` : ''].filter(Boolean).join(' · '));
  }
  if (d.reason) parts.push(d.reason);
  return parts.filter(Boolean).join(' · ');
}

/** An attribute's name as the vocabulary has it for the stage (its key when the vocabulary does not know it). */
function attributeName(stage, key) {
  const spec = (ATTRIBUTES[stage] || {})[key];
  return spec ? `${spec[lang()]}${spec.unit ? ` (${spec.unit[lang()]})` : ''}` : key;
}

function attributeValue(stage, key, value) {
  if (Array.isArray(value)) return value.join(lang() === 'en' ? ', ' : '、');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  const spec = (ATTRIBUTES[stage] || {})[key];
  const group = spec && (spec.choicesOf || spec.suggestionsOf);
  return group ? label(group, String(value), lang()) : String(value);
}

export function LotPage({ id }) {
  const app = useAppState();
  const lot = useLot(id);
  const reference = useReference();
  // A lot recorded offline gets its real id once sent: move to it.
  useEffect(() => {
    if (!isPlaceholder(id) || lot.data) return;
    const m = /^@outbox:([^/]+)\/(.+)$/.exec(id);
    if (m) void sentAnswer(m[1]).then((answer) => {
      let node = answer;
      for (const k of m[2].split('/')) node = node == null ? undefined : node[/^\d+$/.test(k) ? Number(k) : k];
      if (typeof node === 'string') location.replace(`#/lot/${encodeURIComponent(node)}`);
    });
  }, [id, lot.data, app.outbox.length]);
  const real = lot.data && !lot.data.pending;
  const timeline = useGet(real ? `/v1/lots/${encodeURIComponent(id)}/timeline?limit=200` : null);
  const provenance = useGet(real ? `/v1/lots/${encodeURIComponent(id)}/provenance` : null);
  if (lot.loading) return html`<${Header} title=${t('lotPage')} back="#/" /><main><p class="muted">${t('loading')}</p></main>`;
  if (!lot.data) return html`<${Header} title=${t('lotPage')} back="#/" /><main><p>${t('notFound')}</p></main>`;
  const l = lot.data;
  const mine = l.pending || (l.holder && l.holder.id === organizationId());
  const canRecord = mine && app.session.user.role !== 'viewer' && !l.inTransit;
  const next = canRecord ? NEXT[l.stage] || [] : [];
  const attributes = Object.entries(l.attributes || {});
  return html`<${Header} title=${l.lotNumber} back="#/" />
    <main data-testid="lot-page">
      <div class="status-line">
        <span class="pill">${label('stages', l.stage, lang())}</span>
        ${l.pending ? html`<span class="pill warn">${t('pendingSend')}</span>` : l.status !== 'active' ? html`<span class="pill bad" data-testid="lot-status">${label('lotStatuses', l.status, lang())}</span>` : null}
      </div>
      <section class="card">
        <h2>${t('details')}</h2>
        <table class="kv">
          <tr><th>${t('lotNumber')}</th><td>${l.lotNumber}</td></tr>
          ${l.speciesCode ? html`<tr><th>${t('species')}</th><td>${reference.speciesByCode.has(l.speciesCode) ? speciesName(reference.speciesByCode.get(l.speciesCode), lang()) : l.speciesCode}</td></tr>` : null}
          ${l.quantity ? html`<tr><th>${t('quantity')}</th><td data-testid="lot-quantity">${formatQuantity(l.quantity)}</td></tr>` : null}
          ${l.remaining ? html`<tr><th>${t('remaining')}</th><td data-testid="lot-remaining">${formatQuantity(l.remaining)}</td></tr>` : null}
          ${l.producer ? html`<tr><th>${t('producer')}</th><td>${l.producer.name}</td></tr>` : null}
          ${l.holder ? html`<tr><th>${t('holder')}</th><td>${l.holder.name}</td></tr>` : null}
          ${l.site ? html`<tr><th>${t('site')}</th><td>${l.site.name}<br /><span class="muted small">${l.site.regionName}</span></td></tr>` : null}
          ${l.producedAt ? html`<tr><th>${t('producedAt')}</th><td>${formatDate(l.producedAt)}</td></tr>` : null}
          ${attributes.map(([k, v]) => html`<tr><th>${attributeName(l.stage, k)}</th><td>${attributeValue(l.stage, k, v)}</td></tr>`)}
        </table>
      </section>
      ${next.length || (canRecord && l.status) ? html`<h2>${t('actions')}</h2>` : null}
      <div class="actions">
        ${next.map((action) => html`<a href=${`#/lot/${encodeURIComponent(l.id)}/${action}`} data-testid=${`action-${action}`}>${t(action === 'codes' ? 'issueCodes' : action === 'input' ? 'agroInput' : action)}</a>`)}
        ${canRecord && !l.pending && (l.status === 'active' || l.status === 'hold')
          ? html`<a href=${`#/lot/${encodeURIComponent(l.id)}/status`} data-testid="action-status">${t(l.status === 'hold' ? 'release' : 'hold')}</a>`
          : null}
      </div>
      ${provenance.data
        ? html`<section class="card" data-testid="provenance">
            <h2>${t('provenance')}</h2>
            <p class=${provenance.data.complete ? 'verdict-pass' : 'verdict-fail'}>${t(provenance.data.complete ? 'complete' : 'incomplete')}</p>
            <h3 class="small">${t('origins')}</h3>
            <ul class="list">
              ${provenance.data.originShares.sites.map(
                (s) => html`<li class="row" style="display:block">
                  <b>${s.site ? s.site.name : t('none')}</b> <span class="muted small">${s.site ? s.site.regionName : ''}</span>
                  <div class="bar-share" aria-hidden="true"><span style=${`width:${(Number(s.share) * 100).toFixed(1)}%`}></span></div>
                  <span class="small">${(Number(s.share) * 100).toFixed(1)}%</span>
                </li>`,
              )}
            </ul>
          </section>`
        : null}
      ${timeline.data
        ? html`<section class="card">
            <h2>${t('timeline')}</h2>
            <ol class="timeline" data-testid="timeline">
              ${timeline.data.items.map(
                (e) => html`<li>
                  <b>${eventText(e)}</b>
                  <div class="small muted">${formatDateTime(e.occurredAt)} · ${e.organization.name}${e.recordedBy && e.recordedBy.name ? ` · ${t('recordedBy', e.recordedBy.name)}` : ''}</div>
                </li>`,
              )}
            </ol>
          </section>`
        : null}
    </main>`;
}
