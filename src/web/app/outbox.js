// The outbox: every write the app makes is first stored here (IndexedDB, so it survives reloads and a
// restart of the phone's browser), then sent with its Idempotency-Key when the network allows: at once, on
// `online`, when the app opens, on "sync now" and on a timer with backoff. A write the server refuses stays
// here, marked refused with the server's problem, until the person corrects or discards it: nothing is
// dropped silently. Writes that depend on an earlier one (a harvest of a planting recorded offline) name it
// through a placeholder, are sent after it with the real id put in, and wait while it is refused.
import { openDB } from 'idb';
import { api, ApiError, NetworkError } from './api.js';

const DB_NAME = 'herbtrace';
const DB_VERSION = 1;

let dbPromise = null;
function db() {
  dbPromise ??= openDB(DB_NAME, DB_VERSION, {
    upgrade(database) {
      // Queued writes, in the order they were made (seq).
      database.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('id', 'id', { unique: true });
      // Answers of sent writes, by entry id: what later writes' placeholders are filled from.
      database.createObjectStore('sent', { keyPath: 'id' });
    },
  });
  return dbPromise;
}

/** A placeholder for something an earlier, not yet sent write will create: `@outbox:<entry id>/<path in its answer>`. */
export const placeholder = (entryId, answerPath) => `@outbox:${entryId}/${answerPath}`;
const PLACEHOLDER = /^@outbox:([A-Za-z0-9_-]+)\/([A-Za-z0-9_/]+)$/;
export const isPlaceholder = (value) => typeof value === 'string' && PLACEHOLDER.test(value);

/** A path segment as text (`%40outbox…` is a placeholder too); a segment that is not valid encoding is itself. */
const decodeSegment = (part) => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

function placeholdersIn(value, found = new Set()) {
  if (typeof value === 'string') {
    const m = PLACEHOLDER.exec(value);
    if (m) found.add(m[1]);
    // Only a request path has placeholders inside it, one per segment; other text (a unit of '%') is data.
    else if (value.startsWith('/')) for (const part of value.split('/')) {
      const inner = PLACEHOLDER.exec(decodeSegment(part));
      if (inner) found.add(inner[1]);
    }
  } else if (Array.isArray(value)) value.forEach((v) => placeholdersIn(v, found));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => placeholdersIn(v, found));
  return found;
}

function pick(answer, answerPath) {
  let node = answer;
  for (const key of answerPath.split('/')) {
    if (node === null || node === undefined) return undefined;
    node = node[/^\d+$/.test(key) ? Number(key) : key];
  }
  return node;
}

function fill(value, answers) {
  if (typeof value === 'string') {
    const m = PLACEHOLDER.exec(value);
    if (m) {
      const filled = pick(answers.get(m[1]), m[2]);
      if (filled === undefined) throw new Error(`unresolved ${value}`);
      return filled;
    }
    if (value.startsWith('/')) return value.split('/').map((part) => (PLACEHOLDER.test(decodeSegment(part)) ? encodeURIComponent(fill(decodeSegment(part), answers)) : part)).join('/');
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, answers));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, answers)]));
  return value;
}

const randomId = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 20);
};

const listeners = new Set();
/** @param {() => void} listener called whenever the outbox changes */
export function onOutboxChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const changed = () => listeners.forEach((l) => l());

/**
 * Queue a write. `summary` is what the person sees in the outbox ({kind, text, lotId?, creates?}).
 * @returns {Promise<{id: string, seq: number}>}
 */
export async function enqueue({ method, path, body, summary, userId }) {
  const d = await db();
  const entry = {
    id: randomId(),
    idempotencyKey: `app-${randomId()}`,
    method,
    path,
    body,
    summary,
    userId,
    dependsOn: [...placeholdersIn([path, body])],
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    problem: null,
    createdAt: new Date().toISOString(),
  };
  entry.seq = await d.add('outbox', entry);
  changed();
  return entry;
}

export async function listOutbox() {
  return (await db()).getAll('outbox');
}

export async function sentAnswer(entryId) {
  const row = await (await db()).get('sent', entryId);
  return row ? row.answer : undefined;
}

/** Discard a queued or refused write (the person chose to); writes that depend on it are discarded with it. */
export async function discard(entryId) {
  const d = await db();
  const all = await d.getAll('outbox');
  const gone = new Set([entryId]);
  for (const e of all) if (e.dependsOn.some((x) => gone.has(x))) gone.add(e.id);
  const tx = d.transaction('outbox', 'readwrite');
  for (const e of all) if (gone.has(e.id)) await tx.store.delete(e.seq);
  await tx.done;
  changed();
  return gone.size;
}

/** Correct a refused write: a new body is a new request, so it gets a new Idempotency-Key. */
export async function correct(entryId, body, summary) {
  const d = await db();
  const entry = await d.getFromIndex('outbox', 'id', entryId);
  if (!entry) return;
  Object.assign(entry, { body, summary: summary || entry.summary, idempotencyKey: `app-${randomId()}`, state: 'pending', problem: null, attempts: 0, nextAttemptAt: 0, lastError: null, dependsOn: [...placeholdersIn([entry.path, body])] });
  await d.put('outbox', entry);
  changed();
}

