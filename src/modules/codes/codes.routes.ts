import accepts from '@fastify/accepts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { replyWithWrite } from '../../plugins/idempotency.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, NotFoundError } from '../../lib/errors.js';
import { bearerAuth, IdempotencyHeaders, IdParams, page, problemResponses, ref } from '../../lib/schemas.js';
import { organizationOf } from '../../plugins/auth.js';
import { renderConsumerPage } from './consumer-page.js';
import { findResolveRow } from './codes.repository.js';
import {
  Code,
  CodeListQuery,
  CodeParams,
  CodeScans,
  ConsumerResolve,
  IssueCodesBody,
  IssuedCodes,
  LotScans,
  QrQuery,
  ResolveQuery,
  VoidCodeBody,
  type ResolveInput,
} from './codes.schemas.js';
import * as codes from './codes.service.js';
import { ScanRecorder } from './scan-recorder.js';
import { etagOf, qrPng, qrSvg } from './qr.js';
import {
  coarseNetwork,
  deviceCookieHeader,
  malformedCodeView,
  newDeviceCookie,
  parseDigitalLink,
  parseShortCode,
  PAGE_LANGUAGES,
  pageLang,
  readDeviceCookie,
  resolveCode,
  type ResolveKey,
  LotDetails,
  type LotDetailSettings,
  type ResolveSettings,
} from './resolve.service.js';

const tags = ['codes'];

export interface CodeRouteOptions {
  publicBaseUrl: string;
  scan: ResolveSettings;
  /** How the chain part of the consumer page is kept. */
  details: LotDetailSettings;
}

const wantsJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? '';
  return /application\/(problem\+)?json/.test(accept) && !/text\/html/.test(accept);
};

