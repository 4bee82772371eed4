import type { StackContext } from '../services';

/** The payment service's environment on the local stack. */
export const paymentEnv = (ctx: StackContext): Record<string, string> => ({
  REDIS_NODES: ctx.redisNodes,
  DATABASE_URL: ctx.databaseUrl('payment'),
  KAFKA_BROKERS: ctx.kafkaBrokers,
});
