import { baseConfigShape, redisConfigShape, postgresConfigShape, kafkaConfigShape, z } from '@stampede/chassis';

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...postgresConfigShape,
  ...kafkaConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8084),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
