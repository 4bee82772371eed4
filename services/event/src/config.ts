import { z } from 'zod';
import { authVerifyConfigShape, baseConfigShape, booleanFlag, kafkaConfigShape, postgresConfigShape, redisConfigShape } from '@stampede/chassis/config';

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...postgresConfigShape,
  ...kafkaConfigShape,
  ...authVerifyConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** Off only for tests and tools that serve the HTTP API without recording orders. */
  ORDERS_CONSUMER_ENABLED: booleanFlag.default(true),
  /** Every replica joins one group, so each payment event is applied by one of them. */
  ORDERS_CONSUMER_GROUP: z.string().min(1).max(200).default('event-orders'),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
