import { z } from 'zod';

/**
 * Headers of the public API that carry meaning beyond HTTP itself. The gateway forwards exactly
 * the request headers an operation declares (and returns the response headers it declares), so a
 * header named here reaches the service that reads it under the same name.
 */
export const HEADERS = {
  /** Request: makes a payment confirm or refund safe to retry (one outcome per key). */
  idempotencyKey: 'Idempotency-Key',
  /** Response: "true" when the answer is the stored one of an earlier request with the same key. */
  idempotentReplayed: 'Idempotent-Replayed',
  /** Request: the CSRF token of a cookie-authenticated browser (double submit). */
  csrfToken: 'X-CSRF-Token',
  /** Webhook request: `v1=<hex HMAC-SHA256 of "{timestamp}.{raw body}">`, several comma-separated during a secret rotation. */
  webhookSignature: 'X-Webhook-Signature',
  /** Webhook request: the signing time in Unix seconds (inside the MAC, so a delivery cannot be replayed later). */
  webhookTimestamp: 'X-Webhook-Timestamp',
  /** Webhook request: the provider's delivery id; a repeated id changes nothing. */
  webhookId: 'X-Webhook-Id',
  retryAfter: 'Retry-After',
  location: 'Location',
  cacheControl: 'Cache-Control',
  rateLimitLimit: 'RateLimit-Limit',
  rateLimitRemaining: 'RateLimit-Remaining',
  setCookie: 'Set-Cookie',
  allow: 'Allow',
} as const;

export const idempotencyKeyHeader = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'expected 8-128 characters of [A-Za-z0-9_.:-]');

/** A header of a request or an answer, as the API document declares it. */
export interface HeaderSpec {
  schema: z.ZodType;
  required: boolean;
  description: string;
}
