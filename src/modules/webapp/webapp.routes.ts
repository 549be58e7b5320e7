import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encoded, loadWebAssets, type Encoding, type WebAsset } from './webapp.assets.js';

/**
 * The field app at /app/: its shell (HTML naming the entry module), its service worker, its bundled ES modules
 * and its styles and icons, all public (the app signs in with the session cookie through the API) and hidden
 * from the API document. Built in memory on first use (webapp.assets.ts), compressed (brotli, else gzip) once,
 * on first request.
 */

/**
 * The encoding to send for an Accept-Encoding header: brotli, then gzip, then none. A coding listed with
 * q=0 is refused; `*` stands for any coding not listed.
 */
export function chooseEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name.trim(), qParam ? Number(qParam.slice(2)) || 0 : 1);
  }
  const accepted = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepted('br')) return 'br';
  if (accepted('gzip')) return 'gzip';
  return 'identity';
}

/** If-None-Match against the validator of what would be sent (weak comparison, as RFC 9110 says for GET). */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

async function sendAsset(request: FastifyRequest, reply: FastifyReply, file: WebAsset) {
  const chosen = await encoded(file, chooseEncoding(request.headers['accept-encoding']));
  // The same URL answers in several encodings: caches must key on Accept-Encoding.
  reply.header('vary', 'accept-encoding').header('cache-control', file.cacheControl).header('etag', chosen.etag);
  if (notModified(request, chosen.etag)) return reply.code(304).send();
  if (chosen.encoding !== 'identity') reply.header('content-encoding', chosen.encoding);
  return reply.type(file.type).send(chosen.body);
}

export const webappRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The shell runs no inline script at all; it talks to its own origin only.
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const hide = { hide: true } as const;
  const config = { auth: 'public' } as const;
  const file = async (url: string) => (await loadWebAssets()).files.get(url);

  app.get('/app', { config, schema: hide }, async (_request, reply) => reply.redirect('/app/', 301));
  app.get('/app/', { config, schema: hide }, async (request, reply) => sendAsset(request, reply.header('content-security-policy', csp), (await file('/app/'))!));
  app.get('/app/sw.js', { config, schema: hide }, async (request, reply) => sendAsset(request, reply.header('service-worker-allowed', '/app/'), (await file('/app/sw.js'))!));

  // The bundles (/app/build/…, content-hashed names, immutable) and the styles and icons (revalidated on
  // every load; the service worker keeps them offline). Only what the build made is there: no file of the
  // source tree or of node_modules can be named.
  app.get('/app/*', { config, schema: hide }, async (request, reply) => {
    const found = await file(request.url.split('?')[0]!);
    return found ? sendAsset(request, reply, found) : reply.callNotFound();
  });
};
