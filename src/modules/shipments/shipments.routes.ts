import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { organizationOf } from '../../plugins/auth.js';
import { emptyBodyAsEmptyObject } from '../../lib/route-hooks.js';
import { bearerAuth, IdempotencyHeaders, IdParams, page, problemResponses, ref } from '../../lib/schemas.js';
import { CreateShipmentBody, ReceiveShipmentBody, RefuseShipmentBody, Shipment, ShipmentListQuery } from './shipments.schemas.js';
import * as shipments from './shipments.service.js';

const tags = ['shipments'];

export const shipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/shipments',
    {
      config: { auth: 'organization' },
      schema: {
        tags,
        summary: 'Ship lots you hold to another organisation (a partial quantity splits off a child lot that travels)',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CreateShipmentBody),
        response: { 201: ref(Shipment), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const shipment = await shipments.createShipment(db, organizationOf(request.actor), request.body);
        return { status: 201, location: `/v1/shipments/${shipment.id}`, body: shipment };
      }),
  );

  app.post(
    '/v1/shipments/:id/receive',
    {
      config: { auth: 'organization', fieldPaths: { shipmentId: 'params/id' } },
      preValidation: emptyBodyAsEmptyObject,
      schema: {
        tags,
        summary: 'Receive a shipment: custody of its lots passes to you',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(ReceiveShipmentBody),
        response: { 200: ref(Shipment), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 200,
        body: await shipments.receiveShipment(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.post(
    '/v1/shipments/:id/refuse',
    {
      config: { auth: 'organization', fieldPaths: { shipmentId: 'params/id' } },
      schema: {
        tags,
        summary: 'Refuse a shipment: its lots return to the sender',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(RefuseShipmentBody),
        response: { 200: ref(Shipment), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 200,
        body: await shipments.refuseShipment(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.get(
    '/v1/shipments',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'Shipments you send or receive (regulators: all)',
        security: bearerAuth,
        querystring: ShipmentListQuery,
        response: { 200: page(ref(Shipment)), ...problemResponses(400, 401) },
      },
    },
    async (request) => shipments.listShipments(app.database.db, request.actor!, request.query),
  );

  app.get(
    '/v1/shipments/:id',
    {
      config: { auth: 'any', fieldPaths: { shipmentId: 'params/id' } },
      schema: {
        tags,
        summary: 'Read a shipment (sender, receiver, regulators)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Shipment), ...problemResponses(401, 404) },
      },
    },
    async (request) => shipments.getShipment(app.database.db, request.actor!, request.params.id),
  );
};
