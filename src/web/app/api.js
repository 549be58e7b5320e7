// The one way the app talks to the service: same origin, the session cookie, the CSRF token on writes,
// problem+json answers turned into ApiError. A request that never reached the server is a NetworkError:
// the outbox keeps the write and tries again later.

export class ApiError extends Error {
  /** @param {number} status @param {any} problem */
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || { status, title: `HTTP ${status}` };
  }
}

export class NetworkError extends Error {}

let csrfToken = null;
/** @param {string | null} token the CSRF token of the current session (from sign-in or GET /v1/auth/session) */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ idempotencyKey?: string, signal?: AbortSignal }} [options]
 */
export async function api(method, path, body, options = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    throw new NetworkError(String(error && error.message ? error.message : error));
  }
  // The service worker answers 503 with this header when it has neither the network nor a cached copy.
  if (response.status === 503 && response.headers.get('x-herbtrace-offline') === '1') throw new NetworkError('offline');
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A read: the service worker answers from its copy when the network is gone. */
export const get = (path) => api('GET', path);
