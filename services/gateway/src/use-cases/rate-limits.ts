import { AppError } from '@stampede/chassis/errors';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Deps } from '../deps';
import { limitKey, RATE_LIMITS, type RateLimitName } from '../domain/limits';

/**
 * Counts one request against a limit: the RateLimit headers of the answer, or 429
 * RATE_LIMIT_EXCEEDED with Retry-After once the limit is spent. A limiter that fails lets the
 * request through (logged): rate limiting never takes the API down.
 */
export async function consumeLimit(d: Deps, name: RateLimitName, client: { userId?: string; ip?: string }): Promise<Record<string, string>> {
  try {
    const r = await d.limiters[name].consume(limitKey(name, client));
    return { 'RateLimit-Limit': String(RATE_LIMITS[name].points), 'RateLimit-Remaining': String(r.remainingPoints) };
  } catch (e) {
    if (e instanceof RateLimiterRes) {
      d.metrics.rateLimited.inc({ limit: name });
      throw new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests, try again later', undefined, {
        'Retry-After': String(Math.max(1, Math.ceil(e.msBeforeNext / 1000))),
      });
    }
    d.logger.warn({ err: e, limit: name }, 'rate limiter failed; letting the request through');
    return {};
  }
}
