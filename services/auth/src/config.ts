import { baseConfigShape, redisConfigShape, postgresConfigShape, z } from '@stampede/chassis';

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...postgresConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
