import { z } from 'zod';
import { authVerifyConfigShape, baseConfigShape, redisConfigShape } from '@stampede/chassis/config';

const ms = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);

export const configShape = {
  ...baseConfigShape,
  ...redisConfigShape,
  ...authVerifyConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(8083),
  /** The event service, for sale snapshots (GET /internal/sales/:id/snapshot). */
  EVENT_URL: z.url({ protocol: /^https?$/ }),
  /** A cached snapshot is used as is for this long, then revalidated (ETag) in the background. */
  SNAPSHOT_TTL_MS: ms(0, 60_000, 1_000),
  /** While the event service cannot be reached, a snapshot this old is still served; older → 503. */
  SNAPSHOT_MAX_STALE_MS: ms(0, 600_000, 30_000),
  SNAPSHOT_TIMEOUT_MS: ms(100, 30_000, 2_000),
  /** How often every replica releases overdue holds (the entry script also does, a few at a time). */
  SWEEP_INTERVAL_MS: ms(20, 60_000, 250),
  SWEEP_BATCH: ms(1, 10_000, 500),
  /** Availability answers may be this old (also their Cache-Control max-age, rounded up). */
  AVAILABILITY_CACHE_MS: ms(0, 60_000, 500),
  /** After a sale is seen sold out, entries are answered SOLD_OUT without Redis for this long (0: never). */
  SOLD_OUT_MEMO_MS: ms(0, 5_000, 250),
};

export type Config = z.infer<z.ZodObject<typeof configShape>>;
