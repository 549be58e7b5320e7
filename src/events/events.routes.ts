import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerAuth, IdParams, OrganizationRef, problemResponses, ref, Timestamp } from '../lib/schemas.js';
import { actorOf } from '../plugins/auth.js';
import { readEvent } from './event-store.js';

export const EventRecordSchema = Type.Object(
  {
    id: Type.String({ examples: ['evt_3k5m7p9r1t3v5x0h'] }),
    type: Type.String({ examples: ['transformation'] }),
    organization: OrganizationRef,
    actor: Type.Object(
      {
        kind: Type.String({ description: 'api_key, user or admin', examples: ['api_key'] }),
        keyId: Type.Union([Type.String(), Type.Null()], { description: 'The API key that recorded it; null for a user, and for events from before keys were recorded' }),
        userId: Type.Union([Type.String(), Type.Null()]),
      },
      { description: 'Who recorded the event' },
    ),
    occurredAt: Timestamp,
    recordedAt: Timestamp,
    lots: Type.Array(Type.Object({ lotId: Type.String(), role: Type.String() })),
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'Everything the event changed' }),
  },
  { $id: 'EventRecord', description: 'An event as stored: with its actor and full content, it says alone what happened' },
);

export const eventSchemas = [EventRecordSchema];

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/events/:id',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['events'],
        summary: 'Read one event: whoever may read one of the lots it concerns (an event on no lot: its organisation, regulators)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(EventRecordSchema), ...problemResponses(401, 404) },
      },
    },
    async (request) => readEvent(app.database.db, actorOf(request.actor), request.params.id),
  );
};
