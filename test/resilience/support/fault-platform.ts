import { join, resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { startPlatform, type KafkaHandle, type Platform, type PostgresHandle, type RedisClusterHandle, type Replicas } from '@stampede/devkit';

const ROOT = resolve(__dirname, '..', '..', '..');

export interface FaultPlatform extends Platform {
  redis: RedisClusterHandle;
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  /** A client of the private Redis Cluster, for audits. */
  client: Cluster;
  sql(db: 'event' | 'payment' | 'auth', query: string): Promise<string>;
}

/**
 * A whole platform on stores of its own (three Kafka nodes, as in production), so faults injected
 * here (a Redis master killed, PostgreSQL stopped, a Kafka broker killed or all frozen) never
 * disturb other test files on the shared infra.
 * `slot` picks the ports: stores at BASE + 300 + 200·slot (Redis, PostgreSQL +10, Kafka +60),
 * services at BASE + 400 + 200·slot; the next ones when a port is taken.
 */
export async function startFaultPlatform(opts: { slot: number; replicas?: Replicas; env?: Record<string, string> }): Promise<FaultPlatform> {
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 300 + 200 * opts.slot;
  const platform = await startPlatform({
    root: ROOT,
    dir: join(ROOT, '.stampede', `faults-${base}`),
    offset: base + 100 - 8080,
    replicas: opts.replicas ?? {},
    runner: 'tsx',
    logLevel: 'warn',
    stores: { redisPort: base, postgresPort: base + 10, kafkaPort: base + 60, fast: true },
    retryPorts: true,
    env: { OTEL_SDK_DISABLED: 'true', KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000', KAFKA_CONSUMER_HEARTBEAT_MS: '300', ...opts.env },
  });
  const { redis, postgres, kafka } = platform as Platform & Pick<FaultPlatform, 'redis' | 'postgres' | 'kafka'>;
  process.stdout.write(`\n[faults] platform on ${base}: 3 Kafka nodes ready in ${kafka.startup.readyMs} ms (storage formatted ${kafka.startup.formatMs} ms)\n`);
  const client = createRedisCluster({ nodes: redis.nodes });
  return {
    ...platform,
    redis,
    postgres,
    kafka,
    client,
    sql: (db, query) => postgres.psql(db, query),
    async stop() {
      client.disconnect();
      await platform.stop();
    },
  };
}
