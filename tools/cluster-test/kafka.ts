/**
 * Kafka for the release's external mode: the three-node KRaft StatefulSet of
 * k8s/local-cluster/kafka.yaml, and the chart's declared topics (values.yaml kafka.topics, with
 * its replication factor and min.insync.replicas) created on it. Nothing is created implicitly:
 * a write to an undeclared topic, from a client that asks for auto-creation, must be refused.
 */
import { join } from 'node:path';
import { createTopics, declaredTopicsFile, describeTopics, probeUndeclaredTopic, readDeclaredTopics, topicDrift, topicPlan, type TopicDescription } from '@stampede/devkit';
import { kubectl, note, ROOT, until } from './cluster';
import { kafkaOf } from './reach';

const KAFKA_NODES = 3;
const BROKERS = [0, 1, 2].map((i) => `kafka-${i}.kafka.kafka.svc:9092`);

export interface KafkaSetup {
  nodes: number;
  startMs: number;
  topics: TopicDescription[];
  drift: string[];
  undeclaredWrite: { refused: boolean; error: string; existsAfter: boolean };
}

export async function startKafka(): Promise<KafkaSetup> {
  const t0 = performance.now();
  await kubectl(['apply', '-f', join(ROOT, 'k8s/local-cluster/kafka.yaml')]);
  await kubectl(['-n', 'kafka', 'rollout', 'status', 'statefulset/kafka', '--timeout=300s']);
  const kafka = kafkaOf(BROKERS);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const plan = topicPlan(readDeclaredTopics(declaredTopicsFile(ROOT)), KAFKA_NODES);
    // The brokers accept connections before all of them have registered with the controller.
    await until('every Kafka broker registered', 120_000, 1_000, async () => ((await admin.describeCluster()).brokers.length === KAFKA_NODES ? true : undefined));
    const existing = await admin.listTopics();
    const missing = plan.filter((p) => !existing.includes(p.topic));
    if (missing.length) await createTopics(admin, missing);
    const topics = await describeTopics(admin);
    const drift = topicDrift(topics, plan);
    const probe = await probeUndeclaredTopic(kafka);
    const startMs = Math.round(performance.now() - t0);
    note(`kafka: ${KAFKA_NODES} KRaft nodes, topics ${topics.map((t) => `${t.name} (${t.partitions} partitions, RF ${t.replicationFactor}, min.insync ${t.config['min.insync.replicas']})`).join(', ')}; undeclared write refused: ${probe.refused}`);
    return { nodes: KAFKA_NODES, startMs, topics, drift, undeclaredWrite: { refused: probe.refused, error: probe.error, existsAfter: probe.existsAfter } };
  } finally {
    await admin.disconnect();
  }
}
