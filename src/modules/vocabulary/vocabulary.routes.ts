import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { problemResponses, ref } from '../../lib/schemas.js';
import { Vocabulary } from './vocabulary.schemas.js';
import { vocabularyCache } from './vocabulary.service.js';

const REBUILD_MS = 60_000;

export const vocabularyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const document = vocabularyCache(app.database.read, REBUILD_MS);

  app.get(
    '/v1/vocabulary',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['vocabulary'],
        summary: 'The vocabulary of the web app and the consumer page (zh-CN and en) with species and analytes; cacheable (ETag)',
        description:
          'Stages, statuses, processing and 炮制 operations with their parameters and units, attribute and observation fields with the server’s limits, kinds, roles, and an explanation of every 422 rule and problem. Revalidate with If-None-Match: 304 when unchanged.',
        response: { 200: ref(Vocabulary), 304: { type: 'null', description: 'Not modified (If-None-Match matched)' }, ...problemResponses(429) },
      },
    },
    async (request, reply) => {
      const { text, etag } = await document();
      // Cached an hour, then revalidated by its ETag: a service worker keeps it for offline forms anyway.
      reply.header('cache-control', 'public, max-age=3600, stale-while-revalidate=86400').header('etag', etag);
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) return (reply as FastifyReply).code(304).send();
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(text);
    },
  );
};
