import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSystemReady } from '../infra/system';
import { ProcessGroup } from '../infra/processes';
import { reapLeftovers } from '../infra/leftovers';
import { startRedisCluster, type RedisClusterHandle } from '../infra/redis-cluster';
import { startPostgres, type PostgresHandle } from '../infra/postgres';
import { declareTopics, startKafka, type KafkaHandle } from '../infra/kafka';

/** What integration tests need to reach the real components the harness started. */
export interface TestInfra {
  redisNodes: string;
  redisPorts: number[];
  kafkaBrokers: string;
  postgres: { port: number; user: string; password: string };
  databases: string[];
  dataDir: string;
}

export const TEST_DATABASES = ['auth', 'event', 'payment', 'scratch'];

export interface RunningInfra {
  info: TestInfra;
  redis: RedisClusterHandle;
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  stop(): Promise<void>;
}

/**
 * Ports: base..base+5 Redis Cluster, base+10 PostgreSQL, base+50 Kafka (controller base+51).
 * Single test files use base+20 (a PostgreSQL), base+30 and base+40 (Prometheus), base+60 to
 * base+89 (Kafka clusters of their own, see testKafkaPorts), base+100 onwards (service
 * platforms). Each developer or helper running the suite in parallel picks its own
 * STAMPEDE_TEST_PORT_BASE.
 */
export async function startTestInfra(root: string, base: number): Promise<RunningInfra> {
  assertSystemReady();
  const dataDir = join(root, '.stampede', `test-${base}`);
  const reaped = await reapDeadRuns(root);
  if (reaped > 0) process.stdout.write(`[harness] stopped ${reaped} server(s) that killed runs left behind\n`);
  const group = new ProcessGroup(join(dataDir, 'logs'));
  // Settled one by one, so a store that did start is stopped when another did not.
  const started = await Promise.allSettled([
    startRedisCluster({ group, dir: join(dataDir, 'redis'), basePort: base }),
    startPostgres({ dir: join(dataDir, 'postgres'), port: base + 10, databases: TEST_DATABASES, fast: true }),
    startTestKafka(root, group, join(dataDir, 'kafka'), base + 50),
  ]);
  const pg = started[1].status === 'fulfilled' ? started[1].value : undefined;
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [redis, postgres, kafka] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [RedisClusterHandle, PostgresHandle, KafkaHandle];
    const info: TestInfra = {
      redisNodes: redis.nodesEnv,
      redisPorts: redis.nodes.map((n) => n.port),
      kafkaBrokers: kafka.brokersEnv,
      postgres: { port: postgres.port, user: postgres.user, password: postgres.password },
      databases: TEST_DATABASES,
      dataDir,
    };
    return {
      info,
      redis,
      postgres,
      kafka,
      async stop() {
        await group.stopAll(3_000);
        await postgres.stop();
      },
    };
  } catch (e) {
    await group.stopAll(1_000);
    await pg?.stop();
    throw e;
  }
}

/**
 * Everything an earlier, dead run of this checkout left running: the harness's folder, every
 * platform's and every single test file's (a run still alive, e.g. a stack, keeps its own).
 */
async function reapDeadRuns(root: string): Promise<number> {
  const top = join(root, '.stampede');
  if (!existsSync(top)) return 0;
  let reaped = 0;
  for (const name of readdirSync(top)) reaped += await reapLeftovers(join(top, name));
  return reaped;
}

/** One Kafka node with the declared topics (replication capped at one: see topicPlan). */
async function startTestKafka(root: string, group: ProcessGroup, dir: string, basePort: number): Promise<KafkaHandle> {
  const kafka = await startKafka({ group, root, dir, nodes: 1, basePort });
  await declareTopics(kafka, root);
  return kafka;
}

/**
 * Ports for a Kafka cluster a single test file starts for itself (one it may freeze or secure
 * without disturbing other files): ten ports from base + 60 + 10·slot, inside the harness's range.
 * Slots: 0 the payment outbox test, 1 the SASL/TLS test, 2 the event consumer restart test.
 */
export function testKafkaPorts(slot: 0 | 1 | 2): number {
  return Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 60 + 10 * slot;
}

const ENV_KEY = 'STAMPEDE_TEST_INFRA';

export function publishTestInfra(info: TestInfra, file?: string): void {
  process.env[ENV_KEY] = JSON.stringify(info);
  if (file) writeFileSync(file, JSON.stringify(info, null, 2));
}

/** Inside a test: the infra started by the global setup (or by `npm run test:infra`). */
export function testInfra(): TestInfra {
  const raw = process.env[ENV_KEY] ?? (process.env.STAMPEDE_TEST_INFRA_FILE ? readFileSync(process.env.STAMPEDE_TEST_INFRA_FILE, 'utf8') : undefined);
  if (!raw) throw new Error('no test infrastructure: run the suite through jest (global setup) or set STAMPEDE_TEST_INFRA_FILE');
  return JSON.parse(raw) as TestInfra;
}

export function testDatabaseUrl(db: string): string {
  const { postgres } = testInfra();
  return `postgres://${postgres.user}:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/${db}`;
}

/** The environment a service needs to reach the test infra (merge with service-specific values). */
export function testStoreEnv(db?: string): Record<string, string> {
  const infra = testInfra();
  return {
    REDIS_NODES: infra.redisNodes,
    KAFKA_BROKERS: infra.kafkaBrokers,
    ...(db ? { DATABASE_URL: testDatabaseUrl(db) } : {}),
    KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000',
    KAFKA_CONSUMER_HEARTBEAT_MS: '300',
  };
}
