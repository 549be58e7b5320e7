import type { Test } from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/** Anything that can `inject` (the app returned by setupApp). */
export interface Injector {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId: string;
  rule?: string;
  errors?: { path: string; message: string }[];
}

/**
 * Asserts an RFC 9457 problem response: status, content type, the problem fields, the request id in the body
 * matching the x-request-id header, and (when given) the problem type. Returns the parsed problem.
 */
export function expectProblem(t: Test, res: LightMyRequestResponse, status: number, type?: string): ProblemBody {
  t.equal(res.statusCode, status, `status ${status} (body: ${res.body.slice(0, 300)})`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'content-type is application/problem+json');
  const body = res.json() as ProblemBody;
  t.equal(body.status, status, 'problem.status equals the HTTP status');
  if (type !== undefined) t.equal(body.type, type, 'problem.type');
  t.type(body.type, 'string');
  t.type(body.title, 'string');
  t.ok(body.title.length > 0, 'problem.title is not empty');
  t.type(body.detail, 'string');
  t.equal(body.requestId, res.headers['x-request-id'], 'problem.requestId equals the x-request-id header');
  t.notMatch(res.body, /\n\s+at /, 'no stack trace frames');
  t.notMatch(res.body, /node_modules|\.ts:\d+/, 'no source paths');
  return body;
}

/** The sorted `errors[].path` of a problem. */
export function errorPaths(problem: ProblemBody): string[] {
  return (problem.errors ?? []).map((e) => e.path).sort();
}

/** Walks every page of a list endpoint and returns all items (throws on a non-200 page). */
export async function listAll<T = Record<string, unknown>>(
  app: Injector,
  url: string,
  headers: Record<string, string>,
  limit = 200,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const sep = url.includes('?') ? '&' : '?';
    const pageUrl = `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url: pageUrl, headers });
    if (res.statusCode !== 200) throw new Error(`GET ${pageUrl} → ${res.statusCode} ${res.body}`);
    const page = res.json() as { items: T[]; nextCursor: string | null };
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
  throw new Error(`GET ${url}: more than 1000 pages`);
}

/** ISO 8601 timestamp within the last `seconds` seconds. */
export function isRecentTimestamp(value: unknown, seconds = 120): boolean {
  if (typeof value !== 'string') return false;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && Math.abs(Date.now() - ms) < seconds * 1000;
}
