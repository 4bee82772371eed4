import { z } from 'zod';
import { ROLES } from '@stampede/contracts';
import { emailField, passwordField } from '../domain/credentials';
import { SOCIAL_PROVIDERS } from '../domain/social-login';

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
