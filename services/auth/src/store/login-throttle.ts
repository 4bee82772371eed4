import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Cluster } from 'ioredis';
import { errors } from '@stampede/chassis/errors';

export interface ThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

/**
 * Login throttling per account and per client IP, counted in Redis so every replica shares it.
 * Each attempt takes a point up front and a successful login gives it back: concurrent guesses
 * cannot slip past the limit between a check and a count.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(redis: Cluster, s: ThrottleSettings) {
    this.byAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'auth:login-fail:acct',
      points: s.maxFailuresPerAccount,
      duration: s.windowSeconds,
    });
    this.byIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'auth:login-fail:ip',
      points: s.maxFailuresPerIp,
      duration: s.windowSeconds,
    });
  }

  /** Takes one attempt for the IP and the account; 429 with Retry-After when either is spent. */
  async attempt(ip: string, account: string): Promise<void> {
    try {
      await this.byIp.consume(ip);
      await this.byAccount.consume(account);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw errors.rateLimited(e.msBeforeNext / 1000);
      throw errors.unavailable('Login is temporarily unavailable');
    }
  }

  /** A correct password clears the account's count and returns the IP's point. */
  async succeeded(ip: string, account: string): Promise<void> {
    await Promise.all([this.byAccount.delete(account), this.byIp.reward(ip, 1)]);
  }
}
