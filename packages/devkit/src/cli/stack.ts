/**
 * `npm run stack` (what ./scripts/up.sh runs): the whole platform on one machine, real Redis
 * Cluster, PostgreSQL, Apache Kafka (3 KRaft nodes), Prometheus and every service. Ctrl-C (or
 * SIGTERM) stops everything it started and removes the run's secrets.json and endpoints.json.
 *
 *   npm run stack -- --replicas entry=3,payment=2 --offset 100
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform, type Platform } from '../platform/start';
import { parseReplicas, type Endpoint } from '../platform/replicas';
import { removeStackState, ROOT, STACK_DIR, writeStackState } from './stack-state';

/** Every replica, Prometheus and the stores (the password hidden): endpoints.json and the table. */
function stackEndpoints(p: Platform): Endpoint[] {
  return [
    ...p.endpoints,
    ...(p.prometheus ? [{ name: 'prometheus', url: p.prometheus.url }] : []),
    ...(p.postgres ? [{ name: 'postgres', url: p.postgres.url('<db>').replace(/:[^:@/]+@/, ':***@') }] : []),
    ...(p.redis ? [{ name: 'redis-cluster', url: p.redis.nodesEnv }] : []),
    ...(p.kafka ? [{ name: 'kafka', url: p.kafka.brokersEnv }] : []),
  ];
}

/** The table printed once the stack is up: every endpoint, and the gateway's API documents. */
function urlTable(endpoints: Endpoint[]): string {
  const rows = endpoints.flatMap((e) =>
    e.name === 'gateway' || e.name === 'gateway-1'
      ? [e, { name: 'API docs (Swagger UI)', url: `${e.url}/docs` }, { name: 'OpenAPI document', url: `${e.url}/openapi.json` }]
      : [e],
  );
  const width = Math.max(...rows.map((e) => e.name.length));
  return rows.map((e) => `  ${e.name.padEnd(width)}  ${e.url}`).join('\n');
}

let starting: Promise<Platform> | undefined;
let stopping = false;

async function main() {
  const { values } = parseArgs({
    options: {
      replicas: { type: 'string', default: process.env.STAMPEDE_REPLICAS },
      offset: { type: 'string', default: process.env.STAMPEDE_PORT_OFFSET ?? '0' },
      'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
    },
  });
  const offset = Number(values.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`bad --offset "${values.offset}" (expected a whole number of ports)`);
  const rulesDir = join(ROOT, 'observability', 'prometheus', 'rules');
  const started = Date.now();
  mkdirSync(STACK_DIR, { recursive: true });
  removeStackState(STACK_DIR);
  process.stdout.write('Starting Stampede: Redis Cluster, PostgreSQL, Kafka, services, Prometheus...\n');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping everything...\n`);
    removeStackState(STACK_DIR);
    // Mid-start, whatever did start is stopped once startPlatform returns (or has undone itself).
    (starting ?? Promise.reject(new Error('not started'))).then((p) => p.stop(), () => undefined).then(
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
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

  starting = startPlatform({
    root: ROOT,
    dir: STACK_DIR,
    offset,
    replicas: parseReplicas(values.replicas),
    runner: 'dist',
    logLevel: values['log-level'] ?? 'info',
    stores: { redisPort: 7000 + offset, postgresPort: 15432 + offset, kafkaPort: 9092 + offset },
    prometheus: { port: 9090 + offset, ruleFiles: readdirSync(rulesDir).filter((f) => f.endsWith('.yml')).map((f) => join(rulesDir, f)) },
  });
  const platform = await starting;
  if (stopping) return;
  const endpoints = stackEndpoints(platform);
  writeStackState(STACK_DIR, endpoints, platform.secrets);
  const kafka = platform.kafka;
  process.stdout.write(
    `\nStampede is up in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (kafka ? ` (Kafka ${kafka.runtime.version}, ${kafka.nodes} nodes, ready in ${(kafka.startup.readyMs / 1000).toFixed(1)} s)` : '') +
      `\n\n${urlTable(endpoints)}\n\n` +
      `Sign in as admin: npm run stack:admin prints the credentials made for this run.\n` +
      `Logs: ${platform.group.logDir}\nPress Ctrl-C to stop everything.\n`,
  );
  // A service that dies on its own is reported rather than silently missing.
  for (const m of platform.group.list()) {
    void m.exited.then((code) => {
      if (!stopping) process.stderr.write(`!! ${m.name} exited with code ${code}; see its log\n`);
    });
  }
}

main().catch((err: unknown) => {
  // Interrupted mid-start: the signal's handler reports and exits.
  if (stopping) return;
  removeStackState(STACK_DIR);
  process.stderr.write(`Stampede failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
