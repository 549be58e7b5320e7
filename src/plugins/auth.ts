import fp from 'fastify-plugin';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js';
import { secretsEqual } from '../lib/hash.js';
import { authenticateApiKey, API_KEY_PATTERN } from '../modules/organizations/api-keys.service.js';

/** Who may call a route: set as `config.auth` on every route; absent means public. */
export type AuthRequirement = 'public' | 'admin' | 'organization' | 'any';

export type Principal =
  | { kind: 'admin' }
  | { kind: 'organization'; organizationId: string; organizationName: string; organizationKinds: string[]; keyId: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The principal of a request on a route that requires an organisation (auth: 'organization'). */
export function organizationOf(principal: Principal | null): Extract<Principal, { kind: 'organization' }> {
  if (principal?.kind !== 'organization') throw new ForbiddenError('This route acts as an organisation: use an organisation API key.');
  return principal;
}

/**
 * Bearer authentication. The admin token comes from configuration; organisation keys are `key_….secret`,
 * looked up by id and compared by hash in constant time. A key acts as its organisation.
 */
export default fp<{ adminToken: string }>(
  async (app, opts) => {
    app.decorateRequest('principal', null);

    app.addHook('onRequest', async (request, reply) => {
      const requirement = request.routeOptions.config?.auth ?? 'public';
      if (requirement === 'public') return;

      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) {
        reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedError('Send Authorization: Bearer <key>.');
      }
      const token = match[1]!;
      let principal: Principal | null = null;
      if (secretsEqual(token, opts.adminToken)) {
        principal = { kind: 'admin' };
      } else if (API_KEY_PATTERN.test(token)) {
        principal = await authenticateApiKey(app.database.db, token);
      }
      if (!principal) {
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        throw new UnauthorizedError('The key is unknown, malformed or revoked.');
      }
      request.principal = principal;

      if (requirement === 'admin' && principal.kind !== 'admin') {
        throw new ForbiddenError('This route needs the admin token.');
      }
      if (requirement === 'organization' && principal.kind !== 'organization') {
        throw new ForbiddenError('This route acts as an organisation: use an organisation API key, not the admin token.');
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
