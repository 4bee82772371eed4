import { join, resolve } from 'node:path';
import { ProcessGroup, testDatabaseUrl, testInfra } from '@stampede/devkit';
import { serviceUrls, startReplicas, type Endpoint } from '../../scripts/stack/replicas';
import type { ServiceName, StackContext } from '../../scripts/stack/services';

export interface TestPlatform {
  gateway: string;
  endpoints: Endpoint[];
  secrets: Record<string, string>;
  group: ProcessGroup;
  urlsOf(name: ServiceName): string[];
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');

/**
 * Every service as a real process (from its sources), wired exactly as the local stack wires
 * them, on the test infra's Redis Cluster, PostgreSQL and Kafka. Ports start at
 * STAMPEDE_TEST_PORT_BASE + 100 (+ `shift`, so two platforms in one run do not collide).
 */
export async function startTestPlatform(opts: { replicas?: Partial<Record<ServiceName, number>>; env?: Record<string, string>; shift?: number } = {}): Promise<TestPlatform> {
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 100 + (opts.shift ?? 0);
  const logDir = join(ROOT, '.stampede', `e2e-${base}`, 'logs');
  const group = new ProcessGroup(logDir);
  const infra = testInfra();
  const replicaOptions = {
    root: ROOT,
    group,
    offset: base - 8080,
    replicas: opts.replicas ?? {},
    logLevel: 'warn',
    runner: 'tsx' as const,
    // Rate-limit counters of this platform alone: test files share Redis and 127.0.0.1.
    env: { OTEL_SDK_DISABLED: 'true', RATE_LIMIT_NAMESPACE: `test-${base}-${process.pid}`, KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000', KAFKA_CONSUMER_HEARTBEAT_MS: '300', ...opts.env },
    logDir,
  };
  const ctx: StackContext = {
    redisNodes: infra.redisNodes,
    kafkaBrokers: infra.kafkaBrokers,
    databaseUrl: (db) => testDatabaseUrl(db),
    urlsOf: (name) => serviceUrls(replicaOptions, name),
    secrets: {},
  };
  try {
    const endpoints = await startReplicas(replicaOptions, ctx);
    return {
      gateway: ctx.urlsOf('gateway')[0] as string,
      endpoints,
      secrets: ctx.secrets,
      group,
      urlsOf: ctx.urlsOf,
      stop: () => group.stopAll(5_000),
    };
  } catch (e) {
    await group.stopAll(2_000);
    throw e;
  }
}
