import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { page, problemResponses, ref } from '../../lib/schemas.js';
import { Species, SpeciesListQuery, SpeciesParams } from './species.schemas.js';
import * as species from './species.service.js';

const tags = ['species'];

export const speciesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/species',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The species catalogue',
        querystring: SpeciesListQuery,
        response: { 200: page(ref(Species)), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return species.listSpecies(app.database.read, request.query.kind);
    },
  );

  app.get(
    '/v1/species/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'One species of the catalogue',
        params: SpeciesParams,
        response: { 200: ref(Species), ...problemResponses(404, 429) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return species.getSpecies(app.database.read, request.params.code);
    },
  );
};
