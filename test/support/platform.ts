import { join, resolve } from 'node:path';
import { startPlatform, type Platform, type PlatformOptions, type Replicas } from '@stampede/devkit';

export type TestPlatform = Platform & { gateway: string };

const ROOT = resolve(__dirname, '..', '..');

/**
 * Every service as a real process (from its sources), wired exactly as the local stack wires
 * them, on the test harness's Redis Cluster, PostgreSQL and Kafka. Ports start at
 * STAMPEDE_TEST_PORT_BASE + 100 (+ `shift`, so two platforms in one run do not collide).
 */
export async function startTestPlatform(opts: { replicas?: Replicas; env?: Record<string, string>; shift?: number; prometheus?: PlatformOptions['prometheus'] } = {}): Promise<TestPlatform> {
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 100 + (opts.shift ?? 0);
  const platform = await startPlatform({
    root: ROOT,
    dir: join(ROOT, '.stampede', `e2e-${base}`),
    offset: base - 8080,
    replicas: opts.replicas ?? {},
    runner: 'tsx',
    logLevel: 'warn',
    stores: 'harness',
    // Rate-limit counters of this platform alone: test files share Redis and 127.0.0.1.
    env: { OTEL_SDK_DISABLED: 'true', RATE_LIMIT_NAMESPACE: `test-${base}-${process.pid}`, KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '3000', KAFKA_CONSUMER_HEARTBEAT_MS: '300', ...opts.env },
    ...(opts.prometheus ? { prometheus: opts.prometheus } : {}),
  });
  return { ...platform, gateway: platform.gateways[0] as string };
}
