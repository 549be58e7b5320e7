import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerAuth, IdParams, problemResponses, ref } from '../../lib/schemas.js';
import type { GraphLimits } from '../provenance/index.js';
import { indexIdentifier } from './epcis-index.js';
import { EpcParams, EpcisCollection, EpcisDocumentSchema, EpcisQueryDocumentSchema, EventIdParams, EventQuerystring, JsonLdNode, TermParams } from './epcis.schemas.js';
import { DEFAULT_PER_PAGE, EPCIS_EVENT_TYPES, filterOf, queryDocument, queryEventById, queryEvents, type EventQueryParameters, type QueryContext } from './epcis.query.js';
import { documentContext } from './epcis.vocabulary.js';
import { exportLotChain, lotMasterData, organizationMasterData, siteMasterData, vocabulary, vocabularyTerm } from './epcis.service.js';

const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** application/json when the client asks for it (and not for JSON-LD), else application/ld+json. */
function jsonType(request: FastifyRequest): string {
  const accept = request.headers.accept ?? '';
  return /application\/json/.test(accept) && !/application\/ld\+json/.test(accept) ? 'application/json; charset=utf-8' : 'application/ld+json; charset=utf-8';
}
/** A browser: asks for HTML and not for JSON. */
const wantsHtml = (request: FastifyRequest) => /text\/html/.test(request.headers.accept ?? '') && !/application\/(ld\+)?json/.test(request.headers.accept ?? '');

