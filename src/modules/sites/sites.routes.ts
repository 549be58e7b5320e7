import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { organizationOf } from '../../plugins/auth.js';
import { bearerAuth, IdempotencyHeaders, IdParams, page, problemResponses, ref } from '../../lib/schemas.js';
import { CreateSiteBody, Site, SiteListQuery } from './sites.schemas.js';
import * as sites from './sites.service.js';

const tags = ['sites'];

export const siteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/sites',
    {
      config: { auth: 'organization' },
      schema: {
        tags,
        summary: 'Register a site of the calling organisation',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CreateSiteBody),
        response: { 201: ref(Site), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const site = await sites.createSite(db, organizationOf(request.actor), request.body);
        return { status: 201, location: `/v1/sites/${site.id}`, body: site };
      }),
  );

  app.get(
    '/v1/sites',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: "List sites: an organisation's own; admin and regulators all, or one organisation's",
        security: bearerAuth,
        querystring: SiteListQuery,
        response: { 200: page(ref(Site)), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => sites.listSites(app.database.db, request.actor!, request.query),
  );

  app.get(
    '/v1/sites/:id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'Read a site (its organisation, regulators, admin)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Site), ...problemResponses(401, 404) },
      },
    },
    async (request) => sites.getSite(app.database.db, request.actor!, request.params.id),
  );
};
