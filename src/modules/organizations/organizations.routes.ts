import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { Type } from 'typebox';
import { emptyBodyAsEmptyObject } from '../../lib/route-hooks.js';
import { bearerAuth, IdempotencyHeaders, IdParams, page, problemResponses, ref } from '../../lib/schemas.js';
import * as apiKeys from './api-keys.service.js';
import * as organizations from './organizations.service.js';
import {
  ApiKey,
  ApiKeyParams,
  CreateApiKeyBody,
  CreatedApiKey,
  CreateOrganizationBody,
  Organization,
  OrganizationListQuery,
} from './organizations.schemas.js';

const tags = ['organizations'];

export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/organizations',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Register an organisation (admin)',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CreateOrganizationBody),
        response: { 201: ref(Organization), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const organization = await organizations.createOrganization(db, request.body);
        return { status: 201, location: `/v1/organizations/${organization.id}`, body: organization };
      }),
  );

  app.get(
    '/v1/organizations',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'List organisations',
        security: bearerAuth,
        querystring: OrganizationListQuery,
        response: { 200: page(ref(Organization)), ...problemResponses(400, 401) },
      },
    },
    async (request) => organizations.listOrganizations(app.database.db, request.query),
  );

  app.get(
    '/v1/organizations/:id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'Read an organisation',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Organization), ...problemResponses(401, 404) },
      },
    },
    async (request) => organizations.getOrganization(app.database.db, request.params.id),
  );

  app.post(
    '/v1/organizations/:id/api-keys',
    {
      config: { auth: 'admin', replay: async (_db, stored) => ({ ...(stored as object), key: null }) },
      preValidation: emptyBodyAsEmptyObject,
      schema: {
        tags,
        summary: 'Create an API key for an organisation (admin); the key is shown only in this response',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(CreateApiKeyBody),
        response: { 201: ref(CreatedApiKey), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const created = await apiKeys.createApiKey(db, request.params.id, request.body ?? {});
        // The secret is never kept, not even for a replay: the replay says the key exists and cannot be shown again.
        const { key: _secret, ...withoutSecret } = created;
        return { status: 201, body: created, replay: withoutSecret };
      }),
  );

  app.get(
    '/v1/organizations/:id/api-keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: "List an organisation's API keys (admin); secrets are never shown again",
        security: bearerAuth,
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(ref(ApiKey)) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => apiKeys.listApiKeys(app.database.db, request.params.id),
  );

  app.delete(
    '/v1/organizations/:id/api-keys/:keyId',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Revoke an API key (admin); it stops working at once',
        security: bearerAuth,
        params: ApiKeyParams,
        response: { 200: ref(ApiKey), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({ status: 200, body: await apiKeys.revokeApiKey(db, request.params.id, request.params.keyId) })),
  );
};
