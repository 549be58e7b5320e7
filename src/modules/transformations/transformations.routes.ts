import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { organizationOf } from '../../plugins/auth.js';
import { bearerAuth, IdempotencyHeaders, problemResponses, ref } from '../../lib/schemas.js';
import { CreateTransformationBody, Transformation } from './transformations.schemas.js';
import { createTransformation } from './transformations.service.js';

export const transformationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/transformations',
    {
      config: { auth: 'organization' },
      schema: {
        tags: ['lots'],
        summary: 'Record a transformation: inputs drawn down, output lots created (planting, harvest, processing, split, merge …)',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CreateTransformationBody),
        response: { 201: ref(Transformation), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 201,
        body: await createTransformation(db, organizationOf(request.actor), request.body),
      })),
  );
};
