import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { parseIdentityKeys, signIdentity, type BoundRequest, type IdentityKeys, type Role } from '@stampede/contracts';
import { putSession } from './sessions';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { testInfra } from './infra';

export interface TestIssuer {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** AUTH_* variables for a service under test. */
  env(): Record<string, string>;
  /** A signed access token for a live session (session written to the test Redis Cluster). */
  token(opts?: { userId?: string; roles?: Role[]; ttlSeconds?: number; accountCreatedAt?: Date }): Promise<string>;
  /** A user with a token: { userId, token }. */
  user(roles?: Role[]): Promise<{ userId: string; token: string }>;
  /** The gateway's identity header for this user and exactly this request, under the env's keys. */
  identity(who: { userId: string; roles?: Role[] }, req: BoundRequest, opts?: { ttlMs?: number; keys?: IdentityKeys }): string;
  /** INTERNAL_IDENTITY_KEYS as env() hands it to services. */
  identityKeys: IdentityKeys;
  redis: Cluster;
  stop(): Promise<void>;
}

/**
 * Stands in for the auth service in tests of other services: an ES256 key, a JWKS endpoint on a
 * loopback port, and sessions written in the same Redis layout auth uses.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `test-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const issuer = 'stampede-auth';
  const audience = 'stampede';
  const nodes = testInfra().redisNodes.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host: host as string, port: Number(port) };
  });
  const redis = createRedisCluster({ nodes });

  const token: TestIssuer['token'] = async ({ userId = randomUUID(), roles = ['USER'], ttlSeconds = 900, accountCreatedAt } = {}) => {
    const sid = randomUUID();
    await putSession(redis, userId, sid, ttlSeconds);
    return new SignJWT({ roles, sid, ...(accountCreatedAt ? { uca: Math.floor(accountCreatedAt.getTime() / 1000) } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject(userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(privateKey);
  };

  const identitySetting = `test-${randomUUID().slice(0, 6)}:${randomBytes(32).toString('base64url')}`;
  const identityKeys = parseIdentityKeys(identitySetting);

  return {
    jwksUrl,
    issuer,
    audience,
    redis,
    identityKeys,
    env: () => ({ AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, INTERNAL_IDENTITY_KEYS: identitySetting }),
    identity: (who, req, opts = {}) =>
      signIdentity(opts.keys ?? identityKeys, { userId: who.userId, roles: who.roles ?? ['USER'], sessionId: randomUUID() }, req, Date.now(), opts.ttlMs ?? 10_000),
    token,
    async user(roles: Role[] = ['USER']) {
      const userId = randomUUID();
      return { userId, token: await token({ userId, roles }) };
    },
    async stop() {
      redis.disconnect();
      await new Promise((r) => server.close(r));
    },
  };
}
