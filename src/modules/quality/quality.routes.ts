import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { Type } from 'typebox';
import { organizationOf } from '../../plugins/auth.js';
import { emptyBodyAsEmptyObject } from '../../lib/route-hooks.js';
import { bearerAuth, IdempotencyHeaders, IdParams, problemResponses, ref } from '../../lib/schemas.js';
import type { GraphLimits } from '../provenance/index.js';
import * as certificates from './certificates.service.js';
import {
  Analyte,
  Certificate,
  CertificateListQuery,
  ConfirmCertificateBody,
  CreateCertificateBody,
  GiClaim,
  GiClaimBody,
  GiCodeParams,
  GiProduct,
  LabGrant,
  LabGrantBody,
  LabGrantList,
  LabReport,
  LabResultBody,
  Limit,
  SetGiRegionsBody,
  Verification,
} from './quality.schemas.js';
import * as quality from './quality.service.js';
import { verifyLot } from './verification.service.js';

const items = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item) });

export const qualityRoutes: FastifyPluginAsyncTypebox<{ limits: GraphLimits }> = async (app, { limits }) => {
  app.post(
    '/v1/lots/:id/lab-grants',
    {
      config: { auth: 'organization', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'Authorise a lab organisation to submit results for a lot you hold',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(LabGrantBody),
        response: { 201: ref(LabGrant), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 201,
        body: await quality.grantLab(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.get(
    '/v1/lab-grants',
    {
      config: { auth: 'organization' },
      schema: {
        tags: ['quality'],
        summary: 'For a lab: the lots it is authorised to submit results for (granted by their current holder), newest first',
        security: bearerAuth,
        response: { 200: ref(LabGrantList), ...problemResponses(401, 403) },
      },
    },
    async (request) => quality.listLabGrants(app.database.db, organizationOf(request.actor)),
  );

  app.post(
    '/v1/lots/:id/lab-results',
    {
      config: { auth: 'organization', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'Submit a lab report (holder or authorised lab): judged per item and overall against the pharmacopoeia; a fail holds the lot',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(LabResultBody),
        response: { 201: ref(LabReport), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 201,
        location: `/v1/lots/${request.params.id}/lab-results`,
        body: await quality.submitLabResults(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.get(
    '/v1/lots/:id/lab-results',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'Lab reports of a lot, newest test first (readers of its provenance and authorised labs)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: items(ref(LabReport)), ...problemResponses(401, 404) },
      },
    },
    async (request) => quality.listLabResults(app.database.db, request.actor!, request.params.id, limits),
  );

  app.get(
    '/v1/lots/:id/verification',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'Verify a lot’s whole upstream: chain complete, lab tests, holds and recalls, GAP bases, GI claims, custody',
        description: 'Readable like provenance: producer and holders, past custodians, holders of a lot made from it, regulators.',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Verification), ...problemResponses(401, 404, 422) },
      },
    },
    async (request) => verifyLot(app.database.read, request.actor!, request.params.id, limits),
  );

  app.post(
    '/v1/lots/:id/gi-claims',
    {
      config: { auth: 'organization', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'Claim a geographical indication for a lot you hold: every origin in its protected regions, producer authorised',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(GiClaimBody),
        response: { 201: ref(GiClaim), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 201,
        body: await quality.claimGi(db, organizationOf(request.actor), request.params.id, request.body, limits),
      })),
  );

  app.get(
    '/v1/lots/:id/gi-claims',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags: ['quality'],
        summary: 'GI claims of a lot',
        security: bearerAuth,
        params: IdParams,
        response: { 200: items(ref(GiClaim)), ...problemResponses(401, 404) },
      },
    },
    async (request) => quality.listGiClaims(app.database.db, request.actor!, request.params.id, limits),
  );

  app.get(
    '/v1/analytes',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['quality'],
        summary: 'The analyte vocabulary of lab results, with the units each may be reported in',
        response: { 200: items(ref(Analyte)), ...problemResponses(429) },
      },
    },
    async () => quality.listAnalytes(app.database.read),
  );

  app.get(
    '/v1/pharmacopoeia-limits',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['quality'],
        summary: 'Pharmacopoeia limits of an edition (default: the newest loaded), optionally of one monograph',
        querystring: Type.Object(
          { edition: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })), monograph: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ edition: Type.Union([Type.String(), Type.Null()]), items: Type.Array(ref(Limit)) }), ...problemResponses(400, 429) },
      },
    },
    async (request) => quality.listLimits(app.database.read, request.query),
  );

  app.post(
    '/v1/certificates',
    {
      config: { auth: 'organization' },
      schema: {
        tags: ['certificates'],
        summary: 'Record a certificate you hold: GAP or organic for a site, gi_use authorisation for a GI, or other',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CreateCertificateBody),
        response: { 201: ref(Certificate), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const certificate = await certificates.createCertificate(db, organizationOf(request.actor), request.body);
        return { status: 201, location: `/v1/certificates/${certificate.id}`, body: certificate };
      }),
  );

  app.post(
    '/v1/certificates/:id/confirm',
    {
      config: { auth: 'organization', fieldPaths: { certificateId: 'params/id' } },
      preValidation: emptyBodyAsEmptyObject,
      schema: {
        tags: ['certificates'],
        summary: 'Confirm another organisation’s certificate (regulators and certifiers): only confirmed certificates count',
        description: 'Writes a certificate_confirmed event with the certificate’s contents. 403 for other organisations and for your own certificate; 422 certificate-already-confirmed.',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(ConfirmCertificateBody),
        response: { 200: ref(Certificate), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 200,
        body: await certificates.confirmCertificate(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.get(
    '/v1/certificates',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['certificates'],
        summary: 'Certificates, filtered by organisation, site, kind, GI, authority and number, or assertion',
        security: bearerAuth,
        querystring: CertificateListQuery,
        response: { 200: items(ref(Certificate)), ...problemResponses(400, 401) },
      },
    },
    async (request) => certificates.listCertificates(app.database.db, request.query),
  );

  app.get(
    '/v1/certificates/:id',
    {
      config: { auth: 'any', fieldPaths: { certificateId: 'params/id' } },
      schema: {
        tags: ['certificates'],
        summary: 'One certificate',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Certificate), ...problemResponses(401, 404) },
      },
    },
    async (request) => certificates.getCertificate(app.database.db, request.params.id),
  );

  app.get(
    '/v1/gi-products',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['certificates'],
        summary: 'Geographical-indication products and their protected regions (configurable data)',
        response: { 200: items(ref(GiProduct)), ...problemResponses(429) },
      },
    },
    async () => quality.listGiProducts(app.database.read),
  );

  app.get(
    '/v1/gi-products/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['certificates'],
        summary: 'One GI product',
        params: GiCodeParams,
        response: { 200: ref(GiProduct), ...problemResponses(404, 429) },
      },
    },
    async (request) => quality.getGiProduct(app.database.read, request.params.code),
  );

  app.put(
    '/v1/gi-products/:code/regions',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['certificates'],
        summary: 'Replace the protected regions of a GI (admin), with whether the list is verified and its source',
        security: bearerAuth,
        params: GiCodeParams,
        body: ref(SetGiRegionsBody),
        response: { 200: ref(GiProduct), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({ status: 200, body: await quality.setGiRegions(db, request.params.code, request.body) })),
  );
};
