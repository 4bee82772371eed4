import { randomBytes } from 'node:crypto';

/** The key of the gateway's identity header, made fresh for each stack run and shared by every service. */
export const identityEnv = { INTERNAL_IDENTITY_KEYS: `local:${randomBytes(32).toString('base64url')}` };
