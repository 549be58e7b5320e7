import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { organizationOf } from '../../plugins/auth.js';
import { bearerAuth, IdempotencyHeaders, IdParams, page, problemResponses, ref } from '../../lib/schemas.js';
import { CommissionLotBody, Lot, LotEvent, LotListQuery, ObservationBody, StatusChangeBody, StatusChangeResult } from './lots.schemas.js';
import * as lots from './lots.service.js';

const tags = ['lots'];

export const lotRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/lots',
    {
      config: { auth: 'organization' },
      schema: {
        tags,
        summary: 'Commission a root lot: a seed lot, or material bought from outside the system (origin external)',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        body: ref(CommissionLotBody),
        response: { 201: ref(Lot), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const lot = await lots.commissionLot(db, organizationOf(request.actor), request.body);
        return { status: 201, location: `/v1/lots/${lot.id}`, body: lot };
      }),
  );

  app.get(
    '/v1/lots',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'List lots the caller holds or produced (regulators: all), filtered by stage, species, holder, status',
        security: bearerAuth,
        querystring: LotListQuery,
        response: { 200: page(ref(Lot)), ...problemResponses(400, 401) },
      },
    },
    async (request) => lots.listLots(app.database.db, request.actor!, request.query),
  );

  app.get(
    '/v1/lots/:id',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Read a lot (producer, holder, past custodians, the receiver of its shipment, regulators)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(Lot), ...problemResponses(401, 404) },
      },
    },
    async (request) => lots.getLot(app.database.db, request.actor!, request.params.id),
  );

  app.post(
    '/v1/lots/:id/events',
    {
      config: { auth: 'organization', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Record an observation on a lot you hold: agro_input, inspection, sensor, note',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(ObservationBody),
        response: { 201: ref(LotEvent), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 201,
        body: await lots.recordObservation(db, organizationOf(request.actor), request.params.id, request.body),
      })),
  );

  app.post(
    '/v1/lots/:id/status',
    {
      config: { auth: 'organization', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Hold, release (active), recall or destroy a lot (holder or regulator); a recall marks every descendant',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(StatusChangeBody),
        response: { 200: ref(StatusChangeResult), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 200,
        body: await lots.changeStatus(db, request.actor!, request.params.id, request.body),
      })),
  );
};
