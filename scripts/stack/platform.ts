import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  assertSystemReady,
  declareTopics,
  ProcessGroup,
  startKafka,
  startPostgres,
  startPrometheus,
  startRedisCluster,
  type KafkaHandle,
  type PostgresHandle,
} from '@stampede/devkit';
import { serviceUrls, startReplicas, type Endpoint } from './replicas';
import { SERVICES, type ServiceName, type StackContext } from './services';

const exec = promisify(execFile);

export interface PlatformOptions {
  root: string;
  dataDir: string;
  offset: number;
  replicas: Partial<Record<ServiceName, number>>;
  logLevel: string;
  /** Extra environment for every service (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: Record<string, string>;
  ruleFiles?: string[];
}

export interface Platform {
  endpoints: Endpoint[];
  group: ProcessGroup;
  postgres: PostgresHandle;
  kafka: KafkaHandle;
  stop(): Promise<void>;
}

/**
 * Three Kafka nodes (brokers 9092-9094, controllers 9095-9097, shifted by the offset) with the
 * declared topics at the declared replication factor 3 and min.insync.replicas 2.
 */
async function startStackKafka(o: PlatformOptions, group: ProcessGroup): Promise<KafkaHandle> {
  const kafka = await startKafka({ group, root: o.root, dir: join(o.dataDir, 'kafka'), nodes: 3, basePort: 9092 + o.offset });
  await declareTopics(kafka, o.root);
  return kafka;
}

/** Starts stores, runs migrations, starts every replica and waits until each one is ready. */
export async function startPlatform(o: PlatformOptions): Promise<Platform> {
  assertSystemReady();
  mkdirSync(o.dataDir, { recursive: true });
  const group = new ProcessGroup(join(o.dataDir, 'logs'));
  let postgres: PostgresHandle | undefined;
  const stop = async () => {
    await group.stopAll();
    await postgres?.stop();
  };
  try {
    const databases = SERVICES.flatMap((s) => (s.database ? [s.database] : []));
    const [redis, pg, kafka] = await Promise.all([
      startRedisCluster({ group, dir: join(o.dataDir, 'redis'), basePort: 7000 + o.offset }),
      startPostgres({ dir: join(o.dataDir, 'postgres'), port: 15432 + o.offset, databases }),
      startStackKafka(o, group),
    ]);
    postgres = pg;

    const replicaOptions = {
      root: o.root,
      group,
      offset: o.offset,
      replicas: o.replicas,
      logLevel: o.logLevel,
      runner: 'dist' as const,
      env: o.env,
      logDir: join(o.dataDir, 'logs'),
    };
    const ctx: StackContext = {
      redisNodes: redis.nodesEnv,
      kafkaBrokers: kafka.brokersEnv,
      databaseUrl: (db) => pg.url(db),
      urlsOf: (name) => serviceUrls(replicaOptions, name),
      secrets: {},
    };

    await Promise.all(
      SERVICES.filter((s) => s.database).map((s) =>
        exec(process.execPath, [join(o.root, 'services', s.name, 'dist', 'migrate.js')], {
          env: { ...process.env, DATABASE_URL: pg.url(s.database as string) },
        }),
      ),
    );

    const startingReplicas = startReplicas(replicaOptions, ctx);
    // Generated per run (e.g. the initial admin's password): readable by the demo, never committed.
    writeFileSync(join(o.dataDir, 'secrets.json'), JSON.stringify(ctx.secrets, null, 2), { mode: 0o600 });
    const endpoints = await startingReplicas;
    const prometheus = await startPrometheus({
      group,
      dir: join(o.dataDir, 'prometheus'),
      port: 9090 + o.offset,
      ruleFiles: o.ruleFiles ?? [],
      jobs: SERVICES.map((s) => ({
        job: s.name,
        targets: endpoints.filter((e) => e.name === s.name || e.name.startsWith(`${s.name}-`)).map((e) => e.url.replace('http://', '')),
      })),
    });
    endpoints.push(
      { name: 'prometheus', url: prometheus.url },
      { name: 'postgres', url: pg.url('<db>').replace(/:[^:@/]+@/, ':***@') },
      { name: 'redis-cluster', url: redis.nodesEnv },
      { name: 'kafka', url: kafka.brokersEnv },
    );
    return { endpoints, group, postgres: pg, kafka, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
