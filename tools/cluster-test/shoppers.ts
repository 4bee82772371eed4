/**
 * Shoppers for the load phases. Signing up and logging in costs two argon2id hashes each (about
 * 0.5 s of CPU per shopper on this machine), so thousands of them would take longer than the whole
 * run: their access tokens are signed here instead, with the key auth itself signs with (the first
 * key of the release Secret's auth-signing-keys, which the chart generated), and their sessions are
 * written in Redis in auth's layout. Every service verifies them as it verifies auth's tokens:
 * through auth's JWKS endpoint and the live session.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { importJWK, SignJWT, type JWK } from 'jose';
import { putSession } from '@stampede/devkit';

interface Shopper {
  userId: string;
  token: string;
}

export type Mint = (count: number) => Promise<Shopper[]>;

const ALG: Record<string, string> = { Ed25519: 'EdDSA', 'P-256': 'ES256' };

export async function minter(signingKeys: string, redis: Cluster): Promise<Mint> {
  const keys = JSON.parse(signingKeys) as JWK[];
  const jwk = keys[0];
  const alg = jwk?.crv ? ALG[jwk.crv] : undefined;
  if (!jwk?.kid || !alg) throw new Error('auth-signing-keys: the first key has no kid or an unknown curve');
  const key = await importJWK(jwk, alg);
  const createdAt = Math.floor(Date.now() / 1000) - 30 * 86_400;
  return async (count) => {
    const out = new Array<Shopper>(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < count) {
          const i = next++;
          const userId = randomUUID();
          const sid = randomUUID();
          await putSession(redis, userId, sid, 3_600);
          const token = await new SignJWT({ roles: ['USER'], sid, uca: createdAt })
            .setProtectedHeader({ alg, kid: jwk.kid as string, typ: 'JWT' })
            .setSubject(userId)
            .setIssuer('stampede-auth')
            .setAudience('stampede')
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(key);
          out[i] = { userId, token };
        }
      }),
    );
    return out;
  };
}
