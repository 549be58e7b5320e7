import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Passwords (OWASP ASVS 5.0 V6.2): 8 to 128 characters, any characters, no composition rules, no forced
 * rotation; the most common passwords refused, and the login or the person's name as the password. Stored as
 * argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane). @node-rs/argon2 hashes on libuv's
 * thread pool, so a sign-in never blocks the event loop (bench/login.ts measures a resolve during a login burst).
 */
export const ARGON2 = { algorithm: 2 /* Argon2id; the package's const enum cannot be imported under isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/**
 * Hashes at most (cores − 1) at a time, at least one. Each argon2id hash is ≈ 15 ms of a core's CPU on a thread
 * of libuv's pool (4 threads): a burst of sign-ins on a 2-core machine otherwise took both cores and starved the
 * event loop (resolve p99 ×3.7 beside an 8-client login burst, bench/login.ts); a queue for the hashes keeps a core
 * for everything else, and a sign-in waits a few milliseconds longer instead.
 */
const hashing = pLimit(Math.max(1, availableParallelism() - 1));
const hash = (password: string, options: typeof ARGON2) => hashing(() => argon2Hash(password, options));
const verify = (stored: string, password: string) => hashing(() => argon2Verify(stored, password));

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The common-password list: zxcvbn's frequency list of passwords seen in breaches (≈ 49,000, from the
 * @zxcvbn-ts/language-common package), plus the pinyin and digit patterns that lead Chinese leaks (the CSDN,
 * 天涯 and 12306 lists), which that list misses. Compared without regard to case.
 */
const CHINESE_COMMON = [
  '5201314', '52013140', '5201314520', '1314520', '13145200', 'woaini', 'woaini1314', 'woaini520', 'woaini123', 'iloveyou1314',
  'a123456', 'a1234567', 'a12345678', 'a123456789', 'aa123456', 'qq123456', 'qq5201314', 'qwe123456', 'abc123456', 'asd123456',
  'zxc123456', 'wang1234', 'wangwang', 'zhang123', 'li123456', 'liu123456', 'chen1234', 'huang123', 'zhangwei', 'wangjing',
  'nihao123', 'nihaoma', 'baobao', 'baobei520', 'laopo520', 'laogong520', 'xiaoming', 'xiaohong', 'tiantian', 'dongdong',
  '88888888', '66666666', '168168168', '16881688', '11223344', '12341234', '147258369', '159357', '1qaz2wsx', 'zhongguo',
  'beijing2008', 'jilin123', 'changchun', 'renshen', 'renshen123', 'ginseng1', 'lurong123', 'herbtrace', 'herbtrace1', 'yaocai123',
];
const COMMON = new Set([...dictionary['passwords-common'], ...CHINESE_COMMON].map((p) => p.toLowerCase()));

/** Passwords are compared as NFC, so the same characters typed on another keyboard or phone still match. */
export const normalizePassword = (password: string) => password.normalize('NFC');

/** Why the password cannot be used, or null: the message says what to do. */
export function passwordProblem(password: string, context: { login: string; name: string }): string | null {
  const text = normalizePassword(password);
  const length = [...text].length;
  if (length < PASSWORD_MIN) return `A password needs at least ${PASSWORD_MIN} characters (this one has ${length}); a phrase of a few words is easy to remember.`;
  if (length > PASSWORD_MAX) return `A password has at most ${PASSWORD_MAX} characters (this one has ${length}).`;
  const lower = text.toLowerCase();
  if (COMMON.has(lower)) return 'This password is among the most common ones that attackers try first: choose another.';
  if (lower === context.login.toLowerCase() || lower === context.name.normalize('NFC').toLowerCase()) return 'The password must not be the login or the name: choose another.';
  if (new Set(text).size === 1) return 'A password of one repeated character is guessed at once: choose another.';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), ARGON2);
}

/** A hash of nothing anyone knows, verified for unknown logins so they take as long as a wrong password. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hash(`decoy-${Math.random()}`, ARGON2);
    await verify(await decoy, normalizePassword(password)).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, normalizePassword(password));
  } catch {
    return false;
  }
}
