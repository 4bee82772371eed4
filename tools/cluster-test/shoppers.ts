/**
 * Shoppers for the load phases. Signing up and logging in costs two argon2id hashes each (about
 * 0.5 s of CPU per shopper on this machine), so thousands of them would take longer than the whole
 * run: their access tokens are signed here instead, with the key auth itself signs with (the first
 * key of the release Secret's auth-signing-keys, which the chart generated), and their sessions are
 * written in Redis in auth's layout. Every service verifies them as it verifies auth's tokens:
 * through auth's JWKS endpoint and the live session.
 */
import type { Cluster } from 'ioredis';
import { importJWK, type JWK } from 'jose';
import { mintShoppers } from '@stampede/devkit';

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
  const signer = { key: await importJWK(jwk, alg), alg, kid: jwk.kid };
  return (count) => mintShoppers(redis, signer, count);
}
