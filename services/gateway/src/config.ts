import { z } from 'zod';
import { authVerifyConfigShape, baseConfigShape, identityKeys, redisConfigShape } from '@stampede/chassis/config';

const urlList = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1));

const originList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ })));

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...authVerifyConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Comma-separated base URLs of each upstream's replicas (a Kubernetes Service URL is one). */
  UPSTREAM_AUTH: urlList,
  UPSTREAM_EVENT: urlList,
  UPSTREAM_ENTRY: urlList,
  UPSTREAM_PAYMENT: urlList,
  /** Secret: the keys the gateway signs its identity header with (the services hold the same). */
  INTERNAL_IDENTITY_KEYS: identityKeys,
  /** HMAC key for CSRF tokens (secret, at least 32 characters). */
  CSRF_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Origins allowed to call the API from a browser. Empty: no cross-origin access. */
  CORS_ORIGINS: originList,
  /** Rate-limit counters are shared by every gateway replica with the same namespace. */
  RATE_LIMIT_NAMESPACE: z.string().regex(/^[a-z0-9-]{1,32}$/, 'lower-case letters, digits and dashes').default('stampede'),
  /** Route the sandbox PG's checkout (local platform and tests; never with a real PG). */
  SANDBOX_ROUTES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Whether cookies are marked Secure (off only for plain-HTTP local development). */
  COOKIE_SECURE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
