/**
 * Session layout in Redis Cluster, shared by auth (writes) and every verifier (reads). All keys of
 * one user share the hash tag {u:<userId>} so auth can replace or revoke sessions atomically.
 *
 *   {u:<userId>}:sess:<sid>   "1" with TTL = session lifetime; present ⇔ session live
 *   {u:<userId>}:sessions     ZSET sid → created-at ms (oldest first, for the max-sessions policy)
 */
export const sessionKey = (userId: string, sid: string) => `{u:${userId}}:sess:${sid}`;
export const userSessionsKey = (userId: string) => `{u:${userId}}:sessions`;
