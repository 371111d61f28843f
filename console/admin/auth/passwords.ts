/**
 * Password hashing with argon2id (@node-rs/argon2, OWASP's recommended parameters: 19 MiB, 2 passes).
 * Verification of an unknown user still costs one hash, so response time does not reveal which
 * usernames exist.
 */
import crypto from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

// Algorithm is an ambient const enum (unusable under isolatedModules); 2 is Argon2id.
const OPTIONS: Options = { algorithm: 2 as unknown as Options['algorithm'], memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/** False for a malformed hash too; `null` hash means "no such user" and still spends the time. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Chinese message for a password that is too weak, or null when acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 位。`;
  if (password.length > 200) return '密码太长（最多 200 位）。';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名。';
  if (/^(.)\1+$/.test(password)) return '密码不能是同一个字符的重复。';
  return null;
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Constant-time string comparison (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}
