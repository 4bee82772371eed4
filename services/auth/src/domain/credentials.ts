import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { z } from 'zod';

/** Emails are compared and stored lower-cased, so "A@x.io" and "a@x.io" are one account. */
export const emailField = z
  .string({ message: 'email is required' })
  .trim()
  .max(254, 'email is too long')
  .pipe(z.email({ message: 'email is not a valid address' }))
  .transform((e) => e.toLowerCase());

const PASSWORD_MIN = 10;
const PASSWORD_MAX = 128;

/**
 * Length is what makes a password hard to guess, so it is the main rule; a password of one
 * character class, or one that is the email, is refused too. The upper bound keeps argon2's input
 * (and a DoS) bounded.
 */
export const passwordField = z
  .string({ message: 'password is required' })
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`)
  .refine((p) => /\p{L}/u.test(p) && /[^\p{L}]/u.test(p), 'password must mix letters with digits or symbols')
  .refine((p) => new Set(p).size >= 5, 'password is too repetitive');

/** A password that is not the account's email (or its local part). */
export function passwordResemblesEmail(password: string, email: string): boolean {
  const p = password.toLowerCase();
  const local = email.split('@')[0] ?? '';
  return p === email || (local.length >= 4 && p.includes(local));
}

/**
 * argon2id with 19 MiB, 2 passes, 1 lane: memory-hard enough that guessing a stolen hash on GPUs is
 * slow, light enough for a login to cost tens of milliseconds.
 */
const ARGON2: Options = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password with the same parameters, checked when the email is unknown so an
 * unknown email costs the same time as a wrong password (no enumeration by timing).
 */
export const dummyHash = (): Promise<string> => hashPassword(randomBytes(24).toString('base64url'));
