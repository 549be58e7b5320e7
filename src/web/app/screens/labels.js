// Issue QR codes for a lot and print them: an A4 sheet, or 40×30 mm roll labels of a market scale's
// printer (one label per page). The CSV of all codes is there for label software that prints many thousands.
import { useState } from 'preact/hooks';
import { useGet, useLot } from '../data.js';
import { explain } from '../explain.js';
import { LIMITS } from '../limits.js';
import { t, write } from '../state.js';
import { Field, Header, html, Outcome, useForm } from '../ui.js';

const PAGE = 120;

export function Labels({ id }) {
  const lot = useLot(id);
  const form = useForm({ count: '', format: 'a4' });
  const [outcome, setOutcome] = useState(null);
  const [busy, setBusy] = useState(false);
  const codes = useGet(`/v1/lots/${encodeURIComponent(id)}/codes?limit=${PAGE}`);
  const submit = async (event) => {
    event.preventDefault();
    if (!form.validate({ count: { required: true, number: { integer: true, min: 1, max: LIMITS.codes.countMax } } })) return;
    setBusy(true);
    try {
      const level = lot.data && lot.data.stage === 'product' ? 'unit' : 'lot';
      setOutcome(await write({ path: `/v1/lots/${encodeURIComponent(id)}/codes`, body: { count: Number(form.values.count), level }, summary: { kind: 'codes', text: `${t('issueCodes')} ${form.values.count}`, lotId: id } }));
      codes.reload();
    } finally {
      setBusy(false);
    }
  };
  const items = codes.data ? codes.data.items : [];
  return html`<${Header} title=${t('printLabels')} back=${`#/lot/${encodeURIComponent(id)}`} />
    <main>
      <form class="no-print" onSubmit=${submit} novalidate>
        <${Field} form=${form} name="count" text=${t('codeCount')} kind="integer" />
        <${Outcome} outcome=${outcome} explain=${explain} />
        <button class="primary" type="submit" disabled=${busy}>${t('issueCodes')}</button>
        <${Field} form=${form} name="format" text=${t('labelFormat')} options=${[['a4', t('labelA4')], ['roll', t('labelRoll')]]} />
        <a class="button" href=${`/v1/lots/${encodeURIComponent(id)}/codes?format=csv`} download>CSV</a>
        <button class="secondary" type="button" onClick=${() => window.print()}>${t('print')}</button>
      </form>
      <div class=${`qr-sheet ${form.values.format}`} data-testid="label-sheet">
        ${items.map(
          (c) => html`<div class="label-cell">
            <img alt=${c.code} loading="lazy" src=${`/v1/codes/${encodeURIComponent(c.code)}/qr.svg`} />
            <div>${lot.data ? lot.data.lotNumber : ''}<br />${c.code}</div>
          </div>`,
        )}
      </div>
    </main>`;
}
