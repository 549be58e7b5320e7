// What every screen shares: who is signed in, the language, whether the network is there, and what waits in
// the outbox. One small store; screens re-render when it changes (useAppState).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, NetworkError, setCsrfToken } from './api.js';
import { initialLang, translate } from './i18n.js';
import { enqueue, listOutbox, nextRetryAt, onOutboxChange, resumeAfterSignIn, sentAnswer, sync } from './outbox.js';

const SESSION_COPY = 'session';

// The first screen does not wait for the network: the last session this phone saw (or none: the sign-in
// form) is shown at once, and the service's answer replaces it when it comes.
const lastSession = (() => {
  try {
    return JSON.parse(localStorage.getItem(SESSION_COPY) || 'null');
  } catch {
    return null;
  }
})();

const state = {
  /** The SignedIn answer of the service (user, organisation, session, csrfToken), or null. */
  session: lastSession,
  sessionEnded: false,
  lang: initialLang(),
  online: navigator.onLine,
  outbox: [],
  /** False until the outbox was read from IndexedDB once: until then its count is not known (not 0). */
  outboxLoaded: false,
  syncing: false,
  lastSync: null,
  /** A confirmation carried to the next screen ('saved' or 'queued'), shown for a few seconds. */
  flash: null,
};
const subscribers = new Set();
const publish = () => subscribers.forEach((s) => s({ ...state }));

export function useAppState() {
  const [snapshot, setSnapshot] = useState({ ...state });
  useEffect(() => {
    subscribers.add(setSnapshot);
    setSnapshot({ ...state });
    return () => subscribers.delete(setSnapshot);
  }, []);
  return snapshot;
}

let flashTimer = null;
let flashShownOn = null;
/** Confirm a save on the screen the person is taken to next (and only there: leaving it clears it). */
export function flash(kind) {
  state.flash = kind;
  flashShownOn = null;
  publish();
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    state.flash = null;
    publish();
  }, 6000);
}

/** Called on every change of screen: the confirmation stays on the first screen after the save only. */
export function navigated(hash) {
  if (!state.flash) return;
  if (flashShownOn === null) flashShownOn = hash;
  else if (flashShownOn !== hash) {
    state.flash = null;
    publish();
  }
}

export const t = (key, ...args) => translate(state.lang, key, ...args);
export const lang = () => state.lang;

export function setLang(value) {
  state.lang = value;
  localStorage.setItem('lang', value);
  document.documentElement.lang = value;
  publish();
}

export function setSession(signedIn) {
  state.session = signedIn;
  state.sessionEnded = false;
  setCsrfToken(signedIn ? signedIn.csrfToken : null);
  // Kept so the app opens offline on a phone that stays signed in; the server still decides on every request.
  if (signedIn) localStorage.setItem(SESSION_COPY, JSON.stringify(signedIn));
  else localStorage.removeItem(SESSION_COPY);
  if (signedIn) resumeAfterSignIn();
  publish();
}

/** Ask the service who is signed in; offline, trust the last answer until the network says otherwise. */
export async function loadSession() {
  try {
    setSession(await api('GET', '/v1/auth/session'));
  } catch (error) {
    // Offline the last session stands (the server decides again when the network returns).
    if (error instanceof NetworkError) return;
    else if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      setSession(null);
    } else throw error;
  }
}

export const userId = () => (state.session ? state.session.user.id : null);
export const organizationId = () => (state.session ? state.session.organization.id : null);

async function refreshOutbox() {
  state.outbox = await listOutbox();
  state.outboxLoaded = true;
  publish();
}
onOutboxChange(() => void refreshOutbox());

let timer = null;
/** One sync round now (if signed in and not already running), then a timer for the next due retry. */
export async function syncNow(force = false) {
  if (!state.session) return { sent: 0, left: state.outbox.length, offline: !state.online };
  state.syncing = true;
  publish();
  let result;
  try {
    result = await sync({
      userId: userId(),
      force,
      onSessionEnded: () => {
        state.sessionEnded = true;
        publish();
      },
    });
    if (result.sent > 0 || !result.offline) state.online = !result.offline;
  } finally {
    state.syncing = false;
    state.lastSync = new Date();
    await refreshOutbox();
  }
  clearTimeout(timer);
  const next = await nextRetryAt();
  if (next !== null) timer = setTimeout(() => void syncNow(), Math.max(1000, next - Date.now()));
  return result;
}

/**
 * Every write of every form: into the outbox, then one sync round. Resolves with the server's answer when
 * the write went through now, `{ queued: true }` when it waits for the network, or throws the refusal.
 */
export async function write({ method = 'POST', path, body, summary }) {
  const entry = await enqueue({ method, path, body, summary, userId: userId() });
  await refreshOutbox();
  await syncNow();
  const answer = await sentAnswer(entry.id);
  if (answer !== undefined) return { answer, entry };
  const still = (await listOutbox()).find((e) => e.id === entry.id);
  if (still && still.state === 'refused') return { refused: still.problem, entry };
  return { queued: true, entry };
}

export async function startApp() {
  window.addEventListener('online', () => {
    state.online = true;
    publish();
    void syncNow(true);
  });
  window.addEventListener('offline', () => {
    state.online = false;
    publish();
  });
  setCsrfToken(lastSession ? lastSession.csrfToken : null);
  // The session check does not wait for IndexedDB: both go at once.
  await Promise.all([refreshOutbox(), loadSession()]);
  void syncNow(true);
}
