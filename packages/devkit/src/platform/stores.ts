import { join } from 'node:path';
import { portFree, declareTopics, startKafka, type KafkaHandle } from '../infra/kafka';
import { startPostgres, type PostgresHandle } from '../infra/postgres';
import { ProcessGroup } from '../infra/processes';
import { startRedisCluster, type RedisClusterHandle } from '../infra/redis-cluster';

export interface OwnStoresOptions {
  /** First of the six Redis Cluster nodes' ports. */
  redisPort: number;
  postgresPort: number;
  /** First Kafka broker port; controllers follow the brokers. */
  kafkaPort: number;
  /** Kafka's combined broker+controller nodes; 3 (the declared replication factor) by default. */
  kafkaNodes?: number;
  /** Durability off (fsync and friends): for tests only, never for data anyone keeps. */
  fast?: boolean;
}

export interface OwnStores {
  redis: RedisClusterHandle;
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  /** Every store process (Redis nodes, Kafka nodes), for CPU accounting. */
  groups: ProcessGroup[];
  stop(): Promise<void>;
}

/**
 * Outside CI a port may sit in the ephemeral range, where a node's port or its cluster bus port
 * (port + 10000) can be held by someone's long-lived outgoing connection: with `retry`, the next
 * ports are tried (Redis +20, +40; PostgreSQL +1, +2; Kafka +10, +20) rather than waiting for it.
 */
async function withRetry<T>(retry: boolean, attempt: (n: number) => Promise<T>, undo: () => Promise<void>, retriable: (e: unknown) => boolean = () => true): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      await undo();
      if (!retry || n >= 2 || !retriable(e)) throw e;
    }
  }
}

/**
 * A Redis Cluster (6 nodes), a PostgreSQL with `databases` and Kafka with the declared topics,
 * started side by side. Each has its own process group, so a failed start can be stopped and
 * retried without touching the rest, and Kafka's nodes stop together (one by one, the last would
 * wait for a lost quorum). When one store fails, the others that did start are stopped.
 */
export async function startOwnStores(root: string, dir: string, o: OwnStoresOptions, databases: string[], retry: boolean): Promise<OwnStores> {
  const logDir = join(dir, 'logs');
  const redisGroup = new ProcessGroup(logDir);
  const kafkaGroup = new ProcessGroup(logDir);
  const started = await Promise.allSettled([
    withRetry(retry, (n) => startRedisCluster({ group: redisGroup, dir: join(dir, 'redis'), basePort: o.redisPort + 20 * n }), () => redisGroup.stopAll(1_000)),
    withRetry(retry, (n) => startPostgres({ dir: join(dir, 'postgres'), port: o.postgresPort + n, databases, fast: o.fast ?? false }), async () => undefined),
    withRetry(
      retry,
      async (n) => {
        const kafka = await startKafka({ group: kafkaGroup, root, dir: join(dir, 'kafka'), nodes: o.kafkaNodes ?? 3, basePort: o.kafkaPort + 10 * n });
        await declareTopics(kafka, root);
        return kafka;
      },
      () => kafkaGroup.stopAll(1_000),
      (e) => /taken/.test(String(e)),
    ),
  ]);
  const [redis, postgres, kafka] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [RedisClusterHandle?, PostgresHandle?, KafkaHandle?];
  const stop = async () => {
    await (kafka?.stop() ?? kafkaGroup.stopAll(3_000));
    await redisGroup.stopAll(3_000);
    await postgres?.stop();
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed || !redis || !postgres || !kafka) {
    await stop();
    throw failed?.reason;
  }
  return { redis, postgres, kafka, groups: [redisGroup, kafkaGroup], stop };
}

/**
 * A service port may be held by someone's outgoing connection: the offset shifted by 20 until
 * every one of `ports(offset)` is free.
 */
export async function freeOffset(offset: number, ports: (offset: number) => number[]): Promise<number> {
  for (let shift = 0; shift <= 60; shift += 20) {
    const free = await Promise.all(ports(offset + shift).map(portFree));
    if (free.every(Boolean)) return offset + shift;
  }
  throw new Error(`no free ports for the services from offset ${offset}`);
}
