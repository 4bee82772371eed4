import type { Cluster } from 'ioredis';
import { sessionKey, userSessionsKey } from '@stampede/contracts';

/*
 * Auth is the only writer of the session keys the chassis verifier reads: `sessionKey(user, sid)`
 * exists while the session lives, `userSessionsKey(user)` lists the user's sessions (both from
 * @stampede/contracts, so writer and reader cannot drift). All keys of a user share the hash tag
 * {u:<id>}, so each script below runs on one shard and is atomic: a login can never leave more
 * than the allowed number of live sessions, however many logins race.
 */

// KEYS[1] sessions ZSET, KEYS[2] the new session key. ARGV: sid, now ms, ttl s, max, key prefix.
// Returns the ids of the sessions this login evicted.
const OPEN = `
local zset, prefix = KEYS[1], ARGV[5]
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
redis.call('ZADD', zset, ARGV[2], ARGV[1])
for _, sid in ipairs(redis.call('ZRANGE', zset, 0, -1)) do
  if redis.call('EXISTS', prefix .. sid) == 0 then redis.call('ZREM', zset, sid) end
end
local evicted = {}
local over = redis.call('ZCARD', zset) - tonumber(ARGV[4])
if over > 0 then
  evicted = redis.call('ZRANGE', zset, 0, over - 1)
  for _, sid in ipairs(evicted) do
    redis.call('DEL', prefix .. sid)
    redis.call('ZREM', zset, sid)
  end
end
if redis.call('TTL', zset) < tonumber(ARGV[3]) then redis.call('EXPIRE', zset, ARGV[3]) end
return evicted
`;

// KEYS[1] sessions ZSET. ARGV: key prefix. Deletes every session of the user; returns their ids.
const REVOKE_ALL = `
local sids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, sid in ipairs(sids) do redis.call('DEL', ARGV[1] .. sid) end
redis.call('DEL', KEYS[1])
return sids
`;

// KEYS[1] sessions ZSET, KEYS[2] session key. ARGV: sid, ttl s. Extends a live session only.
const TOUCH = `
if redis.call('EXPIRE', KEYS[2], ARGV[2]) == 0 then return 0 end
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

type WithScripts = Cluster & {
  authOpenSession(zset: string, key: string, sid: string, now: number, ttl: number, max: number, prefix: string): Promise<string[]>;
  authRevokeAll(zset: string, prefix: string): Promise<string[]>;
  authTouchSession(zset: string, key: string, sid: string, ttl: number): Promise<number>;
};

function scripts(redis: Cluster): WithScripts {
  const r = redis as WithScripts;
  if (typeof r.authOpenSession !== 'function') {
    redis.defineCommand('authOpenSession', { numberOfKeys: 2, lua: OPEN });
    redis.defineCommand('authRevokeAll', { numberOfKeys: 1, lua: REVOKE_ALL });
    redis.defineCommand('authTouchSession', { numberOfKeys: 2, lua: TOUCH });
  }
  return r;
}

const prefixOf = (userId: string) => sessionKey(userId, '');

export class SessionStore {
  constructor(
    private readonly redis: Cluster,
    private readonly ttlSeconds: number,
    private readonly maxPerUser: number,
  ) {}

  /** Opens a session; returns the ids of older sessions it replaced (max-sessions policy). */
  open(userId: string, sid: string): Promise<string[]> {
    return scripts(this.redis).authOpenSession(
      userSessionsKey(userId), sessionKey(userId, sid), sid, Date.now(), this.ttlSeconds, this.maxPerUser, prefixOf(userId),
    );
  }

  /** Keeps a session alive for another lifetime; false when it was already gone. */
  async touch(userId: string, sid: string): Promise<boolean> {
    return (await scripts(this.redis).authTouchSession(userSessionsKey(userId), sessionKey(userId, sid), sid, this.ttlSeconds)) === 1;
  }

  async isActive(userId: string, sid: string): Promise<boolean> {
    return (await this.redis.exists(sessionKey(userId, sid))) === 1;
  }

  async close(userId: string, sid: string): Promise<void> {
    await this.redis.multi().del(sessionKey(userId, sid)).zrem(userSessionsKey(userId), sid).exec();
  }

  /** Ends every session of the user at once (role change, refresh-token reuse). */
  closeAll(userId: string): Promise<string[]> {
    return scripts(this.redis).authRevokeAll(userSessionsKey(userId), prefixOf(userId));
  }
}
