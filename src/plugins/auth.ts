import fp from 'fastify-plugin';
import type { Actor, OrganizationActor } from '../access/actor.js';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js';
import { secretsEqual } from '../lib/hash.js';
import { authenticateApiKey, API_KEY_PATTERN } from '../modules/organizations/index.js';

/**
 * Who may call a route: every route declares `config.auth`; a route without it is refused at start-up, so
 * nothing is public by accident. `public` needs no credentials; `any` any valid key or the admin token;
 * `organization` an organisation actor; `admin` the admin token. What the caller may do to a given object is
 * the access policy's question (access/policy.ts), asked by the services.
 */
export type AuthRequirement = 'public' | 'admin' | 'organization' | 'any';

/** Routes registered by plugins rather than by us, and public by design: the API documentation. */
const PUBLIC_PLUGIN_PREFIXES = ['/docs'];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The actor of a request on a route that requires an organisation (auth: 'organization'). */
export function organizationOf(actor: Actor | null): OrganizationActor {
  if (actor?.kind !== 'organization') throw new ForbiddenError('This route acts as an organisation: use an organisation API key.');
  return actor;
}

/** The actor of a request on an authenticated route. */
export function actorOf(actor: Actor | null): Actor {
  if (!actor) throw new UnauthorizedError('Send Authorization: Bearer <key>.');
  return actor;
}

/**
 * Bearer authentication. The admin token comes from configuration; organisation keys are `key_….secret`,
 * looked up by id and compared by hash in constant time. A key acts as its organisation, with the key's role.
 */
export default fp<{ adminToken: string }>(
  async (app, opts) => {
    app.decorateRequest('actor', null);

    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as { auth?: AuthRequirement };
      if (config.auth) return;
      if (PUBLIC_PLUGIN_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
        route.config = { ...config, auth: 'public' };
        return;
      }
      throw new Error(`${route.method} ${route.url} declares no config.auth: every route says who may call it`);
    });

    app.addHook('onRequest', async (request, reply) => {
      // No route matched: the 404 handler answers without asking who is calling.
      if (request.routeOptions.url === undefined) return;
      const requirement = request.routeOptions.config.auth;
      if (requirement === 'public') return;

      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) {
        reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedError('Send Authorization: Bearer <key>.');
      }
      const token = match[1]!;
      let actor: Actor | null = null;
      if (secretsEqual(token, opts.adminToken)) {
        actor = { kind: 'admin' };
      } else if (API_KEY_PATTERN.test(token)) {
        actor = await authenticateApiKey(app.database.db, token);
      }
      if (!actor) {
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw new UnauthorizedError('The key is unknown, malformed or revoked.');
      }
      request.actor = actor;

      if (requirement === 'admin' && actor.kind !== 'admin') {
        throw new ForbiddenError('This route needs the admin token.');
      }
      if (requirement === 'organization' && actor.kind !== 'organization') {
        throw new ForbiddenError('This route acts as an organisation: use an organisation API key, not the admin token.');
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

/** @deprecated the old name of Actor, while services move over. */
export type Principal = Actor;
