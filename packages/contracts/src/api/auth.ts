import { z } from 'zod';
import { ROLES } from '../identity';
import { instant } from './common';

/** The identity providers a person can log in with. */
export const SOCIAL_PROVIDERS = ['google', 'apple', 'kakao'] as const;
export type SocialProvider = (typeof SOCIAL_PROVIDERS)[number];

// Requests

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
  .refine((p) => new Set(p).size >= 5, 'password is too repetitive')
  .meta({ description: 'Letters mixed with digits or symbols, at least 5 distinct characters, not containing the email.' });

/** Unknown fields (roles, id, ...) are refused, never silently dropped. */
export const signUpBody = z.object({ email: emailField, password: passwordField }).strict();

/** Login checks no password rules (old accounts may predate them); only bounds. */
export const loginBody = z.object({
  email: emailField,
  password: z.string({ message: 'password is required' }).min(1, 'password is required').max(1024, 'password is too long'),
  /** Only when the last answer was 428 PROOF_OF_WORK_REQUIRED: its challenge and a nonce that meets it. */
  proof: z.object({ challenge: z.string().min(1).max(512), nonce: z.string().min(1).max(64) }).strict().optional(),
}).strict();

export const refreshBody = z.object({
  refreshToken: z.string({ message: 'refreshToken is required' }).min(1, 'refreshToken is required').max(512, 'refreshToken is too long'),
}).strict();

export const userIdParams = z.object({ id: z.uuid({ message: 'id must be a UUID' }) });

export const rolesBody = z.object({
  roles: z
    .array(z.enum(ROLES, { message: `each role must be one of ${ROLES.join(', ')}` }), { message: 'roles must be an array' })
    .min(1, 'at least one role is required')
    .max(ROLES.length)
    .refine((r) => new Set(r).size === r.length, 'roles must not repeat'),
}).strict();

export const socialParams = z.object({
  provider: z.enum(SOCIAL_PROVIDERS, { message: `provider must be one of ${SOCIAL_PROVIDERS.join(', ')}` }),
});

export const socialBody = z.object({
  idToken: z.string({ message: 'idToken is required' }).min(20, 'idToken is too short').max(8192, 'idToken is too long'),
  nonce: z.string().min(1).max(512).optional(),
}).strict();

// Responses

/** An account as its owner, auditors and admins read it. */
export const userView = z.strictObject({
  id: z.uuid(),
  /** null for an account made by social login. */
  email: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  createdAt: instant,
  updatedAt: instant,
}).meta({ id: 'User' });
export type UserView = z.infer<typeof userView>;

/** GET /users/:id adds the social identities linked to the account. */
export const userWithIdentitiesView = userView.extend({
  identities: z.array(z.strictObject({ provider: z.enum(SOCIAL_PROVIDERS), email: z.string().nullable(), linkedAt: instant })),
}).meta({ id: 'UserWithIdentities' });
export type UserWithIdentitiesView = z.infer<typeof userWithIdentitiesView>;

/** A new session's tokens (never cached: the answer carries Cache-Control: no-store). */
export const tokenPair = z.strictObject({
  /** JWT (ES256 or EdDSA), sent as `Authorization: Bearer`. */
  accessToken: z.string().min(1),
  /** Opaque; rotated on every use, and presenting a used one ends every session of the user. */
  refreshToken: z.string().min(1),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
}).meta({ id: 'TokenPair' });
export type TokenPairBody = z.infer<typeof tokenPair>;

/** Only public members: a private member ("d") in the published set would be a leaked key. */
export const publicJwk = z.discriminatedUnion('kty', [
  z.strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal('ES256'), use: z.literal('sig') }),
  z.strictObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') }),
]);
export type PublicJwk = z.infer<typeof publicJwk>;

export const jwks = z.strictObject({ keys: z.array(publicJwk).min(1) }).meta({ id: 'Jwks' });
