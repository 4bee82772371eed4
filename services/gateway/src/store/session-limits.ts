import type { Cluster } from 'ioredis';
import { sessionKey } from '@stampede/contracts';

/**
 * The session check and the user's rate limit in one round trip: both keys carry the user's hash
 * tag {u:<userId>}, so one script on the user's shard reads whether the session is live and counts
 * the request in the limit's window (fixed window: the first request of a window sets its expiry).
 * A request of a logged-out session is not counted.
 */
const SESSION_AND_LIMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0, 0} end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[2])
if ttl < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {1, n, ttl}
`;

type Scripted = Cluster & { gatewaySessionAndLimit(session: string, limit: string, windowMs: number): Promise<[number, number, number]> };

export interface SessionAndLimit {
  live: boolean;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Until the window ends. */
  msLeft: number;
}

export async function sessionAndLimit(
  redis: Cluster,
  o: { userId: string; sessionId: string; namespace: string; limit: string; windowMs: number },
): Promise<SessionAndLimit> {
  const r = redis as Scripted;
  if (typeof r.gatewaySessionAndLimit !== 'function') redis.defineCommand('gatewaySessionAndLimit', { numberOfKeys: 2, lua: SESSION_AND_LIMIT });
  const limitKey = `{u:${o.userId}}:rl:${o.namespace}:${o.limit}`;
  const [live, count, msLeft] = await r.gatewaySessionAndLimit(sessionKey(o.userId, o.sessionId), limitKey, o.windowMs);
  return { live: live === 1, count, msLeft };
}
