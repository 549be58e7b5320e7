import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

// Log tiles: an audit reads every one (thousands for a large log), each a primary-key read, and full tiles are
// immutable and cached in front of the service; limiting them would make the public log unauditable.
// The field app's files: served from memory, and a phone's first visit fetches a dozen of them — several
// phones of one cooperative behind one NAT address would be refused the app itself.
const UNLIMITED_PATHS = new Set(['/health', '/ready', '/log/tile/*', '/app', '/app/', '/app/*', '/app/sw.js']);

/**
 * Security headers on every response and a per-client rate limit on the public routes (authenticated calls
 * are accountable to their key and not limited here). The counter lives in process memory, so each replica
 * counts on its own.
 */
export default fp<{ publicRateLimitPerMinute: number }>(
  async (app, opts) => {
    await app.register(helmet, {
      // Swagger UI needs inline scripts and styles; the API itself serves JSON.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
        },
      },
    });
    await app.register(rateLimit, {
      global: true,
      max: opts.publicRateLimitPerMinute,
      timeWindow: '1 minute',
      allowList: (request) =>
        (request.routeOptions.config?.auth ?? 'public') !== 'public' || UNLIMITED_PATHS.has(request.routeOptions.url ?? ''),
    });
  },
  { name: 'security' },
);
