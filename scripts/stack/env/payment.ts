import { identityEnv } from './identity';
import { randomBytes } from 'node:crypto';
import type { StackContext } from '../services';

/**
 * The payment service's environment on the local stack: the sandbox gateway, and secrets made
 * fresh for each run (shared by the replicas; the webhook secret is written to secrets.json so a
 * developer can sign test deliveries).
 */
export const paymentEnv = (ctx: StackContext): Record<string, string> => {
  const webhookSecret = randomBytes(32).toString('base64url');
  ctx.secrets.paymentWebhookSecret = webhookSecret;
  return {
    REDIS_NODES: ctx.redisNodes,
    ...identityEnv,
    DATABASE_URL: ctx.databaseUrl('payment'),
    KAFKA_BROKERS: ctx.kafkaBrokers,
    AUTH_JWKS_URL: `${ctx.urlsOf('auth')[0]}/.well-known/jwks.json`,
    EVENT_URL: ctx.urlsOf('event')[0] ?? 'http://127.0.0.1:8082',
    PG_PROVIDER: 'sandbox',
    WEBHOOK_SECRET: webhookSecret,
    BILLING_KEY_ENCRYPTION_KEYS: `local1:${randomBytes(32).toString('base64')}`,
    BILLING_KEY_ACTIVE_KEY_ID: 'local1',
  };
};
