/**
 * Load generator, run as its own process so it does not share the server's event loop. Reads a JSON plan
 * from argv[2]: target URL, headers, concurrency, duration, and a body factory by name. Each worker keeps
 * one keep-alive connection and sends requests back to back; prints one JSON result line.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

interface Plan {
  url: string;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  expectStatus: number;
  body:
    | { kind: 'transformation'; pairs: [string, string][]; runTag: string }
    | { kind: 'plain'; runTag: string }
    // GET each path once, in order, spread over the workers (durationMs is ignored).
    | { kind: 'get'; paths: string[] }
    // GET the paths round-robin for durationMs: closed loop (each worker back to back), or, with ratePerSec, an
    // open loop that starts requests on a fixed schedule and measures each from its scheduled start (so a slow
    // response cannot hide the queueing behind it); concurrency then caps the requests in flight.
    | { kind: 'getLoop'; paths: string[]; ratePerSec?: number }
    // POST a sign-in for the logins round-robin (each worker back to back) for durationMs.
    | { kind: 'login'; logins: string[]; password: string };
}

const arg = process.argv[2]!;
const plan = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as Plan;
const target = new URL(plan.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });

function bodyFor(worker: number, n: number): string {
  const b = plan.body;
  if (b.kind === 'get' || b.kind === 'getLoop') throw new Error('GET plans have no body');
  if (b.kind === 'plain') return JSON.stringify({ id: `${b.runTag}-${worker}-${n}`, payload: { worker, n } });
  if (b.kind === 'login') return JSON.stringify({ login: b.logins[(worker * 7919 + n) % b.logins.length], password: b.password });
  const [a, c] = b.pairs[worker]!;
  return JSON.stringify({
    occurredAt: '2025-01-01T08:00:00+08:00',
    inputs: [
      { lotId: a, quantity: { value: '0.002', unit: 'kg' } },
      { lotId: c, quantity: { value: '0.002', unit: 'kg' } },
    ],
    outputs: [
      { stage: 'seed', lotNumber: `${b.runTag}${worker}-${n}a`, quantity: { value: '0.002', unit: 'kg' } },
      { stage: 'seed', lotNumber: `${b.runTag}${worker}-${n}b`, quantity: { value: '0.002', unit: 'kg' } },
    ],
  });
}

/** One request on the keep-alive agent; resolves with the status once the body has been read. */
function send(method: 'GET' | 'POST', path: string, body?: string): Promise<number> {
  const headers = body === undefined ? plan.headers : { ...plan.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path, method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const get = (path: string) => send('GET', path);
const post = (body: string) => send('POST', target.pathname, body);

const latencies: number[] = [];
let errors = 0;
let firstError: string | undefined;

/** Records one response: its latency from `since` and whether it had the expected status. */
function record(status: number, since: bigint, what: string): void {
  latencies.push(Number(process.hrtime.bigint() - since) / 1e6);
  if (status !== plan.expectStatus) {
    errors++;
    firstError ??= `status ${status}${what}`;
  }
}
const deadline = Date.now() + plan.durationMs;
const started = Date.now();

if (plan.body.kind === 'get') {
  const paths = plan.body.paths;
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        const t0 = process.hrtime.bigint();
        record(await get(path), t0, ` for ${path}`);
      }
    }),
  );
} else if (plan.body.kind === 'getLoop' && plan.body.ratePerSec) {
  const { paths, ratePerSec } = plan.body;
  const total = Math.floor((plan.durationMs / 1000) * ratePerSec);
  const t0 = process.hrtime.bigint();
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = t0 + BigInt(Math.round((i * 1e9) / ratePerSec));
    const wait = Number(scheduled - process.hrtime.bigint()) / 1e6;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= plan.concurrency) {
      errors++;
      firstError ??= `more than ${plan.concurrency} requests in flight: the server fell behind the schedule`;
      continue;
    }
    inFlight++;
    const path = paths[i % paths.length]!;
    pending.push(
      get(path).then(
        (status) => {
          inFlight--;
          record(status, scheduled, ` for ${path}`);
        },
        (error: Error) => {
          inFlight--;
          errors++;
          firstError ??= error.message;
        },
      ),
    );
  }
  await Promise.all(pending);
} else if (plan.body.kind === 'getLoop') {
  const paths = plan.body.paths;
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (Date.now() < deadline) {
        const path = paths[next++ % paths.length]!;
        const t0 = process.hrtime.bigint();
        record(await get(path), t0, ` for ${path}`);
      }
    }),
  );
} else await Promise.all(
  Array.from({ length: plan.concurrency }, async (_, worker) => {
    for (let n = 0; Date.now() < deadline; n++) {
      const t0 = process.hrtime.bigint();
      record(await post(bodyFor(worker, n)), t0, '');
    }
  }),
);
agent.destroy();
const elapsedMs = plan.body.kind === 'get' ? Date.now() - started : plan.durationMs;
process.stdout.write(`${JSON.stringify({ latencies, errors, firstError, elapsedMs })}\n`);
