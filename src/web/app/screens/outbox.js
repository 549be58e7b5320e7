// What waits on this phone: each queued write, its state (waiting, retry time, held back by an earlier
// one, refused with the rule's explanation), and what the person can do (sync now, correct, discard).
import { explain } from '../explain.js';
import { discard } from '../outbox.js';
import { syncNow, t, useAppState } from '../state.js';
import { formatLocalTime, Header, html } from '../ui.js';

export function Outbox() {
  const app = useAppState();
  const refusedIds = new Set(app.outbox.filter((e) => e.state === 'refused').map((e) => e.id));
  const held = (entry) => entry.dependsOn.some((d) => refusedIds.has(d) || app.outbox.some((e) => e.id === d));
  const drop = async (entry) => {
    if (confirm(t('discardConfirm'))) await discard(entry.id);
  };
  return html`<${Header} title=${t('outbox')} back="#/" />
    <main>
      <p data-testid="outbox-summary">${app.outbox.length ? t('outboxWaiting', app.outbox.length) : t('outboxEmpty')}</p>
      <button class="primary" type="button" disabled=${app.syncing} onClick=${() => syncNow(true)} data-testid="sync-now">${app.syncing ? t('syncing') : t('syncNow')}</button>
      <ul class="list card" data-testid="outbox-list">
        ${app.outbox.map(
          (entry) => html`<li data-testid="outbox-entry" data-state=${entry.state}>
            <div class="row" style="display:block">
              <b>${entry.summary.text}</b>
              <div class="small muted">${formatLocalTime(entry.createdAt)}</div>
              ${entry.state === 'refused'
                ? html`<p class="banner error" role="alert" data-testid="refusal">${t('refused')}：${explain(entry.problem)}</p>
                    ${entry.summary.form ? html`<a class="button" href=${`${entry.summary.form.route}?fix=${encodeURIComponent(entry.id)}`} data-testid="correct">${t('correct')}</a>` : null}`
                : held(entry)
                  ? html`<p class="small"><span class="pill warn">${t('heldBack')}</span></p>`
                  : html`<p class="small"><span class="pill warn">${t('pendingSend')}</span> ${entry.nextAttemptAt > Date.now() ? t('willRetry', new Date(entry.nextAttemptAt).toLocaleTimeString()) : ''}</p>`}
              <button class="danger" type="button" onClick=${() => drop(entry)}>${t('discard')}</button>
            </div>
          </li>`,
        )}
      </ul>
    </main>`;
}
