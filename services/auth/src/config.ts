import { z } from 'zod';
import { baseConfigShape, identityKeysSetting, redisConfigShape, postgresConfigShape } from '@stampede/chassis/config';
import { signingKeysSetting } from './domain/signing-keys';

const seconds = (min: number, max: number, dflt: number) => z.coerce.number().int().min(min).max(max).default(dflt);
const optionalUrl = z.url({ protocol: /^https?$/ }).optional();
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .optional();


export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...postgresConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  AUTH_ISSUER: z.string().min(1).default('stampede-auth'),
  AUTH_AUDIENCE: z.string().min(1).default('stampede'),
  /** Secret: the keys of the gateway's identity header (see @stampede/chassis/config). */
  INTERNAL_IDENTITY_KEYS: identityKeysSetting,
  /** Secret: JSON array of private JWKs, first = active (see domain/signing-keys.ts). */
  AUTH_SIGNING_KEYS: signingKeysSetting,
  ACCESS_TOKEN_TTL_SECONDS: seconds(60, 3600, 900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(300, 90 * 86400, 7 * 86400),
  /** One session per user by default: a new login replaces the oldest session beyond this many. */
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(100).default(1),
  /** Wrong passwords one address may try on one account per window (then 429 for that address only). */
  LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Wrong passwords one address may try over all accounts per window. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Wrong passwords on one account from anywhere, after which every login for it needs a proof of work. */
  LOGIN_PROOF_AFTER_ACCOUNT_FAILURES: z.coerce.number().int().min(1).max(100_000).default(10),
  /** Difficulty of that proof: about 2^bits hashes for the client, one for auth. */
  LOGIN_PROOF_BITS: z.coerce.number().int().min(1).max(26).default(18),
  LOGIN_FAILURE_WINDOW_SECONDS: seconds(1, 86400, 900),
  /** Secret: the initial ADMIN account, created once if absent. Both or neither. */
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  /** How long an unknown `kid` in a provider id_token waits before the JWKS is fetched again. */
  SOCIAL_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * Social providers: one is enabled when its client ids (accepted id_token audiences) are set.
   * Issuers and JWKS URLs default to the provider's public ones; tests point them at local servers.
   */
  SOCIAL_GOOGLE_CLIENT_IDS: list,
  SOCIAL_GOOGLE_ISSUERS: list,
  SOCIAL_GOOGLE_JWKS_URL: optionalUrl,
  SOCIAL_APPLE_CLIENT_IDS: list,
  SOCIAL_APPLE_ISSUERS: list,
  SOCIAL_APPLE_JWKS_URL: optionalUrl,
  SOCIAL_KAKAO_CLIENT_IDS: list,
  SOCIAL_KAKAO_ISSUERS: list,
  SOCIAL_KAKAO_JWKS_URL: optionalUrl,
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
