import { join, resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { migrate } from '@stampede/chassis/clients/orm';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import {
  declareTopics,
  portFree,
  ProcessGroup,
  startKafka,
  startPostgres,
  startRedisCluster,
  type KafkaHandle,
  type Managed,
  type PostgresHandle,
  type RedisClusterHandle,
} from '@stampede/devkit';
import { serviceUrls, startReplicas, type Endpoint } from '../../../scripts/stack/replicas';
import { SERVICES, type ServiceName, type StackContext } from '../../../scripts/stack/services';

export const ROOT = resolve(__dirname, '..', '..', '..');

export interface FaultPlatform {
  /** Every gateway replica's URL: clients fail over between them as a load balancer would. */
  gateways: string[];
  urlsOf(name: ServiceName): string[];
  endpoints: Endpoint[];
  secrets: Record<string, string>;
  redis: RedisClusterHandle;
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  /** A client of the private Redis Cluster, for audits. */
  client: Cluster;
  /** SIGKILLs one replica by name (`entry-1`, `payment-2`, `gateway-1`, or `event` for one of one). */
  kill(name: string): Promise<void>;
  sql(db: 'event' | 'payment' | 'auth', query: string): Promise<string>;
  stop(): Promise<void>;
}

const DATABASES = ['auth', 'event', 'payment'] as const;

/**
 * Outside CI the port base may sit in the ephemeral range, where a node's port or its cluster
 * bus port (port + 10000) can be held by someone's long-lived outgoing connection: try the next
 * six ports (+20, +40) rather than wait for it.
 */
async function startRedisWithRetry(own: ProcessGroup, dir: string, basePort: number): Promise<RedisClusterHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startRedisCluster({ group: own, dir, basePort: basePort + 20 * attempt });
    } catch (e) {
      await own.stopAll(1_000);
      if (attempt >= 2) throw e;
    }
  }
}

/** The same for PostgreSQL's port: the next one (+1, +2) when it is taken. */
async function startPostgresWithRetry(dir: string, port: number): Promise<PostgresHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startPostgres({ dir, port: port + attempt, databases: [...DATABASES], fast: true });
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}

/**
 * Three Kafka nodes (brokers at +60, controllers at +63) with the declared topics at replication
 * factor 3 and min.insync.replicas 2, as in production. Like Redis, the next ports (+70, +80)
 * when one is taken.
 */
async function startKafkaWithRetry(own: ProcessGroup, dir: string, basePort: number): Promise<KafkaHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      const kafka = await startKafka({ group: own, root: ROOT, dir, nodes: 3, basePort: basePort + 10 * attempt });
      await declareTopics(kafka, ROOT);
      return kafka;
    } catch (e) {
      await own.stopAll(1_000);
      if (attempt >= 2 || !/taken/.test(String(e))) throw e;
    }
  }
}

/**
 * A service port may be held by someone's outgoing connection: shift the services by 20 until
 * every one of their ports is free.
 */
async function freeOffset(offset: number, replicas: Partial<Record<ServiceName, number>>): Promise<number> {
  for (let shift = 0; shift <= 60; shift += 20) {
    const urls = SERVICES.flatMap((s) => serviceUrls({ replicas, offset: offset + shift }, s.name));
    const free = await Promise.all(urls.map((u) => portFree(Number(new URL(u).port))));
    if (free.every(Boolean)) return offset + shift;
  }
  throw new Error('no free ports for the fault platform');
}

/**
 * A whole platform on stores of its own, so faults injected here (a Redis master killed,
 * PostgreSQL stopped, a Kafka broker killed or all frozen) never disturb other test files on the
 * shared infra.
 * `slot` picks the ports: stores at BASE + 300 + 200·slot, services at BASE + 400 + 200·slot.
 */
export async function startFaultPlatform(opts: { slot: number; replicas?: Partial<Record<ServiceName, number>>; env?: Record<string, string> }): Promise<FaultPlatform> {
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 300 + 200 * opts.slot;
  const dir = join(ROOT, '.stampede', `faults-${base}`);
  const group = new ProcessGroup(join(dir, 'logs'));
  // Their own groups, so a failed start can be stopped and retried without touching the rest,
  // and Kafka's nodes stop together (one by one, the last would wait for a lost quorum).
  const redisGroup = new ProcessGroup(join(dir, 'logs'));
  const kafkaGroup = new ProcessGroup(join(dir, 'logs'));
  let postgres: PostgresHandle | undefined;
  let kafkaHandle: KafkaHandle | undefined;
  let client: Cluster | undefined;
  const stop = async () => {
    client?.disconnect();
    await group.stopAll(3_000);
    await (kafkaHandle?.stop() ?? kafkaGroup.stopAll(3_000));
    await redisGroup.stopAll(3_000);
    await postgres?.stop();
  };
  try {
    // Settled one by one, so a store that did start is stopped when another did not.
    const started = await Promise.allSettled([
      startRedisWithRetry(redisGroup, join(dir, 'redis'), base),
      startPostgresWithRetry(join(dir, 'postgres'), base + 10),
      startKafkaWithRetry(kafkaGroup, join(dir, 'kafka'), base + 60),
    ]);
    if (started[1].status === 'fulfilled') postgres = started[1].value;
    if (started[2].status === 'fulfilled') kafkaHandle = started[2].value;
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [redis, pg, kafka] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [RedisClusterHandle, PostgresHandle, KafkaHandle];
    for (const db of DATABASES) {
      const { model } = (await import(join(ROOT, 'services', db, 'src', 'store', 'model.ts'))) as { model: Parameters<typeof migrate>[0] };
      await migrate({ ...model, clientUrl: pg.url(db) });
    }
    const logDir = join(dir, 'logs');
    const replicaOptions = {
      root: ROOT,
      group,
      offset: await freeOffset(base + 100 - 8080, opts.replicas ?? {}),
      replicas: opts.replicas ?? {},
      logLevel: 'warn',
      runner: 'tsx' as const,
      env: { OTEL_SDK_DISABLED: 'true', KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000', KAFKA_CONSUMER_HEARTBEAT_MS: '300', ...opts.env },
      logDir,
    };
    const ctx: StackContext = {
      redisNodes: redis.nodesEnv,
      kafkaBrokers: kafka.brokersEnv,
      databaseUrl: (db) => pg.url(db),
      urlsOf: (name) => serviceUrls(replicaOptions, name),
      secrets: {},
    };
    const endpoints = await startReplicas(replicaOptions, ctx);
    process.stdout.write(`\n[faults] platform on ${base}: 3 Kafka nodes ready in ${kafka.startup.readyMs} ms (storage formatted ${kafka.startup.formatMs} ms)\n`);
    client = createRedisCluster({ nodes: redis.nodes });
    const c = client;
    return {
      gateways: ctx.urlsOf('gateway'),
      urlsOf: ctx.urlsOf,
      endpoints,
      secrets: ctx.secrets,
      redis,
      postgres: pg,
      kafka,
      client: c,
      async kill(name) {
        const m = group.list().find((x: Managed) => x.name === name);
        if (!m) throw new Error(`no running replica named ${name}`);
        await group.stop(m, 'SIGKILL');
      },
      sql: (db, query) => pg.psql(db, query),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