/** Seconds before attempt n+1 after n failures: 2, 4, 8 … up to 5 minutes, with ±20 % jitter. */
const backoffMs = (attempts) => Math.min(300_000, 1000 * 2 ** attempts) * (0.8 + Math.random() * 0.4);

let running = null;
let rerun = null;
let signedOut = false;

/**
 * What a sync round did, for the caller that waits on one write (the form) and for the badge. A round under
 * way read the outbox when it began, so a write queued or corrected since would wait for the timer: the caller
 * gets one more round after it (shared by everyone who asked meanwhile), which sees the change.
 */
export function sync({ userId, force = false, onSessionEnded } = {}) {
  if (!running) {
    running = syncRound(userId, force, onSessionEnded).finally(() => {
      running = null;
    });
    return running;
  }
  rerun ??= running
    .catch(() => undefined)
    .then(() => {
      rerun = null;
      return sync({ userId, force, onSessionEnded });
    });
  return rerun;
}

async function syncRound(userId, force, onSessionEnded) {
  const d = await db();
  const entries = await d.getAll('outbox');
  const held = new Set();
  const answers = new Map();
  let offline = false;
  let sent = 0;
  for (const entry of entries) {
    if (offline || signedOut) break;
    // Another person's writes (a shared phone) wait for that person to sign in again.
    if (entry.userId !== userId || entry.state === 'refused' || entry.dependsOn.some((x) => held.has(x))) {
      held.add(entry.id);
      continue;
    }
    if (!force && entry.nextAttemptAt > Date.now()) {
      held.add(entry.id);
      continue;
    }
    let request;
    try {
      for (const dep of entry.dependsOn) if (!answers.has(dep)) answers.set(dep, await sentAnswer(dep));
      request = { path: fill(entry.path, answers), body: fill(entry.body, answers) };
    } catch {
      // What it depends on is neither queued nor sent (discarded elsewhere): it can never be sent as it is.
      entry.state = 'refused';
      entry.problem = { type: '/problems/app/dependency-missing', title: 'dependency-missing', status: 0 };
      await d.put('outbox', entry);
      held.add(entry.id);
      continue;
    }
    try {
      const answer = await api(entry.method, request.path, request.body, { idempotencyKey: entry.idempotencyKey });
      const tx = d.transaction(['outbox', 'sent'], 'readwrite');
      await tx.objectStore('sent').put({ id: entry.id, answer, sentAt: new Date().toISOString(), summary: entry.summary });
      await tx.objectStore('outbox').delete(entry.seq);
      await tx.done;
      answers.set(entry.id, answer);
      sent += 1;
    } catch (error) {
      held.add(entry.id);
      if (error instanceof NetworkError) {
        offline = true;
        entry.lastError = 'offline';
      } else if (error instanceof ApiError && error.status === 401) {
        // The session ended: keep everything and ask the person to sign in again.
        signedOut = true;
        entry.lastError = 'signed-out';
        if (onSessionEnded) onSessionEnded();
      } else if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
        entry.state = 'refused';
        entry.problem = error.problem;
      } else {
        entry.lastError = error instanceof ApiError ? `HTTP ${error.status}` : String(error);
      }
      if (entry.state !== 'refused') {
        entry.attempts += 1;
        entry.nextAttemptAt = Date.now() + backoffMs(entry.attempts);
      }
      await d.put('outbox', entry);
    }
  }
  changed();
  const left = await d.count('outbox');
  return { sent, offline, left };
}

/** After signing in again, sending may resume. */
export function resumeAfterSignIn() {
  signedOut = false;
}

/** The time of the next retry that is due, so the app can schedule a round (null: nothing waiting on time). */
export async function nextRetryAt() {
  const entries = await listOutbox();
  const due = entries.filter((e) => e.state === 'pending').map((e) => e.nextAttemptAt);
  return due.length ? Math.min(...due) : null;
}

/** Ask the browser to keep this site's storage under pressure: the outbox must not be evicted. */
export async function requestPersistence() {
  try {
    if (navigator.storage && navigator.storage.persist) return await navigator.storage.persist();
  } catch {
    /* not offered by this browser */
  }
  return false;
}

/** Forget answers of sent writes that nothing queued refers to any more and that are older than a week. */
export async function pruneSent() {
  const d = await db();
  const queued = await d.getAll('outbox');
  const needed = new Set(queued.flatMap((e) => e.dependsOn));
  const cutoff = Date.now() - 7 * 24 * 3600 * 1000;
  const tx = d.transaction('sent', 'readwrite');
  for (const row of await tx.store.getAll()) if (!needed.has(row.id) && Date.parse(row.sentAt) < cutoff) await tx.store.delete(row.id);
  await tx.done;
}
