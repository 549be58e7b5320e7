import type { FastifyInstance } from 'fastify';

type Headers = Record<string, string>;
type Inject = FastifyInstance['inject'];

/** Small API client for chain tests: every call asserts its expected status and returns the JSON body. */
export function chainClient(app: { inject: Inject }) {
  async function call(method: 'GET' | 'POST', url: string, headers: Headers, payload?: unknown, expect = method === 'POST' ? 201 : 200) {
    const res = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    if (res.statusCode !== expect) throw new Error(`${method} ${url} → ${res.statusCode} (expected ${expect}): ${res.body}`);
    return res.json() as any;
  }
  return {
    call,
    site: (h: Headers, body: Record<string, unknown> = {}) =>
      call('POST', '/v1/sites', h, { kind: 'cultivation_base', name: '基地', regionCode: '220621', ...body }),
    lot: (h: Headers, body: Record<string, unknown>) => call('POST', '/v1/lots', h, body),
    transform: (h: Headers, body: Record<string, unknown>) => call('POST', '/v1/transformations', h, body),
    ship: (h: Headers, body: Record<string, unknown>) => call('POST', '/v1/shipments', h, body),
    receive: (h: Headers, id: string, body: Record<string, unknown> = {}) => call('POST', `/v1/shipments/${id}/receive`, h, body, 200),
    get: (h: Headers, url: string) => call('GET', url, h),
  };
}

export const kg = (value: number | string) => ({ value, unit: 'kg' });
