// Reads the screens need, through the API (the service worker keeps the last copy of each for offline use),
// plus the lots that writes still in the outbox will create, so a harvest can be recorded offline on a
// planting that is not on the server yet.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { isPlaceholder, placeholder } from './outbox.js';
import { organizationId, useAppState } from './state.js';

/** `{data, error, loading, reload}` of one GET; reloads when the outbox changes (a write went through). */
export function useGet(path) {
  const app = useAppState();
  const [result, setResult] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const outboxSize = app.outbox.length;
  useEffect(() => {
    if (!path) {
      setResult({ data: null, error: null, loading: false });
      return;
    }
    let live = true;
    api('GET', path).then(
      (data) => live && setResult({ data, error: null, loading: false }),
      (error) => live && setResult({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick, outboxSize]);
  return { ...result, reload: () => setTick((n) => n + 1) };
}

export const myLotsPath = () => `/v1/lots?holder=${encodeURIComponent(organizationId() || '')}&limit=200`;
export const mySitesPath = () => `/v1/sites?organizationId=${encodeURIComponent(organizationId() || '')}&limit=200`;

/**
 * Lots (or sites) that queued writes will create: each output of a queued transformation, commissioning or
 * site registration, with the placeholder that stands for its id until the write is sent.
 */
function pending(outbox, type) {
  const out = [];
  for (const entry of outbox) {
    const creates = (entry.summary && entry.summary.creates) || [];
    creates.forEach((made, i) => {
      if ((made.type || 'lot') === type) out.push({ ...made, id: placeholder(entry.id, made.answerPath || `outputs/${i}/id`), pending: true, refused: entry.state === 'refused', entryId: entry.id });
    });
  }
  return out;
}

export const pendingLots = (outbox) => pending(outbox, 'lot');
export const pendingSites = (outbox) => pending(outbox, 'site');

/** My sites and those still in the outbox. */
export function useMySites() {
  const app = useAppState();
  const sites = useGet(mySitesPath());
  return { ...sites, items: (sites.data ? sites.data.items : []).concat(pendingSites(app.outbox)) };
}

/** My lots from the server and those still in the outbox, for pickers and the home screen. */
export function useMyLots() {
  const app = useAppState();
  const lots = useGet(myLotsPath());
  const items = lots.data ? lots.data.items : [];
  return { ...lots, items: items.concat(pendingLots(app.outbox)) };
}

/** A lot by id (null: none chosen yet), from the server or, when it waits in the outbox, from there. */
export function useLot(id) {
  const app = useAppState();
  const pending = isPlaceholder(id) ? pendingLots(app.outbox).find((l) => l.id === id) : null;
  const fetched = useGet(!id || pending || isPlaceholder(id) ? null : `/v1/lots/${encodeURIComponent(id)}`);
  if (pending) return { data: pending, error: null, loading: false, reload: () => {} };
  if (isPlaceholder(id)) return { data: null, error: new ApiError(404, { status: 404, type: '/problems/not-found' }), loading: false, reload: () => {} };
  return fetched;
}

/**
 * The reference data of the forms (species, analytes), from GET /v1/vocabulary: one cacheable document, so
 * a phone that opened the app once fills its forms offline.
 */
export function useReference() {
  const vocabulary = useGet('/v1/vocabulary');
  const species = vocabulary.data ? vocabulary.data.species : [];
  const analytes = vocabulary.data ? vocabulary.data.analytes : [];
  const nextStages = vocabulary.data ? vocabulary.data.nextStages : {};
  return { loading: vocabulary.loading, species, analytes, nextStages, speciesByCode: new Map(species.map((s) => [s.code, s])), analyteByCode: new Map(analytes.map((a) => [a.code, a])) };
}
