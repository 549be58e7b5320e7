import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EventRecordSchema } from '../../events/events.routes.js';
import { bearerAuth, IdParams, problemResponses, ref } from '../../lib/schemas.js';
import { actorOf } from '../../plugins/auth.js';
import type { GraphLimits } from '../provenance/index.js';
import { newLogKey, VerifiableLog } from './log.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The verifiable log: its sequencer (`sequence()` runs a step now) and reads. */
    verifiableLog: VerifiableLog;
  }
}

export interface LogRoutesOptions {
  origin: string;
  /** The signed-note private key; without one (tests, embedding) a throw-away key is made for this app. */
  signerKey: string | undefined;
  /** The sequencer's period; 0 runs no timer (a step runs when a proof of an unlogged event is asked for). */
  intervalMs: number;
  /** Witness verifier keys (cosignature/v1) whose cosignatures are accepted and served. */
  witnesses?: readonly string[];
  limits?: GraphLimits;
}

const tags = ['verifiable log'];

export const LogEventProof = Type.Object(
  {
    eventId: Type.String(),
    index: Type.Integer({ description: 'The event’s leaf index in the log' }),
    salt: Type.String({ description: 'Base64 of the 32-byte salt of the event’s commitment' }),
    commitment: Type.String({ description: 'Base64 of the log entry: SHA-256(salt ‖ RFC 8785 canonical JSON of record)' }),
    record: ref(EventRecordSchema),
    proof: Type.String({ description: 'A C2SP tlog-proof (c2sp.org/tlog-proof@v1): index, inclusion path and the signed checkpoint' }),
  },
  { $id: 'LogEventProof', description: 'Proof that an event, exactly as recorded, is in the public log' },
);

export const LogConsistencyProof = Type.Object(
  {
    from: Type.Integer(),
    to: Type.Integer(),
    proof: Type.Array(Type.String(), { description: 'RFC 9162 consistency proof, base64 hashes' }),
  },
  { $id: 'LogConsistencyProof', description: 'Proof that the tree of size `to` extends the tree of size `from`' },
);

export const LogLotEntries = Type.Object(
  {
    lotId: Type.String(),
    entries: Type.Array(Type.Object({ index: Type.Integer(), eventId: Type.String() }), { description: 'In log order' }),
  },
  { $id: 'LogLotEntries', description: 'The log entries of a lot’s events, from the log’s own tables' },
);

export const LogCosignatureSubmission = Type.Object(
  {
    checkpoint: Type.String({
      maxLength: 16_384,
      description: 'A checkpoint note this log published, with the witness’s cosignature line(s) appended (C2SP tlog-cosignature, Ed25519 cosignature/v1)',
    }),
  },
  { $id: 'LogCosignatureSubmission', additionalProperties: false },
);

export const LogCosignatureReceipt = Type.Object(
  {
    size: Type.Integer({ description: 'The tree size of the cosigned checkpoint' }),
    stored: Type.Integer({ description: 'How many of the cosignatures were new (a repeated one is stored once)' }),
    cosignatures: Type.Array(Type.Object({ name: Type.String(), keyId: Type.String(), timestamp: Type.Integer() })),
  },
  { $id: 'LogCosignatureReceipt' },
);

export const logSchemas = [LogEventProof, LogConsistencyProof, LogLotEntries, LogCosignatureSubmission, LogCosignatureReceipt];

const TileParams = Type.Object({ '*': Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const ConsistencyQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The older tree size' }),
    to: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The newer tree size (at most the current one)' }),
  },
  { additionalProperties: false },
);

const IMMUTABLE = 'public, max-age=31536000, immutable';

