import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Cluster } from 'ioredis';
import { initOrm, reader, transaction } from '@stampede/chassis/clients/orm';
import { closeCluster, createRedisCluster } from '@stampede/chassis/clients/redis';
import { sessionKey, userSessionsKey } from '@stampede/contracts';
import { testDatabaseUrl, testInfra } from '@stampede/devkit';
import { refreshTokenHash, newRefreshToken } from '../src/domain/refresh-tokens';
import { model } from '../src/store/model';
import { findToken, startFamily, useToken } from '../src/store/refresh-tokens';
import { SessionStore } from '../src/store/sessions';
import { insertUser, userByEmail } from '../src/store/users';
import { uniqueEmail } from './support';

describe('auth stores on the real PostgreSQL and Redis Cluster', () => {
  let orm: MikroORM;
  let redis: Cluster;
  beforeAll(async () => {
    orm = await initOrm({ ...model, clientUrl: testDatabaseUrl('auth'), poolMax: 25 });
    const nodes = testInfra().redisNodes.split(',').map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) }));
    redis = createRedisCluster({ nodes });
  });
  afterAll(async () => {
    await orm?.close(true);
    if (redis) await closeCluster(redis);
  });

  const account = (email: string) => ({ email, passwordHash: null, roles: ['USER' as const] });

  it('when an account insert meets a taken email inside a transaction, then it answers undefined and the same transaction still reads the owner', async () => {
    const email = uniqueEmail('taken');
    const first = await transaction(orm, (em) => insertUser(em, account(email)));
    expect(first).toBeDefined();
    const seen = await transaction(orm, async (em) => {
      const again = await insertUser(em, account(email));
      return { again, owner: await userByEmail(em, email) };
    });
    expect(seen.again).toBeUndefined();
    expect(seen.owner?.id).toBe(first!.id);
  });

  it('when 20 transactions use one refresh token at once, then exactly one gets its owner and the token is used', async () => {
    const user = await transaction(orm, (em) => insertUser(em, account(uniqueEmail('rotate'))));
    const hash = refreshTokenHash(newRefreshToken());
    const sessionId = randomUUID();
    await transaction(orm, (em) => startFamily(em, { userId: user!.id, sessionId, tokenHash: hash, expiresAt: new Date(Date.now() + 60_000) }));
    const owners = await Promise.all(Array.from({ length: 20 }, () => transaction(orm, (em) => useToken(em, hash))));
    const winners = owners.filter((o) => o !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ userId: user!.id, sessionId });
    expect(await findToken(reader(orm), hash)).toMatchObject({ userId: user!.id, sessionId, used: true });
  });

  it('when a session opens, then it lives at the contract keys the chassis verifier reads, and closing it removes them', async () => {
    const sessions = new SessionStore(redis, 60, 2);
    const userId = randomUUID();
    const sid = randomUUID();
    expect(await sessions.open(userId, sid)).toEqual([]);
    expect(await redis.exists(sessionKey(userId, sid))).toBe(1);
    expect(await redis.zrange(userSessionsKey(userId), 0, -1)).toEqual([sid]);
    await sessions.close(userId, sid);
    expect(await redis.exists(sessionKey(userId, sid))).toBe(0);
    expect(await redis.zrange(userSessionsKey(userId), 0, -1)).toEqual([]);
  });
});
