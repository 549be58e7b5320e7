import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encoded, loadWebAssets, type Encoding, type WebAsset } from './webapp.assets.js';

/**
 * The field app at /app/: its shell (HTML with the import map), its service worker, its own ES modules and
 * the libraries it imports, all public (the app signs in with the session cookie through the API) and
 * hidden from the API document. Nothing is built: the files are served as they are, held in memory from
 * start-up and compressed (brotli, else gzip) once, on first request.
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
  const assets = loadWebAssets();

  // The shell runs no inline script but the import map, allowed by its hash; it talks to its own origin only.
  const csp = [
    "default-src 'self'",
    `script-src 'self' '${assets.importMapHash}'`,
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
  const file = (url: string) => assets.files.get(url)!;

  app.get('/app', { config, schema: hide }, async (_request, reply) => reply.redirect('/app/', 301));
  app.get('/app/', { config, schema: hide }, async (request, reply) => sendAsset(request, reply.header('content-security-policy', csp), file('/app/')));

  app.get('/app/sw.js', { config, schema: hide }, async (request, reply) => sendAsset(request, reply.header('service-worker-allowed', '/app/'), file('/app/sw.js')));

  // Libraries from node_modules, at versioned URLs: cached for a year, and a new version is a new URL. Only
  // the files the entry points pull in are there (no other file of the package, no path out of it).
  app.get('/app/vendor/*', { config, schema: hide }, async (request, reply) => {
    const found = assets.files.get(request.url.split('?')[0]!);
    return found ? sendAsset(request, reply, found) : reply.callNotFound();
  });

  // The app's own modules, styles and icons (src/web/app/…) and the modules shared with the server
  // (src/web/lib/…, as /app/lib/…). Revalidated on every load; the service worker keeps them offline.
  app.get('/app/*', { config, schema: hide }, async (request, reply) => {
    const found = assets.files.get(request.url.split('?')[0]!);
    return found && !found.cacheControl.includes('immutable') ? sendAsset(request, reply, found) : reply.callNotFound();
  });
};