/** A small page of a JSON-LD node's members: its name, then each member as it is. */
function htmlPage(title: string, node: Record<string, unknown>): string {
  const rows = Object.entries(node)
    .filter(([k]) => k !== '@context' && k !== '@graph')
    .map(([k, v]) => `<tr><th>${escapeHtml(k.replace(/^herbtrace:/, ''))}</th><td>${escapeHtml(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`)
    .join('');
  const graph = Array.isArray(node['@graph'])
    ? `<ul>${(node['@graph'] as Record<string, unknown>[]).map((t) => `<li><a href="${escapeHtml(t.id)}">${escapeHtml(String(t.id).split('/').pop())}</a> — ${escapeHtml(t['rdfs:comment'])}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><table>${rows}</table>${graph}</main></body></html>`;
}

function sendNode(request: FastifyRequest, reply: FastifyReply, title: string, node: Record<string, unknown>) {
  reply.header('vary', 'Accept');
  if (wantsHtml(request)) return reply.type('text/html; charset=utf-8').send(htmlPage(title, node));
  return reply.type(jsonType(request)).send(JSON.stringify(node));
}

const tags = ['epcis'];
const NODE_RESPONSE = { 200: ref(JsonLdNode), ...problemResponses(404) };

/** The REST binding's version headers, on every query answer. */
function gs1Headers(reply: FastifyReply, baseUrl: string): void {
  reply.header('GS1-EPCIS-Version', '2.0.0').header('GS1-CBV-Version', '2.0.0').header('GS1-Extensions', `herbtrace=${baseUrl}/voc/`).header('vary', 'Accept');
}

/** The query string of this request without its page token, for the Link of the next page. */
function queryWithout(request: FastifyRequest, name: string): string {
  const raw = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const params = new URLSearchParams(raw);
  params.delete(name);
  return params.toString();
}

export const epcisRoutes: FastifyPluginAsyncTypebox<{ publicBaseUrl: string; limits: GraphLimits; secretKey: string }> = async (app, { publicBaseUrl, limits, secretKey }) => {
  const baseUrl = publicBaseUrl;
  const query: QueryContext = { baseUrl, tokenKey: createHmac('sha256', Buffer.from(secretKey, 'utf8')).update('herbtrace epcis page tokens v1').digest() };
  const QUERY_DESCRIPTION =
    'SimpleEventQuery of the EPCIS 2.0 REST binding over every committed event (the EPCIS index is brought up to date first), in commit order. ' +
    'Lists are comma-separated; bizStep and disposition as bare CBV words or full URIs; identifiers as GS1 Digital Link, EPC URNs or HerbTrace URIs (compared in canonical form), ' +
    'or a class pattern (urn:epc:idpat:sgtin:{prefix}.{item}.* or the GTIN\'s Digital Link: every serial and lot of the GTIN; patterns of a company prefix or wider are a 400). ' +
    'Read rules of provenance: the events of lots the caller may read (producer, holder, receiver, past custodian); regulators and the admin see all. ' +
    'Paging: perPage (1–1000, default 30) and the signed nextPageToken of the Link rel="next" header. Unknown parameters and malformed values are 400 naming the parameter.';

  async function sendPage(request: FastifyRequest, reply: FastifyReply, path: string, anyIdentifier?: string) {
    const { perPage = DEFAULT_PER_PAGE, nextPageToken, ...rest } = request.query as EventQueryParameters;
    const filter = filterOf(rest, baseUrl);
    if (anyIdentifier !== undefined) filter.anyIdentifier = [anyIdentifier];
    const page = await queryEvents(app.database.db, request.actor!, filter, { perPage, nextPageToken }, query);
    gs1Headers(reply, baseUrl);
    if (page.nextPageToken) {
      const others = queryWithout(request, 'nextPageToken');
      reply.header('link', `<${baseUrl}${path}?${others ? `${others}&` : ''}nextPageToken=${encodeURIComponent(page.nextPageToken)}>; rel="next"`);
    }
    return reply.type(jsonType(request)).send(queryDocument(baseUrl, page.events));
  }

  app.get(
    '/epcis/events',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'EPCIS 2.0 query: the events matching the SimpleEventQuery parameters, as an EPCISQueryDocument (paged)',
        description: QUERY_DESCRIPTION,
        security: bearerAuth,
        querystring: EventQuerystring,
        response: { 200: ref(EpcisQueryDocumentSchema), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => sendPage(request, reply, '/epcis/events'),
  );

  app.get(
    '/epcis/events/:eventID',
    {
      config: { auth: 'any', fieldPaths: { eventID: 'params/eventID' } },
      schema: {
        tags,
        summary: 'One EPCIS 2.0 event by its Event Hash ID (ni:///sha-256;…?ver=CBV2.0, URL-encoded)',
        description: 'The event as stored by the EPCIS index (the form and eventID every EPCIS answer gives). 404 for an unknown id or an event the caller may not read.',
        security: bearerAuth,
        params: EventIdParams,
        response: { 200: ref(JsonLdNode), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const event = await queryEventById(app.database.db, request.actor!, request.params.eventID, query);
      gs1Headers(reply, baseUrl);
      return (reply as FastifyReply).type(jsonType(request)).send(`${JSON.stringify({ '@context': documentContext(baseUrl) }).slice(0, -1)},${event.slice(1)}`);
    },
  );

  app.get(
    '/epcis/epcs/:epc/events',
    {
      config: { auth: 'any', fieldPaths: { epc: 'params/epc' } },
      schema: {
        tags,
        summary: 'EPCIS 2.0 query: the events naming this EPC or EPC class in any of their EPC or quantity lists (paged)',
        description: `${QUERY_DESCRIPTION} The identifier is URL-encoded in the path.`,
        security: bearerAuth,
        params: EpcParams,
        querystring: EventQuerystring,
        response: { 200: ref(EpcisQueryDocumentSchema), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => sendPage(request, reply, `/epcis/epcs/${encodeURIComponent(request.params.epc)}/events`, indexIdentifier(request.params.epc)),
  );

  app.get(
    '/epcis/eventTypes',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'The EPCIS 2.0 event types this repository answers queries on',
        security: bearerAuth,
        response: { 200: ref(EpcisCollection), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      gs1Headers(reply, baseUrl);
      return (reply as FastifyReply).type(jsonType(request)).send(JSON.stringify({ '@context': documentContext(baseUrl), '@set': EPCIS_EVENT_TYPES }));
    },
  );

  app.get(
    '/v1/lots/:id/epcis',
    {
      config: { auth: 'any', fieldPaths: { lotId: 'params/id' } },
      schema: {
        tags,
        summary: 'The lot’s whole upstream chain as one GS1 EPCIS 2.0 EPCISDocument (JSON-LD), every event of the lot and its ancestors in time order, streamed',
        description:
          'Readable by whoever reads the lot’s provenance (its producer and holders, past custodians, holders of lots made from it, regulators); 404 for anyone else. ' +
          'Content type application/ld+json, or application/json when the client asks for it. Each event’s eventID is its CBV 2.0 Event Hash ID.',
        security: bearerAuth,
        params: IdParams,
        response: { 200: ref(EpcisDocumentSchema), ...problemResponses(401, 404, 422) },
      },
    },
    async (request, reply) => {
      // On the primary: the export reads the EPCIS index, which it first brings up to date.
      const document = await exportLotChain(app.database.db, request.actor!, request.params.id, { baseUrl, limits });
      // Streamed as written (the serialiser is bypassed): the GS1 JSON Schema, checked in the tests, is the contract.
      return (reply as FastifyReply).type(jsonType(request)).header('vary', 'Accept').send(Readable.from(document, { objectMode: false }));
    },
  );

  const masterData = [
    ['lot', 'A lot', lotMasterData, 'species, stage, lot number, producer and region'],
    ['site', 'A site', siteMasterData, 'name, kind, organisation and region'],
    ['org', 'An organisation', organizationMasterData, 'name and region'],
  ] as const;
  for (const [kind, what, read, shows] of masterData) {
    app.get(
      `/id/${kind}/:id`,
      {
        config: { auth: 'public', fieldPaths: { id: 'params/id' } },
        schema: {
          tags,
          summary: `${what} as a resolvable identifier: JSON-LD master data (${shows}) for machines, a small page for browsers`,
          description: 'Only what a consumer page shows. Accept: application/ld+json or application/json → JSON-LD; text/html → a page. 404 for an unknown id.',
          params: IdParams,
          response: NODE_RESPONSE,
        },
      },
      async (request, reply) => {
        const node = await read(app.database.read, request.params.id, baseUrl);
        const name = (node as Record<string, unknown>)['herbtrace:name'] ?? (node as Record<string, unknown>)['cbvmda:lotNumber'];
        return sendNode(request, reply, `${what}: ${String(name)}`, node);
      },
    );
  }

  app.get(
    '/voc/',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The HerbTrace EPCIS extension vocabulary (prefix herbtrace): every term the EPCIS events use, as JSON-LD or a page',
        response: { 200: ref(JsonLdNode) },
      },
    },
    async (request, reply) => sendNode(request, reply, 'HerbTrace EPCIS vocabulary', await vocabulary(app.database.read, baseUrl)),
  );

  app.get(
    '/voc/:term',
    {
      config: { auth: 'public', fieldPaths: { term: 'params/term' } },
      schema: {
        tags,
        summary: 'One term of the HerbTrace EPCIS vocabulary: stage, 炮制 operation, analyte, property, event type',
        params: TermParams,
        response: NODE_RESPONSE,
      },
    },
    async (request, reply) => {
      const node = await vocabularyTerm(app.database.read, request.params.term, baseUrl);
      return sendNode(request, reply, `herbtrace:${request.params.term}`, node);
    },
  );
};
