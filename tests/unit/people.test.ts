import t from 'tap';
import { SecretBox } from '../../src/lib/secret-box.js';
import { CsrfTokens } from '../../src/modules/people/csrf.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/modules/people/passwords.js';
import { acceptedTotpStep, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpCodeAt } from '../../src/modules/people/totp.js';
import { normalizeSetupCode } from '../../src/modules/people/members.service.js';

t.test('password policy: length in characters, common passwords, the login or name', async (t) => {
  const who = { login: 'wang.fang', name: '王芳' };
  t.equal(passwordProblem('松岭人参基地二〇二四', who), null, 'ten Chinese characters are ten characters');
  t.match(passwordProblem('人参人参人参人', who), /at least 8 characters \(this one has 7\)/);
  t.equal(passwordProblem('x'.repeat(7) + 'y', who), null, 'no composition rules');
  t.match(passwordProblem('a'.repeat(129), who), /at most 128/);
  t.equal(passwordProblem('ab'.repeat(64), who), null, '128 is allowed');
  for (const common of ['password', 'PASSWORD', 'iloveyou', '12345678', '5201314520', 'woaini1314', 'qwertyuiop']) t.match(passwordProblem(common, who), /most common/, common);
  t.match(passwordProblem('WANG.FANG', who), /login or the name/);
  t.match(passwordProblem('aaaaaaaaaaaa', who), /repeated/);
});

t.test('argon2id: verifies the right password (NFC or NFD), refuses others, and an unknown login', async (t) => {
  const hash = await hashPassword('Café au lait 2024');
  t.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.ok(await verifyPassword(hash, 'Café au lait 2024'));
  t.ok(await verifyPassword(hash, 'Cafe\u0301 au lait 2024'), 'the decomposed é is the same password');
  t.notOk(await verifyPassword(hash, 'Cafe au lait 2024'));
  t.notOk(await verifyPassword(null, 'anything at all'), 'no hash: false, after a decoy verification');
  t.notOk(await verifyPassword('not a hash', 'anything at all'), 'a damaged hash: false, no throw');
});

t.test('TOTP: the RFC 6238 SHA-1 test vector, the window, replays', async (t) => {
  // RFC 6238 appendix B: secret "12345678901234567890" (base32 below), T = 59 s → 94287082 (8 digits) → 287082.
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  t.equal(totpCodeAt(rfcSecret, 59_000), '287082');
  t.equal(totpCodeAt(rfcSecret, 1_111_111_109_000), '081804');
  const secret = newTotpSecret();
  const now = 1_790_000_000_000;
  const step = Math.floor(now / 30_000);
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now), null, now), step);
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now - 30_000), null, now), step - 1, 'one step late');
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now + 30_000), null, now), step + 1, 'one step early');
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now - 60_000), null, now), null, 'two steps late');
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now), step, now), null, 'the same step again: a replay');
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now - 30_000), step, now), null, 'an earlier step after a later one');
  t.equal(acceptedTotpStep(secret, totpCodeAt(secret, now + 30_000), step, now), step + 1, 'the next step is fine');
  for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456']) t.equal(acceptedTotpStep(secret, bad, null, now), null, JSON.stringify(bad));
});

t.test('recovery and setup codes as typed', async (t) => {
  const codes = newRecoveryCodes();
  t.equal(codes.length, 10);
  for (const c of codes) t.match(c, /^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
  t.equal(normalizeRecoveryCode(` ${codes[0]!.toUpperCase().replace('-', ' ')} `), codes[0]);
  t.equal(normalizeSetupCode('k7qm 2xpd-9rwt hb4n'), 'K7QM-2XPD-9RWT-HB4N');
});

t.test('sealed secrets: open with the key and purpose only', async (t) => {
  const box = new SecretBox('11'.repeat(32));
  const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:usr_a');
  t.not(sealed.includes('JBSWY3DPEHPK3PXP'), true);
  t.equal(box.open(sealed, 'totp:usr_a'), 'JBSWY3DPEHPK3PXP');
  t.not(box.seal('JBSWY3DPEHPK3PXP', 'totp:usr_a'), sealed, 'a fresh nonce each time');
  t.equal(box.open(sealed, 'totp:usr_b'), null, 'moved to another user: refused');
  t.equal(new SecretBox('22'.repeat(32)).open(sealed, 'totp:usr_a'), null, 'another key: refused');
  const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
  t.equal(box.open(tampered, 'totp:usr_a'), null, 'a changed byte: refused');
  t.equal(box.open('v1.garbage', 'totp:usr_a'), null);
  t.throws(() => new SecretBox('short'));
});

t.test('CSRF tokens are bound to their session', async (t) => {
  const csrf = new CsrfTokens(Buffer.alloc(32, 3));
  const token = csrf.issue('ses_a');
  t.ok(csrf.verify('ses_a', token));
  t.ok(csrf.verify('ses_a', csrf.issue('ses_a')), 'every token issued for the session is good');
  t.not(csrf.issue('ses_a'), token, 'salted: each token differs');
  t.notOk(csrf.verify('ses_b', token), 'another session: refused');
  t.notOk(new CsrfTokens(Buffer.alloc(32, 4)).verify('ses_a', token), 'another key: refused');
  for (const bad of [undefined, '', 'x', token.slice(0, -1), `${token}x`, 'a'.repeat(300)]) t.notOk(csrf.verify('ses_a', bad), JSON.stringify(bad)?.slice(0, 20));
});
