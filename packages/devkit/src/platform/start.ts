import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KafkaHandle } from '../infra/kafka';
import type { PostgresHandle } from '../infra/postgres';
import { ProcessGroup, type Managed } from '../infra/processes';
import { startPrometheus, type PrometheusHandle } from '../infra/prometheus';
import type { RedisClusterHandle } from '../infra/redis-cluster';
import { assertSystemReady } from '../infra/system';
import { testDatabaseUrl, testInfra } from '../testing/infra';
import { newIdentityKeys, serviceEnv, type EnvContext } from './env';
import { replicaPort, replicasOf, serviceScript, serviceUrls, startReplicas, type Endpoint, type Replicas } from './replicas';
import { localServices, type ServiceSpec } from './services';
import { freeOffset, startOwnStores, type OwnStoresOptions } from './stores';

const exec = promisify(execFile);

export interface PlatformOptions {
  /** The repository root. */
  root: string;
  /** Data and logs (`<dir>/logs/<name>.log`). */
  dir: string;
  /** Shifts every service port: replica i of a service listens on its chart port + 10·i + offset. */
  offset: number;
  /** Replicas per service; entry and payment default to 2, the others to 1. */
  replicas?: Replicas;
  /** 'dist' runs the build (the stack, the benchmark); 'tsx' runs the sources (tests). */
  runner: 'dist' | 'tsx';
  logLevel?: string;
  /** Extra variables for every service, over their own. */
  env?: Record<string, string>;
  /**
   * 'harness': the jest harness's Redis Cluster, PostgreSQL and Kafka (already migrated);
   * otherwise stores of the platform's own on these ports, migrated once before any service starts.
   */
  stores: 'harness' | OwnStoresOptions;
  /** With stores of its own: try the next ports when one is taken (see startOwnStores), and shift the services until theirs are free. */
  retryPorts?: boolean;
  /** A Prometheus scraping every replica, one job per service, with these rule files. */
  prometheus?: { port: number; ruleFiles?: string[]; scrapeInterval?: string };
}

export interface Platform {
  services: ServiceSpec[];
  /** Every replica of every service, by name (`auth`, `entry-1`, `entry-2`, ...). */
  endpoints: Endpoint[];
  /** Every gateway replica: clients may fail over between them as a load balancer would. */
  gateways: string[];
  /** Base URLs of every replica of a service. */
  urlsOf(service: string): string[];
  /** The admin's credentials and the payment webhook secret, made for this platform. */
  secrets: Record<string, string>;
  /** The identity key the platform's gateway and services share (INTERNAL_IDENTITY_KEYS). */
  identityKeys: string;
  /** The services' processes; more may join it (they are stopped with the platform). */
  group: ProcessGroup;
  /** Stores of its own (not with the harness's stores). */
  redis?: RedisClusterHandle;
  postgres?: PostgresHandle;
  kafka?: KafkaHandle;
  prometheus?: PrometheusHandle;
  /** Every process the platform started (services, stores, Prometheus), for CPU accounting. */
  processes(): Managed[];
  /** SIGKILLs one replica by name (`entry-1`, `payment-2`, `gateway`), as a crash would. */
  kill(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Applies each database service's migrations once, before any replica starts. */
async function migrate(o: PlatformOptions, services: ServiceSpec[], databaseUrl: (db: string) => string): Promise<void> {
  await Promise.all(
    services.flatMap((s) =>
      s.database
        ? [
            exec(process.execPath, serviceScript(o.root, s.name, 'migrate', o.runner), {
              cwd: o.root,
              env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl(s.database) },
            }).catch((e: { stderr?: string; message: string }) => {
              throw new Error(`${s.name} migrations failed: ${e.stderr || e.message}`);
            }),
          ]
        : [],
    ),
  );
}

/**
 * Every service of the chart's values as real processes, wired the way the chart wires them,
 * on the jest harness's stores or on stores of its own: the local stack, the integration tests,
 * the fault suite and the benchmark all start the platform here.
 */
export async function startPlatform(o: PlatformOptions): Promise<Platform> {
  assertSystemReady();
  mkdirSync(o.dir, { recursive: true });
  const services = localServices(o.root);
  const replicas = o.replicas ?? {};
  const group = new ProcessGroup(join(o.dir, 'logs'));
  const storeGroups: ProcessGroup[] = [];
  const stops: Array<() => Promise<void>> = [() => group.stopAll(5_000)];
  const stop = async () => {
    for (const s of stops.splice(0)) await s();
  };
  try {
    let ctx: Omit<EnvContext, 'urlsOf' | 'secrets' | 'identityKeys'>;
    let own: Awaited<ReturnType<typeof startOwnStores>> | undefined;
    if (o.stores === 'harness') {
      const infra = testInfra();
      ctx = { redisNodes: infra.redisNodes, kafkaBrokers: infra.kafkaBrokers, databaseUrl: testDatabaseUrl };
    } else {
      const databases = services.flatMap((s) => (s.database ? [s.database] : []));
      own = await startOwnStores(o.root, o.dir, o.stores, databases, o.retryPorts ?? false);
      stops.push(own.stop);
      storeGroups.push(...own.groups);
      const pg = own.postgres;
      ctx = { redisNodes: own.redis.nodesEnv, kafkaBrokers: own.kafka.brokersEnv, databaseUrl: (db) => pg.url(db) };
      await migrate(o, services, ctx.databaseUrl);
    }
    const servicePorts = (offset: number) => services.flatMap((s) => Array.from({ length: replicasOf(replicas, s.name) }, (_, i) => replicaPort(s, i, offset)));
    const offset = o.retryPorts ? await freeOffset(o.offset, servicePorts) : o.offset;
    const urlsOf = serviceUrls(services, replicas, offset);
    const env: EnvContext = { ...ctx, urlsOf, secrets: {}, identityKeys: newIdentityKeys() };
    const endpoints = await startReplicas({
      root: o.root,
      group,
      services,
      replicas,
      offset,
      runner: o.runner,
      logLevel: o.logLevel ?? 'info',
      envOf: (s) => serviceEnv(s, env),
      env: o.env ?? {},
    });

    let prometheus: PrometheusHandle | undefined;
    if (o.prometheus) {
      const promGroup = new ProcessGroup(group.logDir);
      storeGroups.push(promGroup);
      stops.splice(1, 0, () => promGroup.stopAll(3_000));
      prometheus = await startPrometheus({
        group: promGroup,
        dir: join(o.dir, 'prometheus'),
        port: o.prometheus.port,
        ruleFiles: o.prometheus.ruleFiles ?? [],
        ...(o.prometheus.scrapeInterval ? { scrapeInterval: o.prometheus.scrapeInterval } : {}),
        jobs: services.map((s) => ({ job: s.name, targets: urlsOf(s.name).map((u) => u.replace('http://', '')) })),
      });
    }
    const gateways = services.some((s) => s.name === 'gateway') ? urlsOf('gateway') : [];
    return {
      services,
      endpoints,
      gateways,
      urlsOf,
      secrets: env.secrets,
      identityKeys: env.identityKeys,
      group,
      ...(own ? { redis: own.redis, postgres: own.postgres, kafka: own.kafka } : {}),
      ...(prometheus ? { prometheus } : {}),
      processes: () => [group, ...storeGroups].flatMap((g) => [...g.list()]),
      async kill(name) {
        const m = group.list().find((x) => x.name === name);
        if (!m) throw new Error(`no running replica named ${name}`);
        await group.stop(m, 'SIGKILL');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
