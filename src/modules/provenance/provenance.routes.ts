import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { JsonText } from '../../lib/json-text.js';
import { bearerAuth, IdParams, problemResponses, ref } from '../../lib/schemas.js';
import { Descendants, Provenance, Timeline, TimelineQuery } from './provenance.schemas.js';
import { getDescendants, getProvenance, getTimeline, type GraphLimits } from './provenance.service.js';

const tags = ['provenance'];

const sendJson = (reply: FastifyReply, body: JsonText) => reply.type('application/json; charset=utf-8').send(body.bytes);

export const provenanceRoutes: FastifyPluginAsyncTypebox<{ limits: GraphLimits }> = async (app, { limits }) => {
  app.get(
    '/v1/lots/:id/provenance',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Upstream graph back to the seed sources: lots, edges, completeness, untraced inputs, origin shares',
        description:
          'Readable by the lot’s producer and holders, past custodians, every organisation holding a lot made from it, and regulators; 404 for anyone else.',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Provenance), ...problemResponses(401, 404, 422) },
      },
    },
    // The service writes the answer's JSON itself (the schema serializer, checking union branches value by value,
    // took longer than the query on a 1,600-lot graph): sent as it is.
    async (request, reply) => sendJson(reply, await getProvenance(app.database.read, request.actor!, request.params.id, limits)),
  );

  app.get(
    '/v1/lots/:id/descendants',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Downstream graph: every lot made from this one, grouped by current holder, with finished product totals',
        description: 'Readable by the lot’s producer, holders and past custodians, and regulators (the recall question).',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Descendants), ...problemResponses(401, 404, 422) },
      },
    },
    async (request, reply) => sendJson(reply, await getDescendants(app.database.read, request.actor!, request.params.id, limits)),
  );

  app.get(
    '/v1/lots/:id/timeline',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Events of the lot and its ancestors in the order they happened (scope=lot: its own only), paged',
        security: bearerAuth,
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: ref(Timeline), ...problemResponses(400, 401, 404, 422) },
      },
    },
    async (request) => getTimeline(app.database.read, request.actor!, request.params.id, request.query, limits),
  );
};
