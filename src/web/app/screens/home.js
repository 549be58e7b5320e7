// Home: my lots by stage, shipments waiting for me, what waits in the outbox, and what I can record next.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useGet, useMyLots, useReference } from '../data.js';
import { label, speciesName, stages } from '../../lib/vocabulary.js';
import { lang, setSession, t, useAppState } from '../state.js';
import { formatQuantity, Header, html } from '../ui.js';

export function LotRow({ lot, species }) {
  const herb = species && species.get(lot.speciesCode);
  return html`<li>
    <a class="row" href=${`#/lot/${encodeURIComponent(lot.id)}`} data-testid="lot-row">
      <span class="main"><b>${lot.lotNumber}</b><span class="muted small">${label('stages', lot.stage, lang())} · ${herb ? speciesName(herb, lang()) : lot.speciesCode || ''}</span></span>
      <span class="small">${lot.pending ? html`<span class=${`pill ${lot.refused ? 'bad' : 'warn'}`}>${lot.refused ? t('refused') : t('pendingSend')}</span>` : lot.status !== 'active' ? html`<span class="pill bad">${label('lotStatuses', lot.status, lang())}</span>` : formatQuantity(lot.remaining)}</span>
    </a>
  </li>`;
}

export function Home() {
  const app = useAppState();
  const lots = useMyLots();
  const reference = useReference();
  const incoming = useGet('/v1/shipments?direction=incoming&status=in_transit&limit=50');
  const [stage, setStage] = useState('all');
  const isLab = app.session.organization.kinds.includes('lab');
  const viewer = app.session.user.role === 'viewer';
  const shown = lots.items.filter((l) => stage === 'all' || l.stage === stage);
  const waiting = app.outbox.length;
  const refused = app.outbox.filter((e) => e.state === 'refused').length;
  const signOut = async () => {
    if (waiting > 0 && !confirm(t('signedOutPending', waiting))) return;
    try {
      await api('POST', '/v1/auth/logout', {});
    } catch {
      /* signed out locally either way */
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'clear-data' });
    setSession(null);
    location.hash = '#/signin';
  };
  return html`<${Header} title=${`${t('appName')} · ${app.session.organization.name}`} />
    <main>
      <p class="muted small">${app.session.user.name} · ${label('memberRoles', app.session.user.role, lang())}</p>
      ${waiting > 0
        ? html`<a class=${`banner ${refused ? 'error' : 'offline'}`} style="display:block" href="#/outbox" data-testid="outbox-banner">${t('outboxWaiting', waiting)}${refused ? ` · ${refused} ${t('refused')}` : ''}</a>`
        : null}
      ${isLab ? html`<div class="actions"><a href="#/lab">${t('labLots')}</a></div>` : null}
      ${!viewer && !isLab
        ? html`<h2>${t('actions')}</h2>
            <div class="actions">
              <a href="#/new/site">${t('newSite')}</a>
              <a href="#/new/seed">${t('newSeed')}</a>
              <a href="#/merge">${t('merge')}</a>
              <a href="#/shipments">${t('waitingShipments')}</a>
            </div>`
        : null}
      <h2>${t('waitingShipments')}</h2>
      ${incoming.data && incoming.data.items.length
        ? html`<ul class="list card">${incoming.data.items.map((s) => html`<li><a class="row" href="#/shipments"><span class="main"><b>${s.fromOrganization.name}</b><span class="muted small">${s.lines.length} · ${s.shippedAt.slice(0, 10)}</span></span></a></li>`)}</ul>`
        : html`<p class="muted">${t('noShipments')}</p>`}
      <h2>${t('myLots')}</h2>
      <nav class="tabs" aria-label=${t('stage')}>
        ${['all', ...Object.keys(stages)].map(
          (s) => html`<a href="#/" aria-current=${stage === s ? 'page' : undefined} onClick=${(e) => (e.preventDefault(), setStage(s))}>${s === 'all' ? t('all') : label('stages', s, lang())}</a>`,
        )}
      </nav>
      ${lots.loading ? html`<p class="muted">${t('loading')}</p>` : shown.length ? html`<ul class="list card" data-testid="my-lots">${shown.map((lot) => html`<${LotRow} lot=${lot} species=${reference.speciesByCode} />`)}</ul>` : html`<p class="muted">${t('noLots')}</p>`}
      <button class="secondary" type="button" onClick=${signOut}>${t('signOut')}</button>
    </main>`;
}
