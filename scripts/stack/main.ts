/**
 * `npm run stack`: the whole platform on one machine, real Redis Cluster, PostgreSQL, Apache Kafka
 * (3 KRaft nodes), Prometheus and every service. Ctrl-C (or SIGTERM) stops everything it started.
 *
 *   npm run stack -- --replicas entry=3,payment=2 --offset 100
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from './platform';
import type { ServiceName } from './services';

function parseReplicas(spec: string | undefined): Partial<Record<ServiceName, number>> {
  if (!spec) return {};
  const out: Partial<Record<ServiceName, number>> = {};
  for (const part of spec.split(',')) {
    const [name, n] = part.split('=');
    if (!name || !n || !/^\d+$/.test(n) || Number(n) < 1) throw new Error(`bad --replicas entry "${part}" (expected name=N)`);
    out[name as ServiceName] = Number(n);
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      replicas: { type: 'string', default: process.env.STAMPEDE_REPLICAS },
      offset: { type: 'string', default: process.env.STAMPEDE_PORT_OFFSET ?? '0' },
      'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
    },
  });
  const root = resolve(__dirname, '..', '..');
  const dataDir = join(root, '.stampede', 'stack');
  const rulesDir = join(root, 'observability', 'prometheus', 'rules');
  const started = Date.now();
  process.stdout.write('Starting Stampede: Redis Cluster, PostgreSQL, Kafka, services, Prometheus...\n');
  const platform = await startPlatform({
    root,
    dataDir,
    offset: Number(values.offset),
    replicas: parseReplicas(values.replicas),
    logLevel: values['log-level'] ?? 'info',
    ruleFiles: readdirSync(rulesDir).filter((f) => f.endsWith('.yml')).map((f) => join(rulesDir, f)),
  });
  const width = Math.max(...platform.endpoints.map((e) => e.name.length));
  const lines = platform.endpoints.map((e) => `  ${e.name.padEnd(width)}  ${e.url}`);
  writeFileSync(join(dataDir, 'endpoints.json'), JSON.stringify(platform.endpoints, null, 2));
  process.stdout.write(
    `\nStampede is up in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(Kafka ${platform.kafka.runtime.version}, 3 nodes, ready in ${(platform.kafka.startup.readyMs / 1000).toFixed(1)} s)\n\n${lines.join('\n')}\n\n` +
      `Logs: ${join(dataDir, 'logs')}\nPress Ctrl-C to stop everything.\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping everything...\n`);
    platform.stop().then(
      () => {
        process.stdout.write('Stopped.\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // A service that dies on its own is reported rather than silently missing.
  for (const m of platform.group.list()) {
    void m.exited.then((code) => {
      if (!stopping) process.stderr.write(`!! ${m.name} exited with code ${code}; see its log\n`);
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Stampede failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
