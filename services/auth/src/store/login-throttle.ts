import type { Cluster } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { errors } from '@stampede/chassis/errors';

export interface ThrottleSettings {
  /** Wrong passwords one address may try on one account in the window. */
  maxFailuresPerAccountAddress: number;
  /** Wrong passwords one address may try over all accounts in the window. */
  maxFailuresPerAddress: number;
  /** Wrong passwords on one account, from anywhere, after which every attempt needs a proof of work. */
  proofAfterAccountFailures: number;
  windowSeconds: number;
}

/**
 * Login throttling that stops guessing without letting anyone lock a user out. Counts live in
 * Redis, shared by every replica:
 * - per (account, address) and per address: an attempt takes a point up front (concurrent guesses
 *   cannot slip past a check), a right password gives it back; a spent budget is 429 for that
 *   address only, so an attacker's failures never block the owner's address;
 * - per account, over all addresses: failures are only counted; past the ceiling the account asks
 *   every login for a proof of work instead of refusing it, which slows a distributed attack and
 *   costs the owner one bounded computation.
 */
export class LoginThrottle {
  private readonly byPair: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;
  private readonly byAccount: RateLimiterRedis;

  constructor(
    private readonly redis: Cluster,
    s: ThrottleSettings,
  ) {
    const limiter = (keyPrefix: string, points: number) => new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: s.windowSeconds });
    this.byPair = limiter('auth:login-fail:pair', s.maxFailuresPerAccountAddress);
    this.byAddress = limiter('auth:login-fail:ip', s.maxFailuresPerAddress);
    this.byAccount = limiter('auth:login-fail:acct', s.proofAfterAccountFailures);
  }

  private static pair = (ip: string, account: string) => `${account}|${ip}`;

  /** Takes the attempt's points (429 with Retry-After when this address's budget is spent); says whether a proof is due. */
  async begin(ip: string, account: string): Promise<{ proofRequired: boolean }> {
    try {
      await this.byAddress.consume(ip);
      try {
        await this.byPair.consume(LoginThrottle.pair(ip, account));
      } catch (e) {
        await this.byAddress.reward(ip, 1);
        throw e;
      }
      const failures = await this.byAccount.get(account);
      return { proofRequired: failures !== null && failures.remainingPoints <= 0 };
    } catch (e) {
      if (e instanceof RateLimiterRes) throw errors.rateLimited(e.msBeforeNext / 1000);
      throw errors.unavailable('Login is temporarily unavailable');
    }
  }

  /** An attempt that checked no password (its proof was missing or wrong) costs nothing. */
  async refund(ip: string, account: string): Promise<void> {
    await Promise.all([this.byAddress.reward(ip, 1), this.byPair.reward(LoginThrottle.pair(ip, account), 1)]);
  }

  /** A wrong password: counted against the account everywhere (the address's points stay spent). */
  async failed(account: string): Promise<void> {
    await this.byAccount.penalty(account, 1);
  }

  /** A right password clears this address's count for the account and gives the address its point back. */
  async succeeded(ip: string, account: string): Promise<void> {
    await Promise.all([this.byPair.delete(LoginThrottle.pair(ip, account)), this.byAddress.reward(ip, 1)]);
  }

  /** A proof's challenge is good for one login: true for the first call with its id only. */
  async spendChallenge(id: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`auth:login-proof:${id}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }
}
