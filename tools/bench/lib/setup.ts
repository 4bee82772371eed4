/**
 * Everything the benchmark needs before the burst: the platform on its own ports (devkit's
 * `startPlatform`, as the local stack starts it: three Kafka nodes, durable PostgreSQL, the
 * build), a second gateway process in front of hello-world upstreams, and U shoppers with access
 * tokens.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { mintShoppers, serviceEnv, serviceScript, startPlatform, waitFor, type Platform, type Replicas } from '@stampede/devkit';

export interface BenchPlatform {
  platform: Platform;
  gateways: string[];
  helloGateway: string;
  /** The Express hello-worlds behind it (as many as entry has replicas). */
  helloUpstreams: string[];
  auth: string;
  redisNodes: string;
  redis: Cluster;
  admin: { email: string; password: string };
  /** Process id → name, for CPU accounting (services, stores, Prometheus, PostgreSQL). */
  roots(filter?: (name: string) => boolean): Map<number, string>;
  mint: Minter;
  stop(): Promise<void>;
}

interface Minter {
  /** Access tokens for `count` new shoppers, each with a live session, signed like auth signs them. */
  shoppers(count: number): Promise<Array<{ userId: string; token: string }>>;
}

export interface SetupOptions {
  root: string;
  dataDir: string;
  offset: number;
  replicas: Replicas;
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
    dir: o.dataDir,
    offset: o.offset,
    replicas: o.replicas,
    runner: 'dist',
    logLevel: o.logLevel,
    stores: { redisPort: 7000 + o.offset, postgresPort: 15432 + o.offset, kafkaPort: 9092 + o.offset },
    // Scraping costs the services CPU in production too, so the figures include it.
    prometheus: { port: 9090 + o.offset },
    env: { ...o.env, AUTH_SIGNING_KEYS: JSON.stringify([jwk]) },
  });
  const stores = platform.redis;
  if (!stores) throw new Error('the benchmark platform has no Redis Cluster of its own');
  const redisNodes = stores.nodesEnv;
  const redis = createRedisCluster({ nodes: stores.nodes });

  // The hello-world ceiling: a real gateway process, configured exactly as the stack's gateway,
  // except that its entry upstream is a trivial Express app (as many replicas as entry has).
  const entryReplicas = platform.urlsOf('entry').length;
  const helloUrls = Array.from({ length: entryReplicas }, (_, i) => `http://127.0.0.1:${HELLO_UPSTREAM_PORT + o.offset + 10 * i}`);
  helloUrls.forEach((url, i) =>
    platform.group.start(`hello-${i + 1}`, process.execPath, ['--import', 'tsx', join(__dirname, '..', 'hello-upstream.ts')], {
      cwd: o.root,
      env: { PATH: process.env.PATH ?? '', ...o.env, PORT: url.split(':')[2] as string },
    }),
  );
  const gatewaySpec = platform.services.find((s) => s.name === 'gateway');
  if (!gatewaySpec) throw new Error("the chart's values have no gateway");
  const helloEnv = serviceEnv(gatewaySpec, {
    redisNodes,
    kafkaBrokers: '',
    databaseUrl: () => '',
    urlsOf: (name) => (name === 'entry' ? helloUrls : platform.urlsOf(name)),
    secrets: {},
    identityKeys: platform.identityKeys,
  });
  const helloPort = HELLO_GATEWAY_PORT + o.offset;
  platform.group.start('gateway-hello', process.execPath, serviceScript(o.root, 'gateway', 'main', 'dist'), {
    cwd: o.root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      LOG_LEVEL: o.logLevel,
      HOST: '127.0.0.1',
      PORT: String(helloPort),
      ...helloEnv,
      ...o.env,
      // Its own rate-limit counters: the same shoppers pass through both gateways.
      RATE_LIMIT_NAMESPACE: 'bench-hello',
    },
  });
  const helloGateway = `http://127.0.0.1:${helloPort}`;
  await Promise.all(
    [helloGateway, ...helloUrls].map((u) => waitFor(`${u}/readyz`, async () => (await fetch(`${u}/readyz`)).ok, 60_000, 200)),
  );

  const secrets = platform.secrets as { adminEmail: string; adminPassword: string };
  const mint: Minter = { shoppers: (count) => mintShoppers(redis, { key: privateKey, alg: 'ES256', kid }, count, 64) };

  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(o.dataDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };

  return {
    platform,
    gateways: platform.gateways,
    helloGateway,
    helloUpstreams: helloUrls,
    auth: platform.urlsOf('auth')[0] as string,
    redisNodes,
    redis,
    admin: { email: secrets.adminEmail, password: secrets.adminPassword },
    mint,
    roots(filter = () => true) {
      const roots = new Map<number, string>();
      for (const m of platform.processes()) if (m.child.pid && filter(m.name)) roots.set(m.child.pid, m.name);
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
