import { customAlphabet } from 'nanoid';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/**
 * Two-factor sign-in with time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, the
 * defaults every authenticator app reads), through the otpauth library. A code is accepted for the step before,
 * the current and the step after (clock drift of a phone), and each step only once: the caller stores the
 * step that was accepted and refuses it and every earlier one (RFC 6238 §5.2).
 */
const PERIOD = 30;
const ISSUER = 'HerbTrace 药材溯源';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string) {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD });
}

/** The otpauth:// URI and a QR image of it (SVG) for an authenticator app to scan. */
export async function totpEnrolment(secret: string, label: string) {
  const uri = totp(secret, label).toString();
  return { uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 }) };
}

/**
 * The time step of a code that is right now (within one step either side) and later than `lastStep`, or null
 * (wrong, malformed, or replayed).
 */
export function acceptedTotpStep(secret: string, code: string, lastStep: number | null, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret, 'check').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code of a secret (tests and the enrolment check use it). */
export const totpCodeAt = (secret: string, timestamp: number) => totp(secret, 'code').generate({ timestamp });

/** Ten single-use recovery codes, `xxxxx-xxxxx` of an alphabet without look-alikes (31¹⁰ ≈ 2⁴⁹ each). */
const recoveryChars = customAlphabet('23456789abcdefghjkmnpqrstuvwxyz', 10);
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = recoveryChars();
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** A recovery code as typed: spaces dropped, lower case, the dash restored. */
export function normalizeRecoveryCode(code: string): string {
  const compact = code.replace(/[\s-]/g, '').toLowerCase();
  return compact.length === 10 ? `${compact.slice(0, 5)}-${compact.slice(5)}` : compact;
}
