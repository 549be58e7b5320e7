import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
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
    async (request, reply) => {
      const organization = await organizations.createOrganization(app.database.db, request.body);
      return reply.code(201).header('location', `/v1/organizations/${organization.id}`).send(organization);
    },
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
      config: { auth: 'admin' },
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
    async (request, reply) => {
      const created = await apiKeys.createApiKey(app.database.db, request.params.id, request.body?.name);
      return reply.code(201).send(created);
    },
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
    async (request) => apiKeys.revokeApiKey(app.database.db, request.params.id, request.params.keyId),
  );
};
