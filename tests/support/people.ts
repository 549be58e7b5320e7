import type { FastifyInstance } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { adminHeaders } from './app.js';

export const SESSION_COOKIE = '__Host-ht_session';
export const GOOD_PASSWORD = '松岭 ginseng beds 2024';

/** The current TOTP code of a base32 secret, `offsetSteps` 30-second steps ahead. */
export function totpNow(secret: string, offsetSteps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

type Res = Awaited<ReturnType<FastifyInstance['inject']>>;

/** The session cookie a response set (undefined when it set none). */
export function sessionCookieOf(res: Res): string | undefined {
  return res.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
}

export interface SignedIn {
  token: string;
  csrf: string;
  /** Headers of a cookie-authenticated request with the CSRF token (writes). */
  headers: Record<string, string>;
  /** The cookie only: reads, or a forged write without the token. */
  cookieOnly: Record<string, string>;
  body: any;
}

export function signedInFrom(res: Res): SignedIn {
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const token = sessionCookieOf(res);
  if (!token) throw new Error('no session cookie was set');
  const answer = res.json();
  const body = answer.signedIn ?? answer;
  const csrf = body.csrfToken as string;
  return { token, csrf, headers: { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrf }, cookieOnly: { cookie: `${SESSION_COOKIE}=${token}` }, body };
}

/** People of one app: create members, set them up, enrol TOTP, sign in. */
export function peopleClient(app: FastifyInstance) {
  async function createMember(by: Record<string, string>, organizationId: string, body: { name: string; login: string; role: string; phone?: string }) {
    const res = await app.inject({ method: 'POST', url: `/v1/organizations/${organizationId}/users`, headers: by, payload: body });
    if (res.statusCode !== 201) throw new Error(`creating ${body.login} failed: ${res.statusCode} ${res.body}`);
    return res.json() as { user: { id: string; login: string }; setupCode: string };
  }
  const setup = (login: string, setupCode: string, password = GOOD_PASSWORD, extra: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: '/v1/auth/setup', payload: { login, setupCode, password, ...extra } });
  const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/v1/auth/login', payload: body, headers });

  /** Enrols TOTP on a session that owes it; returns the secret, recovery codes and the renewed session. */
  async function enrolTotp(session: SignedIn) {
    const started = await app.inject({ method: 'POST', url: '/v1/auth/totp', headers: session.headers });
    if (started.statusCode !== 200) throw new Error(`enrolment failed: ${started.statusCode} ${started.body}`);
    const { secret } = started.json() as { secret: string };
    const confirmed = await app.inject({ method: 'POST', url: '/v1/auth/totp/confirm', headers: session.headers, payload: { code: totpNow(secret) } });
    const renewed = signedInFrom(confirmed);
    return { secret, recoveryCodes: confirmed.json().recoveryCodes as string[], session: renewed };
  }

  /** A member created by `by`, set up with the good password, TOTP enrolled when the role needs it. */
  async function member(by: Record<string, string>, organizationId: string, body: { name: string; login: string; role: string }) {
    const created = await createMember(by, organizationId, body);
    let session = signedInFrom(await setup(body.login, created.setupCode));
    let secret: string | undefined;
    if (session.body.twoFactorEnrolmentRequired) {
      const enrolled = await enrolTotp(session);
      session = enrolled.session;
      secret = enrolled.secret;
    }
    return { user: created.user, session, secret };
  }

  /** An organisation's first owner, created by the admin and signed in with TOTP enrolled. */
  const firstOwner = (organizationId: string, login: string, name = '王芳') => member(adminHeaders, organizationId, { name, login, role: 'owner' });

  return { createMember, setup, login, enrolTotp, member, firstOwner };
}
