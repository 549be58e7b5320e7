import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor, OrganizationActor } from '../access/actor.js';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.js';
import { secretsEqual } from '../lib/hash.js';
import { authenticateApiKey, API_KEY_PATTERN } from '../modules/organizations/index.js';
import { authenticateSession, recordSecurityEvent, SESSION_COOKIE, type CsrfTokens, type PeopleSettings, type SessionAuthentication } from '../modules/people/index.js';

/**
 * Who may call a route: every route declares `config.auth`; a route without it is refused at start-up, so
 * nothing is public by accident. `public` needs no credentials; `any` the admin token, an API key or a
 * signed-in person; `organization` an organisation actor (a key or a person); `admin` the admin token;
 * `session` a signed-in person (their own sessions and two-factor). What the caller may do to a given object
 * is the access policy's question (access/policy.ts), asked by the services.
 *
 * Credentials: `Authorization: Bearer …` (admin token or API key; machines), else the session cookie (people).
 * A write made with the cookie must carry the session's CSRF token in `x-csrf-token`; a bearer request cannot be
 * forged cross-site and needs none. A session that owes two-factor enrolment reaches only routes marked
 * `config.enrolment`.
 */
export type AuthRequirement = 'public' | 'admin' | 'organization' | 'any' | 'session';

/** Routes registered by plugins rather than by us, and public by design: the API documentation. */
const PUBLIC_PLUGIN_PREFIXES = ['/docs'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
    /** Reachable by a session that still owes two-factor enrolment. */
    enrolment?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The session, when a signed-in person is calling with the cookie. */
    signedIn: SessionAuthentication | null;
  }
}

/** The actor of a request on a route that requires an organisation (auth: 'organization'). */
export function organizationOf(actor: Actor | null): OrganizationActor {
  if (actor?.kind !== 'organization') throw new ForbiddenError('This route acts as an organisation: use an organisation API key or sign in.');
  return actor;
}

/** The actor of a request on an authenticated route. */
export function actorOf(actor: Actor | null): Actor {
  if (!actor) throw new UnauthorizedError('Send Authorization: Bearer <key>, or sign in.');
  return actor;
}

const clientOf = (request: FastifyRequest) => ({ address: request.ip, userAgent: request.headers['user-agent'] });

export default fp<{ adminToken: string; people: PeopleSettings; csrf: CsrfTokens }>(
  async (app, opts) => {
    app.decorateRequest('actor', null);
    app.decorateRequest('signedIn', null);
    await app.register(cookie);

    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as { auth?: AuthRequirement };
      if (config.auth) return;
      if (PUBLIC_PLUGIN_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
        route.config = { ...config, auth: 'public' };
        return;
      }
      throw new Error(`${route.method} ${route.url} declares no config.auth: every route says who may call it`);
    });

    async function bearerActor(request: FastifyRequest, token: string): Promise<Actor> {
      let actor: Actor | null = null;
      if (secretsEqual(token, opts.adminToken)) actor = { kind: 'admin' };
      else if (API_KEY_PATTERN.test(token)) actor = await authenticateApiKey(app.database.db, token);
      if (!actor) throw new UnauthorizedError('The key is unknown, malformed or revoked.');
      return actor;
    }

    app.addHook('onRequest', async (request, reply) => {
      // No route matched: the 404 handler answers without asking who is calling.
      if (request.routeOptions.url === undefined) return;
      const config = request.routeOptions.config;
      const requirement = config.auth;
      if (requirement === 'public') return;

      const header = request.headers.authorization;
      const sessionToken = request.cookies[SESSION_COOKIE];
      let actor: Actor;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (!match) {
          reply.header('www-authenticate', 'Bearer');
          throw new UnauthorizedError('Send Authorization: Bearer <key>.');
        }
        try {
          actor = await bearerActor(request, match[1]!);
        } catch (error) {
          reply.header('www-authenticate', 'Bearer error="invalid_token"');
          throw error;
        }
      } else if (sessionToken !== undefined) {
        const session = await authenticateSession(app.database.db, opts.people, sessionToken, clientOf(request));
        if (!session) {
          reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
          throw new UnauthorizedError('The session has ended (signed out, timed out, or ended by an owner): sign in again.');
        }
        request.signedIn = session;
        actor = session.actor;
        // A cross-site page can make the browser send the cookie, but cannot read the token to send with it.
        if (!SAFE_METHODS.has(request.method)) {
          const token = request.headers['x-csrf-token'];
          if (!opts.csrf.verify(session.sessionId, typeof token === 'string' ? token : undefined)) {
            await recordSecurityEvent(app.database.db, {
              kind: 'csrf-refused',
              organizationId: session.actor.organizationId,
              userId: session.actor.userId,
              address: request.ip,
              detail: `${request.method} ${request.routeOptions.url} ${token === undefined ? 'without a token' : 'with a wrong token'}`,
            });
            throw new ForbiddenError('A write with the session cookie needs the x-csrf-token header of this session (from sign-in or GET /v1/auth/session).');
          }
        }
        if (session.enrolmentRequired && !config.enrolment) {
          throw new ForbiddenError('This account must enrol two-factor sign-in first: POST /v1/auth/totp, then POST /v1/auth/totp/confirm.');
        }
      } else {
        reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedError('Send Authorization: Bearer <key>, or sign in (POST /v1/auth/login).');
      }
      request.actor = actor;

      if (requirement === 'admin' && actor.kind !== 'admin') throw new ForbiddenError('This route needs the admin token.');
      if (requirement === 'organization' && actor.kind !== 'organization') {
        throw new ForbiddenError('This route acts as an organisation: use an organisation API key or sign in, not the admin token.');
      }
      if (requirement === 'session' && !request.signedIn) throw new ForbiddenError('This route is for a signed-in person (POST /v1/auth/login), not for a key.');
    });

    // A signed-in person refused an object (403) or told it does not exist (404) is recorded for their owners:
    // a member probing other organisations' lots, or a viewer trying to write, shows up in the security events.
    // (onSend, not onResponse: the record is written before the answer leaves, so whoever reads the events next sees it.)
    app.addHook('onSend', async (request, reply, payload) => {
      const session = request.signedIn;
      if (!session || (reply.statusCode !== 403 && reply.statusCode !== 404)) return payload;
      try {
        await recordSecurityEvent(app.database.db, {
          kind: reply.statusCode === 403 ? 'forbidden' : 'not-found',
          organizationId: session.actor.organizationId,
          userId: session.actor.userId,
          address: request.ip,
          detail: `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
        });
      } catch (error) {
        request.log.warn({ err: error }, 'a refusal could not be recorded as a security event');
      }
      return payload;
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

/** @deprecated the old name of Actor, while services move over. */
export type Principal = Actor;
