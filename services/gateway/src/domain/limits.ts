/**
 * Rate limits per endpoint class, shared by every gateway replica through Redis Cluster. The four
 * payment limits are required ceilings per user and minute; the others are the platform's own.
 * `by` picks the key: the authenticated user, or the client address for anonymous routes.
 */
export const RATE_LIMITS = {
  paymentPrepare: { points: 10, durationSeconds: 60, by: 'user' },
  paymentConfirm: { points: 5, durationSeconds: 60, by: 'user' },
  subscriptionCreate: { points: 3, durationSeconds: 60, by: 'user' },
  refundRequest: { points: 3, durationSeconds: 60, by: 'user' },
  csrfToken: { points: 30, durationSeconds: 60, by: 'ip' },
  login: { points: 20, durationSeconds: 60, by: 'ip' },
  signUp: { points: 10, durationSeconds: 60, by: 'ip' },
  /** A shopper presses "buy" once; retries on a flaky network are fine, scripted floods are not. */
  entry: { points: 10, durationSeconds: 10, by: 'user' },
  /** Everything else an authenticated user does. */
  userDefault: { points: 120, durationSeconds: 60, by: 'user' },
  publicDefault: { points: 300, durationSeconds: 60, by: 'ip' },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

/** Whose count a request adds to: the user's when the limit is per user and a user is known, else the address's. */
export const limitKey = (name: RateLimitName, client: { userId?: string; ip?: string }) =>
  RATE_LIMITS[name].by === 'user' && client.userId ? `u:${client.userId}` : `ip:${client.ip ?? 'unknown'}`;
