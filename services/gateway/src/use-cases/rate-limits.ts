import { AppError } from '@stampede/chassis/errors';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Deps } from '../deps';
import { limitKey, RATE_LIMITS, type RateLimitName } from '../domain/limits';

const tooMany = (d: Deps, name: RateLimitName, msLeft: number) => {
  d.metrics.rateLimited.inc({ limit: name });
  return new AppError('RATE_LIMIT_EXCEEDED', 'Too many requests, try again later', undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(msLeft / 1000))),
  });
};

/** 429 from memory while a client is blocked on a limit it already spent (no Redis call). */
export function limited(d: Deps, name: RateLimitName, key: string): void {
  const until = d.blocked.get(`${name}:${key}`);
  if (until !== undefined && until > Date.now()) throw tooMany(d, name, until - Date.now());
}

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
    if (e instanceof RateLimiterRes) throw tooMany(d, name, e.msBeforeNext);
    d.logger.warn({ err: e, limit: name }, 'rate limiter failed; letting the request through');
    return {};
  }
}
