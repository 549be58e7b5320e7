import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { loadWebAssets } from './webapp.assets.js';

/**
 * The field app at /app/: its shell (HTML with the import map), its service worker, its own ES modules and
 * the libraries it imports, all public (the app signs in with the session cookie through the API) and
 * hidden from the API document. Files are served as they are on disk; nothing is built.
 */
export const webappRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const assets = loadWebAssets();
  // sendFile only: the routes below decide what may be served (no directory is exposed as a whole).
  await app.register(fastifyStatic, { root: assets.webRoot, serve: false });

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

  const sendShell = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', csp)
      .header('cache-control', 'no-cache')
      .header('etag', `"${assets.version}"`)
      .type('text/html; charset=utf-8')
      .send(assets.indexHtml);

  app.get('/app', { config, schema: hide }, async (_request, reply) => reply.redirect('/app/', 301));
  app.get('/app/', { config, schema: hide }, async (_request, reply) => sendShell(reply));

  app.get('/app/sw.js', { config, schema: hide }, async (_request, reply) =>
    reply
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/app/')
      .type('text/javascript; charset=utf-8')
      .send(assets.serviceWorker),
  );

  // Libraries from node_modules, at versioned URLs: cached for a year, and a new version is a new URL.
  app.get<{ Params: { pkg: string; '*': string } }>('/app/vendor/:pkg/*', { config, schema: hide }, async (request, reply) => {
    const at = request.params.pkg.lastIndexOf('@');
    const pkg = at > 0 ? assets.vendor.get(request.params.pkg.slice(0, at)) : undefined;
    const file = request.params['*'];
    if (!pkg || request.params.pkg.slice(at + 1) !== pkg.version || !pkg.files.has(file)) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(file, pkg.root, { cacheControl: false });
  });

  // The app's own modules, styles and icons (src/web/app/…) and the modules shared with the server
  // (src/web/lib/…, as /app/lib/…). Revalidated on every load; the service worker keeps them offline.
  const own = new Set(assets.shellUrls.filter((u) => u !== '/app/' && !u.startsWith('/app/vendor/')));
  app.get<{ Params: { '*': string } }>('/app/*', { config, schema: hide }, async (request, reply) => {
    const url = `/app/${request.params['*']}`;
    if (!own.has(url)) return reply.callNotFound();
    const rel = url.startsWith('/app/lib/') ? url.slice('/app/'.length) : url.slice(1);
    return reply.header('cache-control', 'no-cache').sendFile(path.posix.normalize(rel), assets.webRoot, { cacheControl: false });
  });
};
