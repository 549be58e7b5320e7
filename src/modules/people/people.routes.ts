import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../plugins/auth.js';
import { replyWithWrite } from '../../plugins/idempotency.js';
import { UnauthorizedError } from '../../lib/errors.js';
import { bearerAuth, IdempotencyHeaders, IdParams, problemResponses, ref, sessionAuth } from '../../lib/schemas.js';
import * as auth from './auth.service.js';
import type { CsrfTokens } from './csrf.js';
import * as members from './members.service.js';
import type { PeopleSettings } from './people.settings.js';
import {
  CreateUserBody,
  LoginBody,
  PasswordBody,
  SecurityEvent,
  SecurityEventQuery,
  SessionParams,
  SessionSchema,
  SetupBody,
  SignedIn,
  TotpConfirmBody,
  TotpConfirmed,
  TotpEnrolment,
  UpdateUserBody,
  User,
  UserParams,
  UserWithSetupCode,
} from './people.schemas.js';

/**
 * The session cookie: `__Host-` (no Domain, Path=/, Secure, so no subdomain or plain-HTTP page can set or read
 * it), HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site writes).
 */
export const SESSION_COOKIE = '__Host-ht_session';

export interface PeopleRouteOptions {
  settings: PeopleSettings;
  csrf: CsrfTokens;
}

const tags = ['people'];

