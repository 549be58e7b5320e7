import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/client.js';
import { RuleViolationError, ValidationError } from '../lib/errors.js';
import { canonicalJson, sha256Hex } from '../lib/hash.js';
import * as repo from '../modules/idempotency/index.js';

/** Rebuilds a replayed answer from what the route chose to store instead of its body (see WriteOutcome.replay). */
export type ReplayBuilder = (db: Database, stored: unknown) => Promise<unknown>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** For routes whose answer is too large or too secret to store: how a replay rebuilds it. */
    replay?: ReplayBuilder;
  }
  interface FastifyRequest {
    idempotency: { scope: string; key: string; requestHash: string; stored: boolean } | null;
  }
}

/** How long a stored response is replayed; after that the key may be used again. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Refusals a retry replays: business decisions (409, 422) taken after the request was understood. A request
 * refused as malformed, unauthorised or about something unknown (400, 401, 403, 404), or failed on our side
 * (5xx), did not run: nothing is kept, and a corrected retry may use the key.
 */
const isReplayableRefusal = (status: number) => status === 409 || status === 422;

/** What a write route answers; `replay`, when given, is stored instead of the body and rebuilt by config.replay. */
export interface WriteOutcome<T> {
  status: number;
  body: T;
  location?: string;
  replay?: unknown;
}

/** The key was committed by a concurrent request with the same key while this one waited for it. */
class KeyTakenMeanwhile extends Error {}

/**
 * Runs a write as one unit of work and answers it. With an Idempotency-Key, the key is claimed as the first
 * statement of the transaction and the answer is stored in the same transaction as the write it protects: a
 * crash before the commit leaves neither (the retry runs the request afresh), a crash after it leaves both (the
 * retry replays). A concurrent duplicate waits on the key's unique index until the first commits, then replays.
 * Without a key the work runs on the database directly (its services open their own transactions).
 */
export async function replyWithWrite<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  work: (db: Database) => Promise<WriteOutcome<T>>,
): Promise<FastifyReply> {
  const db = request.server.database.db;
  const claim = request.idempotency;
  if (!claim) {
    const outcome = await work(db);
    if (outcome.location) reply.header('location', outcome.location);
    return reply.code(outcome.status).send(outcome.body);
  }
  let committed: { outcome: WriteOutcome<T>; payload: string };
  try {
    committed = await db.transaction(async (tx) => {
      if (!(await repo.claimKey(tx, claim.scope, claim.key, claim.requestHash, retentionCutoff()))) throw new KeyTakenMeanwhile();
      const outcome = await work(tx);
      // The route's response schema serialises the body here, inside the transaction, so the stored bytes are
      // exactly the bytes sent.
      const payload = String(reply.code(outcome.status).serialize(outcome.body));
      await repo.completeKey(tx, claim.scope, claim.key, {
        status: outcome.status,
        body: outcome.replay === undefined ? payload : null,
        replay: outcome.replay,
        contentType: JSON_TYPE,
        location: outcome.location ?? null,
      });
      return { outcome, payload };
    });
  } catch (error) {
    if (!(error instanceof KeyTakenMeanwhile)) throw error;
    const stored = await repo.findKey(db, claim.scope, claim.key);
    if (!stored) throw error;
    claim.stored = true;
    return replayStored(request, reply, stored);
  }
  claim.stored = true;
  if (committed.outcome.location) reply.header('location', committed.outcome.location);
  return reply.code(committed.outcome.status).type(JSON_TYPE).serializer(passThrough).send(committed.payload);
}

const passThrough = (payload: unknown) => payload as string;
const retentionCutoff = () => new Date(Date.now() - IDEMPOTENCY_RETENTION_MS);

async function replayStored(request: FastifyRequest, reply: FastifyReply, stored: repo.IdempotencyRecord): Promise<FastifyReply> {
  if (stored.requestHash !== request.idempotency?.requestHash) throw keyReused();
  if (stored.responseLocation) reply.header('location', stored.responseLocation);
  reply.code(stored.responseStatus ?? 200).header('idempotent-replayed', 'true');
  let body = stored.responseBody ?? '';
  if (stored.responseReplay !== null && stored.responseReplay !== undefined) {
    const rebuild = request.routeOptions.config.replay;
    if (!rebuild) throw new Error(`no replay builder on ${request.routeOptions.url} for a stored replay`);
    body = String(reply.serialize(await rebuild(request.server.database.db, stored.responseReplay)));
  }
  return reply
    .type(stored.responseContentType ?? JSON_TYPE)
    .serializer(passThrough)
    .send(body);
}

const keyReused = () =>
  new RuleViolationError(
    'idempotency-key-reused',
    'This Idempotency-Key was already used with a different request body or route; use a new key for a new request.',
  );

/**
 * `Idempotency-Key` on every authenticated POST, PUT and DELETE. A retry with the same key and body gets the
 * first answer again with `Idempotent-Replayed: true` and writes nothing; the same key with a different body
 * (or route) is a 422. Write routes answer through replyWithWrite, which stores the answer with the write.
 */
export default fp(
  async (app) => {
    app.decorateRequest('idempotency', null);

    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'DELETE') return;
      const header = request.headers['idempotency-key'];
      if (header === undefined) return;
      const key = Array.isArray(header) ? header[0] : header;
      if (key === undefined || !KEY_PATTERN.test(key)) {
        throw ValidationError.field('headers/idempotency-key', 'must be 1 to 255 visible ASCII characters');
      }
      const principal = request.actor;
      if (!principal) return; // public writes have no caller to scope a key to
      const scope = principal.kind === 'admin' ? 'admin' : principal.organizationId;
      const requestHash = sha256Hex(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
      request.idempotency = { scope, key, requestHash, stored: false };

      const existing = await repo.findKey(app.database.db, scope, key);
      if (!existing || existing.createdAt < retentionCutoff()) return;
      request.idempotency.stored = true;
      return replayStored(request, reply, existing);
    });

    // A refusal the request reached by running (409, 422) is kept too, so that a retry gets the same answer even
    // if the state changed meanwhile. Its transaction rolled back, so it is stored on its own; a crash before
    // this write only means the retry runs again, which writes nothing new either.
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency;
      if (!claim || claim.stored) return payload;
      claim.stored = true;
      if (reply.statusCode < 400) {
        request.log.error({ route: request.routeOptions.url }, 'write route answered without replyWithWrite: its Idempotency-Key was not kept');
      } else if (isReplayableRefusal(reply.statusCode)) {
        await repo.storeRefusal(app.database.db, claim.scope, claim.key, claim.requestHash, retentionCutoff(), {
          status: reply.statusCode,
          body: typeof payload === 'string' ? payload : String(payload ?? ''),
          contentType: String(reply.getHeader('content-type') ?? 'application/problem+json; charset=utf-8'),
        });
      }
      return payload;
    });

    // Expired keys are swept now and then so the table stays the size of one retention period.
    const sweep = setInterval(() => {
      repo.deleteExpiredKeys(app.database.db, retentionCutoff()).catch((err: unknown) => {
        app.log.warn({ err }, 'idempotency key sweep failed');
      });
    }, 60 * 60 * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'idempotency', dependencies: ['db', 'auth'] },
);
