import type { Cluster } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { RATE_LIMITS, type RateLimitName } from '../domain/limits';

export type Limiters = Record<RateLimitName, RateLimiterRedis>;

/**
 * One limiter per endpoint class on Redis Cluster, so every gateway replica counts together. If
 * Redis is unreachable, each replica falls back to its own in-memory count (looser, never off).
 */
export function createLimiters(redis: Cluster, namespace: string): Limiters {
  const entries = Object.entries(RATE_LIMITS).map(([name, l]) => [
    name,
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rl:${namespace}:${name}`,
      points: l.points,
      duration: l.durationSeconds,
      rejectIfRedisNotReady: true,
      // A client over the limit is refused from memory for the rest of its window: a flood costs
      // no Redis calls.
      inMemoryBlockOnConsumed: l.points + 1,
      insuranceLimiter: new RateLimiterMemory({ points: l.points, duration: l.durationSeconds }),
    }),
  ]);
  return Object.fromEntries(entries) as Limiters;
}
