import { randomBytes } from 'node:crypto';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';
export const KEY_A = randomBytes(32).toString('base64');
export const KEY_B = randomBytes(32).toString('base64');

/** The payment-specific variables of a test replica (stores and AUTH_* come from devkit). */
export function paymentTestEnv(eventUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    EVENT_URL: eventUrl,
    PG_PROVIDER: 'sandbox',
    WEBHOOK_SECRET,
    BILLING_KEY_ENCRYPTION_KEYS: `a:${KEY_A}`,
    BILLING_KEY_ACTIVE_KEY_ID: 'a',
    OUTBOX_POLL_MS: '50',
    ...extra,
  };
}
