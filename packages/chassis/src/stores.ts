import type { EntitySchema } from '@mikro-orm/core';
import type { MigrationObject } from '@mikro-orm/core';
import type { Cluster } from 'ioredis';
import { closeCluster, createRedisCluster, pingCluster } from './clients/redis';
import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm, pingDatabase, type OrmOptions } from './clients/orm';
import { kafkaConnection, type KafkaConnection } from './clients/kafka';
import { KafkaHealth } from './clients/kafka-health';
import type { KafkaConfig } from './config';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './health';
import { Gauge, type Registry } from 'prom-client';

/**
 * The store clients a service holds, with the readiness check and the closer for each, so every
 * service wires its dependencies the same way.
 */
export interface Stores {
  checks: Record<string, ReadinessCheck>;
  closers: Array<() => Promise<void>>;
  /** Where store health gauges are registered (optional for tools and tests). */
  registry?: Registry;
}

export function redisStore(
  config: { REDIS_NODES: { host: string; port: number }[]; REDIS_PASSWORD?: string | undefined },
  stores: Stores,
): Cluster {
  const redis = createRedisCluster({ nodes: config.REDIS_NODES, password: config.REDIS_PASSWORD });
  stores.checks.redis = () => pingCluster(redis);
  stores.closers.push(() => closeCluster(redis));
  if (stores.registry) registerClusterGauge(redis, stores.registry);
  return redis;
}

export async function postgresStore(
  config: { DATABASE_URL: string; DATABASE_POOL_MAX: number; DATABASE_SSL_CA_FILE?: string | undefined },
  model: { entities: EntitySchema[]; migrations: MigrationObject[] },
  stores: Stores,
  extra?: Partial<OrmOptions>,
): Promise<MikroORM> {
  const orm = await initOrm({ clientUrl: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, sslCaFile: config.DATABASE_SSL_CA_FILE, ...model, ...extra });
  stores.checks.postgres = () => pingDatabase(orm);
  stores.closers.push(() => orm.close(true));
  return orm;
}

/**
 * Kafka's connection settings and the health its clients report into: readiness fails on a
 * credential or certificate problem (see KafkaHealth), never on a mere outage.
 */
export function kafkaStore(config: KafkaConfig, stores: Stores, logger: Logger): { connection: KafkaConnection; health: KafkaHealth } {
  const health = new KafkaHealth(logger, {
    saslMechanism: config.KAFKA_SASL_MECHANISM,
    saslUsername: config.KAFKA_SASL_USERNAME,
    ssl: String(config.KAFKA_SSL),
  });
  stores.checks.kafka = health.check;
  return { connection: kafkaConnection(config), health };
}

export const newStores = (registry?: Registry): Stores => ({ checks: {}, closers: [], ...(registry ? { registry } : {}) });

/** 1 while this service sees the cluster as healthy (cluster_state:ok), read at scrape time. */
function registerClusterGauge(redis: Cluster, registry: Registry): void {
  new Gauge({
    name: 'stampede_redis_cluster_ok',
    help: 'Whether this replica sees the Redis Cluster in state ok (1) or not (0)',
    registers: [registry],
    async collect() {
      try {
        if (redis.status !== 'ready') return this.set(0);
        const info = await Promise.race([
          redis.cluster('INFO') as Promise<string>,
          new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), 500).unref()),
        ]);
        this.set(info.includes('cluster_state:ok') ? 1 : 0);
      } catch {
        this.set(0);
      }
    },
  });
}
