/**
 * Everything the benchmark needs before the burst: the platform on its own ports (the local
 * stack's `startPlatform`, so the wiring is the stack's), a second gateway process in front of
 * hello-world upstreams, and U shoppers with access tokens.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { putSession } from '@stampede/devkit';
import { waitFor } from '@stampede/devkit';
import { SignJWT } from 'jose';
import { gatewayEnv } from '../../../../scripts/stack/env/gateway';
import { startPlatform, type Platform } from '../../../../scripts/stack/platform';
import { serviceUrls } from '../../../../scripts/stack/replicas';
import type { ServiceName, StackContext } from '../../../../scripts/stack/services';

export interface BenchPlatform {
  platform: Platform;
  gateways: string[];
  helloGateway: string;
  auth: string;
  redisNodes: string;
  redis: Cluster;
  admin: { email: string; password: string };
  /** Process id → name, for CPU accounting (services, stores, Prometheus, PostgreSQL). */
  roots(filter?: (name: string) => boolean): Map<number, string>;
  mint: Minter;
  stop(): Promise<void>;
}

export interface Minter {
  /** Access tokens for `count` new shoppers, each with a live session, signed like auth signs them. */
  shoppers(count: number): Promise<Array<{ userId: string; token: string }>>;
}

export interface SetupOptions {
  root: string;
  dataDir: string;
  offset: number;
  replicas: Partial<Record<ServiceName, number>>;
  logLevel: string;
  env: Record<string, string>;
}

const HELLO_GATEWAY_PORT = 8089;
const HELLO_UPSTREAM_PORT = 8088;

export async function setUp(o: SetupOptions): Promise<BenchPlatform> {
  // The benchmark signs shoppers' tokens itself, with a key it hands to auth as auth's only
  // signing key: tokens are the ones auth would issue (same key, claims, issuer, audience), without
  // 2 × U argon2id hashes (sign-up and login) that would take longer than the whole benchmark.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid };
  const platform = await startPlatform({
    root: o.root,
    dataDir: o.dataDir,
    offset: o.offset,
    replicas: o.replicas,
    logLevel: o.logLevel,
    env: { ...o.env, AUTH_SIGNING_KEYS: JSON.stringify([jwk]) },
  });
  const urls = (name: string) => platform.endpoints.filter((e) => e.name === name || e.name.startsWith(`${name}-`)).map((e) => e.url);
  const redisNodes = platform.endpoints.find((e) => e.name === 'redis-cluster')?.url as string;
  const redis = createRedisCluster({ nodes: redisNodes.split(',').map((hp) => ({ host: hp.split(':')[0] as string, port: Number(hp.split(':')[1]) })) });

  // The hello-world ceiling: a real gateway process, configured exactly as the stack's gateway,
  // except that its entry upstream is a trivial Express app (as many replicas as entry has).
  const entryReplicas = serviceUrls({ replicas: o.replicas, offset: o.offset }, 'entry').length;
  const helloUrls = Array.from({ length: entryReplicas }, (_, i) => `http://127.0.0.1:${HELLO_UPSTREAM_PORT + o.offset + 10 * i}`);
  helloUrls.forEach((url, i) =>
    platform.group.start(`hello-${i + 1}`, process.execPath, ['--import', 'tsx', join(o.root, 'services/entry/bench/hello-upstream.ts')], {
      cwd: o.root,
      env: { PATH: process.env.PATH ?? '', ...o.env, PORT: url.split(':')[2] as string },
    }),
  );
  const ctx: StackContext = {
    redisNodes,
    kafkaBrokers: '',
    databaseUrl: () => '',
    urlsOf: (name) => (name === 'entry' ? helloUrls : serviceUrls({ replicas: o.replicas, offset: o.offset }, name)),
    secrets: {},
  };
  const helloPort = HELLO_GATEWAY_PORT + o.offset;
  platform.group.start('gateway-hello', process.execPath, [join(o.root, 'services/gateway/dist/main.js')], {
    cwd: o.root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      LOG_LEVEL: o.logLevel,
      HOST: '127.0.0.1',
      PORT: String(helloPort),
      ...gatewayEnv(ctx),
      ...o.env,
      // Its own rate-limit counters: the same shoppers pass through both gateways.
      RATE_LIMIT_NAMESPACE: 'bench-hello',
    },
  });
  const helloGateway = `http://127.0.0.1:${helloPort}`;
  await Promise.all(
    [helloGateway, ...helloUrls].map((u) => waitFor(`${u}/readyz`, async () => (await fetch(`${u}/readyz`)).ok, 60_000, 200)),
  );

  const secrets = JSON.parse(readFileSync(join(o.dataDir, 'secrets.json'), 'utf8')) as { adminEmail: string; adminPassword: string };
  const mint: Minter = {
    async shoppers(count) {
      const out = new Array<{ userId: string; token: string }>(count);
      let next = 0;
      const createdAt = Math.floor(Date.now() / 1000) - 30 * 86_400;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < count) {
            const i = next++;
            const userId = randomUUID();
            const sid = randomUUID();
            await putSession(redis, userId, sid, 3_600);
            const token = await new SignJWT({ roles: ['USER'], sid, uca: createdAt })
              .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
              .setSubject(userId)
              .setIssuer('stampede-auth')
              .setAudience('stampede')
              .setIssuedAt()
              .setExpirationTime('1h')
              .sign(privateKey);
            out[i] = { userId, token };
          }
        }),
      );
      return out;
    },
  };

  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(o.dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };

  return {
    platform,
    gateways: urls('gateway').filter((u) => u !== helloGateway),
    helloGateway,
    auth: urls('auth')[0] as string,
    redisNodes,
    redis,
    admin: { email: secrets.adminEmail, password: secrets.adminPassword },
    mint,
    roots(filter = () => true) {
      const roots = new Map<number, string>();
      for (const m of platform.group.list()) if (m.child.pid && filter(m.name)) roots.set(m.child.pid, m.name);
      const pg = postmasterPid();
      if (pg && filter('postgres')) roots.set(pg, 'postgres');
      return roots;
    },
    async stop() {
      redis.disconnect();
      await platform.stop();
    },
  };
}
