import { z } from 'zod';
import { authVerifyConfigShape, baseConfigShape, booleanFlag, kafkaConfigShape, postgresConfigShape, redisConfigShape } from '@stampede/chassis/config';

/** `keyId:base64` pairs, comma separated; every key exactly 32 bytes (AES-256). */
const encryptionKeys = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const keys = new Map<string, Buffer>();
    for (const item of s.split(',').map((x) => x.trim()).filter(Boolean)) {
      const at = item.indexOf(':');
      const id = item.slice(0, at);
      const key = Buffer.from(item.slice(at + 1), 'base64');
      if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) ctx.addIssue({ code: 'custom', message: 'expected keyId:base64key pairs' });
      else if (key.length !== 32) ctx.addIssue({ code: 'custom', message: `key ${id} is not 32 bytes` });
      else keys.set(id, key);
    }
    return keys;
  });

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...postgresConfigShape,
  ...kafkaConfigShape,
  ...authVerifyConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8084),

  /** Which payment gateway charges cards: the in-project sandbox or Toss Payments. */
  PG_PROVIDER: z.enum(['sandbox', 'toss']).default('sandbox'),
  /** Simulated gateway latency of the sandbox (load tests, expiry races). */
  SANDBOX_PG_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  TOSS_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.tosspayments.com'),
  TOSS_SECRET_KEY: z.string().min(8).optional(),
  PG_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),

  /** Shared secret of webhook signatures; the previous one stays valid during a rotation. */
  WEBHOOK_SECRET: z.string().min(16),
  WEBHOOK_SECRET_PREVIOUS: z.string().min(16).optional(),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),

  BILLING_KEY_ENCRYPTION_KEYS: encryptionKeys,
  BILLING_KEY_ACTIVE_KEY_ID: z.string().min(1),

  /** The event service, for sale snapshots (refund policy, product name). */
  EVENT_URL: z.url({ protocol: /^https?$/ }),

  OUTBOX_RELAY_ENABLED: booleanFlag.default(true),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  /** How long a confirm waits for a concurrent twin (same idempotency key) to finish. */
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** After this long an unfinished claim (a crashed replica) may be taken over. */
  CLAIM_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),

  /** Finished idempotency keys are forgotten after this long (a retry then runs as a new request). */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().min(1).max(8_760).default(24),
  /** Outbox rows already published are deleted after this long (Kafka keeps the events). */
  OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
  /** How often a replica deletes what is past retention (0: never, for a database kept elsewhere). */
  RETENTION_SWEEP_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
