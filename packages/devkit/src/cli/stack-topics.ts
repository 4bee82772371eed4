/**
 * `npm run stack:topics [-- --offset N]`: against the running local stack, lists Kafka's topics
 * (partitions, replication factor, min.insync.replicas, retention), compares them with the
 * declared list (the chart's kafka.topics: replication factor 3, min.insync.replicas 2) and
 * checks that a write to an undeclared topic is refused. Exits 1 on any difference.
 */
import { parseArgs } from 'node:util';
import { createKafka } from '@stampede/chassis/clients/kafka';
import { createLogger } from '@stampede/chassis/logger';
import { declaredTopicsFile, describeTopics, probeUndeclaredTopic, readDeclaredTopics, topicDrift, topicPlan } from '../infra/kafka-topics';
import { ROOT } from './stack-state';

const STACK_NODES = 3;

async function main() {
  const { values } = parseArgs({ options: { offset: { type: 'string', default: process.env.STAMPEDE_PORT_OFFSET ?? '0' } } });
  const brokers = [0, 1, 2].map((i) => `127.0.0.1:${9092 + Number(values.offset) + i}`);
  const kafka = createKafka({ brokers, clientId: 'stack-topics', logger: createLogger({ service: 'stack-topics', level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  const { brokers: live } = await admin.describeCluster();
  const actual = await describeTopics(admin);
  await admin.disconnect();

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`brokers: ${live.map((b) => `${b.host}:${b.port} (node ${b.nodeId})`).join(', ')}`);
  out(['topic'.padEnd(24), 'partitions', 'replicas', 'min.insync', 'retention.ms'].join('  '));
  for (const t of actual) {
    out([t.name.padEnd(24), String(t.partitions).padStart(10), String(t.replicationFactor).padStart(8), String(t.config['min.insync.replicas'] ?? '').padStart(10), t.config['retention.ms'] ?? ''].join('  '));
  }
  const drift = topicDrift(actual, topicPlan(readDeclaredTopics(declaredTopicsFile(ROOT)), STACK_NODES));
  out(drift.length ? `differs from the declared list:\n  ${drift.join('\n  ')}` : 'matches the declared list (charts/stampede/values.yaml kafka.topics)');
  const probe = await probeUndeclaredTopic(kafka);
  out(`write to undeclared topic ${probe.topic}: ${probe.refused ? `refused (${probe.error})` : 'ACCEPTED'}; exists afterwards: ${probe.existsAfter ? 'yes' : 'no'}`);
  if (drift.length || !probe.refused || probe.existsAfter) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`stack:topics: ${e instanceof Error ? e.message : String(e)} (is the stack up? ./scripts/up.sh)\n`);
  process.exit(1);
});
