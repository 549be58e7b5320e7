import { createHmac } from 'node:crypto';
import Tokens from '@fastify/csrf';

/**
 * CSRF tokens for cookie-authenticated writes (OWASP's HMAC-based synchroniser token), made and checked by
 * @fastify/csrf, the token library under @fastify/csrf-protection. The per-session secret is derived from the
 * service's secret key and the session id, so it is stored nowhere and needs no second cookie, and every token is
 * bound to its session: a token of another session, or of this session before it was renewed, is refused.
 * (The plugin itself answers a refusal on its own, which would leave the refusal unrecorded; the auth plugin
 * checks instead and records it.)
 */
export class CsrfTokens {
  // The package's typings pick the overload without userInfo for a call; the object is the userInfo kind.
  private readonly tokens = Tokens({ userInfo: true }) as unknown as Tokens.TokensUserinfo;

  constructor(private readonly key: Buffer) {}

  private secretOf(sessionId: string): string {
    return createHmac('sha256', this.key).update(`csrf-secret\n${sessionId}`).digest('base64url');
  }

  /** A token for the session: salted, so each is different, and all are good for the session's life. */
  issue(sessionId: string): string {
    return this.tokens.create(this.secretOf(sessionId), sessionId);
  }

  verify(sessionId: string, token: string | undefined): boolean {
    return typeof token === 'string' && token.length <= 200 && this.tokens.verify(this.secretOf(sessionId), token, sessionId);
  }
}