const plugin: FastifyPluginAsyncTypebox<LogRoutesOptions> = async (app, options) => {
  const log = new VerifiableLog(app.database.db, {
    origin: options.origin,
    signerKey: options.signerKey ?? newLogKey(options.origin).signerKey,
    onError: (err) => app.log.error({ err }, 'verifiable log: sequencing failed; retrying'),
    ...(options.witnesses ? { witnesses: options.witnesses } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  app.decorate('verifiableLog', log);
  if (options.intervalMs > 0) app.addHook('onReady', async () => log.start(options.intervalMs));
  app.addHook('preClose', async () => log.stop());

  app.get(
    '/log/checkpoint',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The latest signed checkpoint (C2SP tlog-checkpoint as a signed note, Ed25519)',
        response: { 200: Type.String({ description: 'text/plain: origin, tree size, base64 root hash, blank line, signature' }), ...problemResponses(429) },
      },
    },
    async (_request, reply) => {
      const text = await log.checkpoint();
      return (reply as FastifyReply).header('cache-control', 'public, max-age=1').type('text/plain; charset=utf-8').send(text);
    },
  );

  app.get(
    '/log/key',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The log’s verifier key (C2SP signed-note vkey): pin it to check checkpoints',
        response: { 200: Type.String({ description: 'text/plain: <name>+<key id>+<base64 key>' }), ...problemResponses(429) },
      },
    },
    async (_request, reply) => (reply as FastifyReply).header('cache-control', 'public, max-age=3600').type('text/plain; charset=utf-8').send(`${log.verifierKey}\n`),
  );

  app.get(
    '/log/tile/*',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'A tile (/log/tile/<L>/<N>[.p/<W>]) or entry bundle (/log/tile/entries/<N>[.p/<W>]), C2SP tlog-tiles',
        description: 'Full tiles and bundles never change and are cached for a year; partial ones (.p/<W>) briefly.',
        params: TileParams,
        response: { 200: Type.String({ description: 'application/octet-stream' }), ...problemResponses(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const { body, full } = await log.tile(`tile/${request.params['*']}`);
      return (reply as FastifyReply)
        .header('cache-control', full ? IMMUTABLE : 'public, max-age=60')
        .type('application/octet-stream')
        .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
  );

  app.get(
    '/log/consistency',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'A consistency proof between two tree sizes (RFC 9162 §2.1.4)',
        querystring: ConsistencyQuery,
        response: { 200: ref(LogConsistencyProof), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      const answer = await log.consistency(request.query.from, request.query.to);
      reply.header('cache-control', IMMUTABLE);
      return answer;
    },
  );

  app.post(
    '/log/cosignatures',
    {
      // Public like the witness protocol: the cosignature itself, by a configured witness key, is the credential.
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Submit a witness’s cosignature of a published checkpoint (C2SP tlog-cosignature); served with that checkpoint from then on',
        description:
          'Accepted only from witness keys in HERBTRACE_LOG_WITNESSES, verified over a checkpoint this log published. 400: not a checkpoint note; 403: no cosignature of a configured witness, or one that does not verify; 404: a checkpoint this log never published.',
        body: ref(LogCosignatureSubmission),
        response: { 200: ref(LogCosignatureReceipt), ...problemResponses(400, 403, 404, 429) },
      },
    },
    async (request) => log.addCosignatures(request.body.checkpoint),
  );

  app.get(
    '/v1/lots/:id/log-entries',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'The log entries (index, event id) of a lot’s events, for the verifier’s lot check (readers of the lot’s provenance)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(LogLotEntries), ...problemResponses(401, 404) },
      },
    },
    async (request) => log.lotEntries(actorOf(request.actor), request.params.id),
  );

  app.get(
    '/v1/events/:id/proof',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'Proof that an event is in the public log: its record, salt and a C2SP tlog-proof (whoever may read the event)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(LogEventProof), ...problemResponses(401, 404) },
      },
    },
    async (request) => log.proof(actorOf(request.actor), request.params.id),
  );
};

/** The verifiable log's routes and sequencer (fastify-plugin: `app.verifiableLog` is the app's). */
export const logRoutes = fp(plugin, { name: 'verifiable-log', dependencies: ['db'] });