export const peopleRoutes: FastifyPluginAsyncTypebox<PeopleRouteOptions> = async (app, opts) => {
  const { settings, csrf } = opts;
  const db = () => app.database.db;
  const client = (request: FastifyRequest): auth.ClientContext => ({ address: request.ip, userAgent: request.headers['user-agent'] });
  const signedIn = (request: FastifyRequest) => {
    if (!request.signedIn) throw new UnauthorizedError('Sign in first (POST /v1/auth/login).');
    return request.signedIn;
  };

  /** Sets the cookie of a new session and answers it with a CSRF token bound to it. */
  function answerNewSession(reply: FastifyReply, started: auth.NewSession) {
    const device = started.session.kind === 'device';
    reply.setCookie(SESSION_COOKIE, started.token, {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      // A device session outlives the browser (a phone keeps it across restarts); an office one ends with it.
      ...(device ? { maxAge: Math.floor((started.session.expiresAt.getTime() - Date.now()) / 1000) } : {}),
    });
    reply.header('cache-control', 'no-store');
    return { ...auth.signedInView(settings, started), csrfToken: csrf.issue(started.session.id) };
  }

  // ---- members (owners and the admin) ---------------------------------------------------------------------------

  app.post(
    '/v1/organizations/:id/users',
    {
      config: { auth: 'any', replay: async (_db, stored) => ({ ...(stored as object), setupCode: null }) },
      schema: {
        tags,
        summary: "Add a member (the organisation's owners, or the admin for the first owner); the setup code is shown only here",
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: IdParams,
        body: ref(CreateUserBody),
        response: { 201: ref(UserWithSetupCode), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (tx) => {
        const created = await members.createMember(tx, settings, actorOf(request.actor), request.params.id, request.body);
        reply.header('cache-control', 'no-store');
        // The setup code is a secret: a replay says the member exists, not the code.
        return { status: 201, location: `/v1/organizations/${request.params.id}/users/${created.user.id}`, body: created, replay: { ...created, setupCode: null } };
      }),
  );

  app.get(
    '/v1/organizations/:id/users',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: "List an organisation's members (owners, admin)",
        security: bearerAuth,
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(ref(User)) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => members.listMembers(db(), settings, actorOf(request.actor), request.params.id),
  );

  app.get(
    '/v1/organizations/:id/users/:userId',
    {
      config: { auth: 'any' },
      schema: { tags, summary: 'Read a member (owners, admin)', security: bearerAuth, params: UserParams, response: { 200: ref(User), ...problemResponses(401, 403, 404) } },
    },
    async (request) => members.getMember(db(), settings, actorOf(request.actor), request.params.id, request.params.userId),
  );

  app.patch(
    '/v1/organizations/:id/users/:userId',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: "Change a member's name, phone or role (owners, admin); a role change ends their sessions",
        security: bearerAuth,
        params: UserParams,
        body: ref(UpdateUserBody),
        response: { 200: ref(User), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (tx) => ({
        status: 200,
        body: await members.updateMember(tx, settings, actorOf(request.actor), request.params.id, request.params.userId, request.body),
      })),
  );

  app.post(
    '/v1/organizations/:id/users/:userId/deactivate',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: 'Deactivate a member (owners, admin): they cannot sign in and their sessions end at once',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: UserParams,
        response: { 200: ref(User), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (tx) => ({
        status: 200,
        body: await members.deactivateMember(tx, settings, actorOf(request.actor), request.params.id, request.params.userId),
      })),
  );

  app.post(
    '/v1/organizations/:id/users/:userId/setup-code',
    {
      config: { auth: 'any', replay: async (_db, stored) => ({ ...(stored as object), setupCode: null }) },
      schema: {
        tags,
        summary: 'Reset a member (owners, admin): a new setup code; password, two-factor and sessions are cleared',
        security: bearerAuth,
        headers: IdempotencyHeaders,
        params: UserParams,
        response: { 200: ref(UserWithSetupCode), ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (tx) => {
        const reset = await members.resetMember(tx, settings, actorOf(request.actor), request.params.id, request.params.userId);
        reply.header('cache-control', 'no-store');
        return { status: 200, body: reset, replay: { ...reset, setupCode: null } };
      }),
  );

  app.delete(
    '/v1/organizations/:id/users/:userId/sessions',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: "End every session of a member (owners, admin)",
        security: bearerAuth,
        params: UserParams,
        response: { 200: Type.Object({ ended: Type.Integer() }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) =>
      replyWithWrite(request, reply, async (tx) => ({
        status: 200,
        body: await members.endMemberSessions(tx, actorOf(request.actor), request.params.id, request.params.userId),
      })),
  );

  app.get(
    '/v1/organizations/:id/security-events',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        summary: "An organisation's security events, newest first (owners, admin): sign-ins, failures, refusals, member changes",
        security: bearerAuth,
        params: IdParams,
        querystring: SecurityEventQuery,
        response: {
          200: Type.Object({ items: Type.Array(ref(SecurityEvent)), nextBefore: Type.Union([Type.String(), Type.Null()]) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => members.listSecurityEvents(db(), actorOf(request.actor), request.params.id, request.query),
  );

  // ---- signing in -----------------------------------------------------------------------------------------------

  app.post(
    '/v1/auth/setup',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'First sign-in of a member: login, setup code and a new password; answers like login',
        body: SetupBody,
        response: { 200: ref(SignedIn), ...problemResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => answerNewSession(reply, await auth.setup(db(), settings, request.body, client(request))),
  );

  app.post(
    '/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Sign in with login and password (and a TOTP or recovery code where enrolled); sets the session cookie',
        body: LoginBody,
        response: { 200: ref(SignedIn), ...problemResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => answerNewSession(reply, await auth.login(db(), settings, request.body, client(request))),
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { auth: 'session', enrolment: true },
      schema: { tags, summary: 'Sign out: this session ends', security: sessionAuth, response: { 204: Type.Null(), ...problemResponses(401, 403) } },
    },
    async (request, reply) => {
      await auth.logout(db(), signedIn(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/auth/session',
    {
      config: { auth: 'session', enrolment: true },
      schema: { tags, summary: 'Who is signed in, with a fresh CSRF token', security: sessionAuth, response: { 200: ref(SignedIn), ...problemResponses(401, 403) } },
    },
    async (request, reply) => {
      const s = signedIn(request);
      reply.header('cache-control', 'no-store');
      return { ...(await auth.currentSession(db(), settings, s)), csrfToken: csrf.issue(s.sessionId) };
    },
  );

  app.get(
    '/v1/auth/sessions',
    {
      config: { auth: 'session' },
      schema: { tags, summary: 'My live sessions', security: sessionAuth, response: { 200: Type.Object({ items: Type.Array(ref(SessionSchema)) }), ...problemResponses(401, 403) } },
    },
    async (request) => auth.listOwnSessions(db(), signedIn(request)),
  );

  app.delete(
    '/v1/auth/sessions/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags,
        summary: 'End one of my sessions (a lost phone)',
        security: sessionAuth,
        params: SessionParams,
        response: { 200: Type.Object({ ended: Type.Integer() }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => auth.endOwnSession(db(), signedIn(request), request.params.id),
  );

  app.post(
    '/v1/auth/totp',
    {
      config: { auth: 'session', enrolment: true },
      schema: {
        tags,
        summary: 'Start TOTP enrolment: a new seed as a QR code for the authenticator app',
        security: sessionAuth,
        response: { 200: TotpEnrolment, ...problemResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return auth.startTotpEnrolment(db(), settings, signedIn(request));
    },
  );

  app.post(
    '/v1/auth/totp/confirm',
    {
      config: { auth: 'session', enrolment: true },
      schema: {
        tags,
        summary: 'Confirm TOTP enrolment with a code; answers ten recovery codes (shown once) and a renewed session',
        security: sessionAuth,
        body: TotpConfirmBody,
        response: { 200: TotpConfirmed, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { recoveryCodes, ...started } = await auth.confirmTotp(db(), settings, signedIn(request), request.body.code, client(request));
      return { recoveryCodes, signedIn: answerNewSession(reply, started) };
    },
  );

  app.post(
    '/v1/auth/password',
    {
      config: { auth: 'session', enrolment: true },
      schema: {
        tags,
        summary: 'Change my password (the current one and a new one); my other sessions end',
        security: sessionAuth,
        body: PasswordBody,
        response: { 200: Type.Object({ changed: Type.Boolean() }), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request) => auth.changePassword(db(), settings, signedIn(request), request.body, client(request)),
  );
};
