import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { SignJWT } from 'jose';
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

/** The key auth signs access tokens with (or one its JWKS publishes), for minting shoppers. */
export interface ShopperSigner {
  key: Parameters<SignJWT['sign']>[0];
  alg: string;
  kid: string;
}

/**
 * Many shoppers at once, as logged-in users: a live session each and an hour's access token signed
 * as auth signs them, accounts dated a month back. Signing up thousands through auth would cost
 * two argon2id hashes each, more than the load runs that need them.
 */
export async function mintShoppers(redis: Cluster, signer: ShopperSigner, count: number, concurrency = 32): Promise<Array<{ userId: string; token: string }>> {
  const out = new Array<{ userId: string; token: string }>(count);
  const createdAt = Math.floor(Date.now() / 1000) - 30 * 86_400;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const userId = randomUUID();
        const sid = randomUUID();
        await putSession(redis, userId, sid, 3_600);
        const token = await new SignJWT({ roles: ['USER'], sid, uca: createdAt })
          .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })
          .setSubject(userId)
          .setIssuer('stampede-auth')
          .setAudience('stampede')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(signer.key);
        out[i] = { userId, token };
      }
    }),
  );
  return out;
}
