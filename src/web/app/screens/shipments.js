// Shipments on their way to me: receive them (optionally at one of my sites) or refuse them with a reason.
import { useState } from 'preact/hooks';
import { useGet, useMySites } from '../data.js';
import { explain } from '../explain.js';
import { LIMITS } from '../limits.js';
import { flash, t, write } from '../state.js';
import { check, formatDate, formatQuantity, Header, html, nowLocal, withOffset } from '../ui.js';

function ShipmentCard({ shipment, sites }) {
  const [siteId, setSiteId] = useState('');
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState(null);
  const [problem, setProblem] = useState(null);
  const act = async (kind) => {
    if (kind === 'refuse') {
      const m = check(reason, { required: true, maxLength: LIMITS.refusal.reasonMaxLength });
      if (m) return setProblem(m);
    }
    const body = kind === 'receive' ? { receivedAt: withOffset(nowLocal()), ...(siteId ? { siteId } : {}) } : { reason: reason.trim(), refusedAt: withOffset(nowLocal()) };
    const result = await write({ path: `/v1/shipments/${encodeURIComponent(shipment.id)}/${kind}`, body, summary: { kind, text: `${t(kind)} ${shipment.fromOrganization.name}` } });
    // Received or refused, the shipment leaves this list: the confirmation shows in the header.
    if (result.refused) setOutcome(result);
    else {
      flash(result.queued ? 'queued' : 'saved');
      setOutcome(result);
    }
  };
  return html`<li class="card" data-testid="shipment">
    <b>${shipment.fromOrganization.name}</b> <span class="muted small">${formatDate(shipment.shippedAt)}</span>
    <ul>${shipment.lines.map((l) => html`<li>${l.lotId} · ${formatQuantity(l.quantity)}</li>`)}</ul>
    ${outcome ? (outcome.refused ? html`<p class="banner error" role="alert">${explain(outcome.refused)}</p>` : html`<p class="banner ok" role="status">${outcome.queued ? t('queued') : t('saved')}</p>`) : html`
      <label for=${`site-${shipment.id}`}>${t('site')}</label>
      <select id=${`site-${shipment.id}`} value=${siteId} onChange=${(e) => setSiteId(e.currentTarget.value)}><option value="">—</option>${sites.filter((s) => !s.pending).map((s) => html`<option value=${s.id}>${s.name}</option>`)}</select>
      <button class="primary" type="button" onClick=${() => act('receive')}>${t('receive')}</button>
      <label for=${`reason-${shipment.id}`}>${t('refuseReason')}</label>
      <input id=${`reason-${shipment.id}`} type="text" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
      ${problem ? html`<p class="field-error">${problem}</p>` : null}
      <button class="danger" type="button" onClick=${() => act('refuse')}>${t('refuse')}</button>`}
  </li>`;
}

export function Shipments() {
  const incoming = useGet('/v1/shipments?direction=incoming&status=in_transit&limit=50');
  const sites = useMySites();
  return html`<${Header} title=${t('waitingShipments')} back="#/" />
    <main>
      ${incoming.loading ? html`<p class="muted">${t('loading')}</p>` : incoming.data && incoming.data.items.length ? html`<ul class="list">${incoming.data.items.map((s) => html`<${ShipmentCard} key=${s.id} shipment=${s} sites=${sites.items} />`)}</ul>` : html`<p class="muted">${t('noShipments')}</p>`}
    </main>`;
}
