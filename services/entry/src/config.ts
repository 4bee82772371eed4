import { baseConfigShape, redisConfigShape, z } from '@stampede/chassis';

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8083),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
