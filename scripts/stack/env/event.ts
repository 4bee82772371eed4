import { identityEnv } from './identity';
import type { StackContext } from '../services';

/** The event service's environment on the local stack. */
export const eventEnv = (ctx: StackContext): Record<string, string> => ({
  REDIS_NODES: ctx.redisNodes,
  ...identityEnv,
  DATABASE_URL: ctx.databaseUrl('event'),
  KAFKA_BROKERS: ctx.kafkaBrokers,
  AUTH_JWKS_URL: `${ctx.urlsOf('auth')[0]}/.well-known/jwks.json`,
  ORDERS_CONSUMER_GROUP: 'event-orders',
});
