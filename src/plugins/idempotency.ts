import fp from 'fastify-plugin';
import { ConflictError, RuleViolationError, ValidationError } from '../lib/errors.js';
import { canonicalJson, sha256Hex } from '../lib/hash.js';
import * as repo from '../modules/idempotency/idempotency.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { principal: string; key: string } | null;
  }
}

/** How long a stored response is replayed; after that the key may be used again. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A request still `pending` after this long is assumed to have died with its process. */
const PENDING_TIMEOUT_MS = 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Which outcomes a retry replays: the ones where the request ran, a success or a business decision (409,
 * 422). A request refused as malformed, unauthorised or about something unknown (400, 401, 403, 404) or
 * failed on our side (5xx) did not run, so its key is released and a corrected retry may use it.
 */
const isReplayable = (status: number) => status < 400 || status === 409 || status === 422;

/**
 * `Idempotency-Key` on every authenticated POST. The first request claims the key (a row in `pending`
 * state; the primary key makes a concurrent duplicate see it), its response is stored when it is sent, and a
 * retry with the same key and body gets that response again with `Idempotent-Replayed: true`, writing
 * nothing. The same key with a different body (or route) is a 422. See isReplayable for what is kept.
 */
export default fp(
  async (app) => {
    app.decorateRequest('idempotency', null);

    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST') return;
      const header = request.headers['idempotency-key'];
      if (header === undefined) return;
      const key = Array.isArray(header) ? header[0] : header;
      if (key === undefined || !KEY_PATTERN.test(key)) {
        throw ValidationError.field('headers/idempotency-key', 'must be 1 to 255 visible ASCII characters');
      }
      const principal = request.principal;
      if (!principal) return; // public POSTs have no caller to scope a key to
      const scope = principal.kind === 'admin' ? 'admin' : principal.organizationId;
      const requestHash = sha256Hex(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`);
      const db = app.database.db;

      let claimed = await repo.claimKey(db, scope, key, requestHash);
      if (!claimed) {
        const existing = await repo.findKey(db, scope, key);
        const now = Date.now();
        if (!existing) {
          claimed = await repo.claimKey(db, scope, key, requestHash);
        } else if (now - existing.createdAt.getTime() > IDEMPOTENCY_RETENTION_MS) {
          claimed = await repo.reclaimStaleKey(db, scope, key, requestHash, new Date(now - IDEMPOTENCY_RETENTION_MS));
        } else if (existing.requestHash !== requestHash) {
          throw new RuleViolationError(
            'idempotency-key-reused',
            'This Idempotency-Key was already used with a different request body or route; use a new key for a new request.',
          );
        } else if (existing.state === 'done') {
          if (existing.responseLocation) reply.header('location', existing.responseLocation);
          return reply
            .code(existing.responseStatus ?? 200)
            .header('idempotent-replayed', 'true')
            .type(existing.responseContentType ?? 'application/json; charset=utf-8')
            .serializer((payload: unknown) => payload as string)
            .send(existing.responseBody ?? '');
        } else if (now - existing.createdAt.getTime() > PENDING_TIMEOUT_MS) {
          claimed = await repo.reclaimStaleKey(db, scope, key, requestHash, new Date(now - PENDING_TIMEOUT_MS));
        }
        if (!claimed) {
          throw new ConflictError('A request with this Idempotency-Key is still being processed; retry in a moment.');
        }
      }
      request.idempotency = { principal: scope, key };
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency;
      if (!claim) return payload;
      request.idempotency = null;
      if (!isReplayable(reply.statusCode)) {
        await repo.releaseKey(app.database.db, claim.principal, claim.key);
      } else {
        const location = reply.getHeader('location');
        await repo.completeKey(app.database.db, claim.principal, claim.key, {
          status: reply.statusCode,
          body: typeof payload === 'string' ? payload : String(payload ?? ''),
          contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
          location: location === undefined ? null : String(location),
        });
      }
      return payload;
    });

    // Expired keys are swept now and then so the table stays the size of one retention period.
    const sweep = setInterval(() => {
      repo.deleteExpiredKeys(app.database.db, new Date(Date.now() - IDEMPOTENCY_RETENTION_MS)).catch((err: unknown) => {
        app.log.warn({ err }, 'idempotency key sweep failed');
      });
    }, 60 * 60 * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'idempotency', dependencies: ['db', 'auth'] },
);
