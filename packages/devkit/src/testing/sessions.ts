import type { Cluster } from 'ioredis';
import { sessionKey, userSessionsKey } from '@stampede/contracts';

/** Records a live session the way auth's login does, for tokens minted by tests and the benchmark. */
export async function putSession(redis: Cluster, userId: string, sid: string, ttlSeconds: number): Promise<void> {
  await redis
    .multi()
    .set(sessionKey(userId, sid), '1', 'EX', ttlSeconds)
    .zadd(userSessionsKey(userId), Date.now(), sid)
    .expire(userSessionsKey(userId), ttlSeconds)
    .exec();
}
