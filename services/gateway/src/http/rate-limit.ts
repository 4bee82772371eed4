import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { AppError } from '@stampede/chassis/errors';
import type { Request, RequestHandler } from 'express';
import type { Counter } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMITS, type RateLimitName } from '../routes/limits';

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
      insuranceLimiter: new RateLimiterMemory({ points: l.points, duration: l.durationSeconds }),
    }),
  ]);
  return Object.fromEntries(entries) as Limiters;
}

const clientKey = (req: Request, name: RateLimitName) =>
  RATE_LIMITS[name].by === 'user' && req.principal ? `u:${req.principal.userId}` : `ip:${req.ip ?? 'unknown'}`;

export function rateLimit(limiters: Limiters, name: RateLimitName, rejected: Counter<'limit'>, logger: Logger): RequestHandler {
  const limiter = limiters[name];
  return async (req, res, next) => {
    try {
      const r = await limiter.consume(clientKey(req, name));
      res.setHeader('RateLimit-Limit', String(RATE_LIMITS[name].points));
      res.setHeader('RateLimit-Remaining', String(r.remainingPoints));
      next();
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        rejected.inc({ limit: name });
        return next(
          new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests, try again later', undefined, {
            'Retry-After': String(Math.max(1, Math.ceil(e.msBeforeNext / 1000))),
          }),
        );
      }
      logger.warn({ err: e, limit: name }, 'rate limiter failed; letting the request through');
      next();
    }
  };
}