export const codeRoutes: FastifyPluginAsyncTypebox<CodeRouteOptions> = async (app, opts) => {
  const base = opts.publicBaseUrl;
  const settings = opts.scan;
  const recorder = new ScanRecorder(app.database.db, settings);
  // The verifiable log (registered before this plugin in app.ts): the page names the checkpoint with the product's records.
  const details = new LotDetails(app.database.read, app.hasDecorator('verifiableLog') ? app.verifiableLog : undefined, opts.details);
  await app.register(accepts); // request.language(): Accept-Language negotiation for the consumer page
  // Scans still queued are written before the database closes.
  app.addHook('onClose', async () => recorder.close());

  app.post(
    '/v1/lots/:id/codes',
    {
      config: { auth: 'organization', replay: (db, stored) => codes.issuedCodesReplay(db, stored, base), fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Issue QR codes for a lot you hold: unit codes (product lots; GS1 Digital Link with a GTIN) or lot-level codes',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(IssueCodesBody),
        response: { 201: ref(IssuedCodes), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => {
        const issued = await codes.issueCodes(db, organizationOf(request.actor), request.params.id, request.body, base);
        return { status: 201, body: issued, replay: codes.issuedCodesReplayData(issued) };
      }),
  );

  app.get(
    '/v1/lots/:id/codes',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'The codes of a lot (holder or producer): JSON pages, or every code as CSV for a label printer (format=csv)',
        security: bearerAuth,
        params: IdParams,
        querystring: CodeListQuery,
        response: { 200: page(ref(Code)), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (request.query.format === 'csv') {
        const csv = await codes.codesCsv(app.database.db, request.actor!, request.params.id, base);
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="codes-${request.params.id}.csv"`)
          .send(csv);
      }
      return codes.listCodes(app.database.db, request.actor!, request.params.id, request.query, base);
    },
  );

  app.get(
    '/v1/lots/:id/scans',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'Scan statistics of the codes of a lot (holder or producer)',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(LotScans), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => codes.lotScans(app.database.db, request.actor!, request.params.id, settings.windowHours),
  );

  app.get(
    '/v1/codes/:code/scans',
    {
      config: { auth: 'any', fieldPaths: { code: 'params/code' } },
      schema: {
        tags,
        summary: 'Scan statistics and the latest scans of one code (holder or producer of its lot)',
        security: bearerAuth,
        params: CodeParams,
        response: { 200: ref(CodeScans), ...problemResponses(401, 404) },
      },
    },
    async (request) => codes.codeScans(app.database.db, request.actor!, request.params.code, settings.windowHours),
  );

  app.post(
    '/v1/codes/:code/void',
    {
      config: { auth: 'organization', fieldPaths: { code: 'params/code' } },
      schema: {
        tags,
        summary: 'Void a code (holder of its lot): a damaged or misprinted label; consumers then see "void"',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: CodeParams,
        body: ref(VoidCodeBody),
        response: { 200: ref(Code), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (db) => ({
        status: 200,
        body: await codes.voidCode(db, organizationOf(request.actor), request.params.code, request.body.reason, base),
      })),
  );

  // QR images: the content of a code never changes, so they are cached for a year by clients and CDNs.
  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/v1/codes/:code/qr.${format}`,
      {
        config: { auth: 'public', fieldPaths: { code: 'params/code' } },
        schema: {
          tags,
          summary: `The QR image of a code as ${format.toUpperCase()} (error correction M, 4-module quiet zone)`,
          params: CodeParams,
          querystring: QrQuery,
          response: { 200: Type.String({ description: format === 'svg' ? 'image/svg+xml' : 'image/png' }), ...problemResponses(400, 404, 429) },
        },
      },
      async (request, reply) => {
        const row = await findResolveRow(app.database.read, request.params.code);
        if (!row) throw new NotFoundError(`No code ${request.params.code}.`);
        const url = codes.codeUrl(base, row, row.code, row.level);
        const size = request.query.size ?? 320;
        const body = format === 'svg' ? await qrSvg(url, size) : await qrPng(url, size);
        const etag = etagOf(body);
        reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
        if (request.headers['if-none-match'] === etag) return (reply as FastifyReply).code(304).send();
        return (reply as FastifyReply).type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(body);
      },
    );
  }

  async function resolve(request: FastifyRequest, reply: FastifyReply, parse: () => ResolveKey, query: ResolveInput, selfPath: string) {
    const lang = pageLang(query.lang, request.headers['accept-language'], () => request.language(PAGE_LANGUAGES));
    const json = wantsJson(request);
    reply.header('cache-control', 'no-store').header('vary', 'Accept, Accept-Language');
    let key: ResolveKey;
    try {
      key = parse();
    } catch (error) {
      if (json || !(error instanceof AppError)) throw error;
      // A browser gets a page, not a problem document: the code on the pack is unreadable or made up.
      const page = renderConsumerPage(malformedCodeView(lang), lang, selfPath);
      return reply.code(400).type('text/html; charset=utf-8').send(page);
    }
    // A browser without our device cookie gets one with the page (and this scan is its first); a JSON client
    // keeps its own or is counted by its network alone.
    let device = readDeviceCookie(request.headers.cookie);
    if (device === null && !json) {
      device = newDeviceCookie();
      reply.header('set-cookie', deviceCookieHeader(device, request.protocol === 'https'));
    }
    const { found, view, toJson } = await resolveCode(
      app.database,
      recorder,
      details,
      key,
      {
        network: coarseNetwork(request.ip),
        device,
        userAgent: request.headers['user-agent'] ?? null,
        lat: query.lat !== undefined && query.lon !== undefined ? query.lat : undefined,
        lon: query.lat !== undefined && query.lon !== undefined ? query.lon : undefined,
        regionCode: query.region,
      },
      lang,
      settings,
    );
    reply.code(found ? 200 : 404);
    if (json) return reply.type('application/json; charset=utf-8').send(toJson());
    return reply.type('text/html; charset=utf-8').send(renderConsumerPage(view, lang, selfPath));
  }

  // 400 is a problem document for JSON clients; browsers get the page with status 400.
  const resolveResponses = { 200: ref(ConsumerResolve), 404: ref(ConsumerResolve), ...problemResponses(400, 429) };

  app.get(
    '/q/:code',
    {
      config: { auth: 'public', fieldPaths: { code: 'params/code' } },
      schema: {
        tags,
        summary: 'Consumer resolve of a code: HTML page (zh-CN; ?lang=en or Accept-Language) or JSON (Accept: application/json)',
        params: CodeParams,
        querystring: ResolveQuery,
        response: resolveResponses,
      },
    },
    async (request, reply) => resolve(request, reply, () => parseShortCode(request.params.code), request.query, `/q/${encodeURIComponent(request.params.code)}`),
  );

  app.get(
    '/01/:gtin/10/:lot/21/:serial',
    {
      config: { auth: 'public', fieldPaths: { gtin: 'params/gtin', lot: 'params/lot', serial: 'params/serial' } },
      schema: {
        tags,
        summary: 'Consumer resolve of a GS1 Digital Link (GTIN, batch/lot, serial): HTML or JSON like /q/{code}',
        params: Type.Object(
          { gtin: Type.String({ maxLength: 64 }), lot: Type.String({ maxLength: 200 }), serial: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
        querystring: ResolveQuery,
        response: resolveResponses,
      },
    },
    async (request, reply) =>
      resolve(
        request,
        reply,
        () => parseDigitalLink(request.params.gtin, request.params.lot, request.params.serial),
        request.query,
        (request.url.split('?')[0] ?? request.url),
      ),
  );
};
