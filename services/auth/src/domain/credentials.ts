import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

// The email and password rules a client must meet are the public API's (emailField and
// passwordField in its contract); what follows is how auth keeps and checks passwords.

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
