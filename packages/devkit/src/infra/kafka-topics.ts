import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { parse } from 'yaml';

export type KafkaAdmin = ReturnType<Kafka['admin']>;

/** The one list of topics: the chart's `kafka.topics`, read by the chart, the stack and the tests. */
export const declaredTopicsFile = (root: string) => join(root, 'charts', 'stampede', 'values.yaml');

const topicConfigValue = z.union([z.string(), z.number()]).transform(String);

const valuesSchema = z.object({
  kafka: z.object({
    replicationFactor: z.number().int().min(1),
    minInsyncReplicas: z.number().int().min(1),
    topics: z
      .array(
        z.object({
          name: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'not a valid Kafka topic name'),
          partitions: z.number().int().min(1),
          config: z.record(z.string(), topicConfigValue).default({}),
        }),
      )
      .min(1),
  }),
});

export interface DeclaredTopics {
  replicationFactor: number;
  minInsyncReplicas: number;
  topics: Array<{ name: string; partitions: number; config: Record<string, string> }>;
}

export function readDeclaredTopics(file: string): DeclaredTopics {
  const parsed = valuesSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${file}: the kafka topic list is not usable (${where})`);
  }
  const { replicationFactor, minInsyncReplicas, topics } = parsed.data.kafka;
  return { replicationFactor, minInsyncReplicas, topics };
}

/** What createTopics takes: one entry per declared topic. */
export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: Array<{ name: string; value: string }>;
}

/**
 * The declared topics for a cluster of `brokers` nodes. A one-node test cluster cannot hold three
 * replicas, so the replication factor is capped at the node count, and min.insync.replicas at the
 * replication factor (otherwise no acks=all write could ever succeed there). On three nodes the
 * declared figures (3 and 2) apply unchanged.
 */
export function topicPlan(declared: DeclaredTopics, brokers: number): TopicSpec[] {
  const replicationFactor = Math.min(declared.replicationFactor, brokers);
  return declared.topics.map((t) => {
    const minIsr = Math.min(Number(t.config['min.insync.replicas'] ?? declared.minInsyncReplicas), replicationFactor);
    const config = { ...t.config, 'min.insync.replicas': String(minIsr) };
    return {
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor,
      configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
    };
  });
}

export async function createTopics(admin: KafkaAdmin, plan: TopicSpec[]): Promise<void> {
  await admin.createTopics({ topics: plan, waitForLeaders: true });
}

export interface TopicDescription {
  name: string;
  partitions: number;
  /** The smallest replica count over the topic's partitions. */
  replicationFactor: number;
  config: Record<string, string>;
}

const SHOWN_CONFIG = ['min.insync.replicas', 'retention.ms'];

/** Every non-internal topic with its partitions, replication factor and the settings that matter. */
export async function describeTopics(admin: KafkaAdmin): Promise<TopicDescription[]> {
  const names = (await admin.listTopics()).filter((n) => !n.startsWith('__')).sort();
  if (names.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: 2 /* TOPIC */, name, configNames: SHOWN_CONFIG })),
  });
  return names.map((name) => {
    const meta = topics.find((t) => t.name === name);
    const entries = configs.resources.find((r) => r.resourceName === name)?.configEntries ?? [];
    return {
      name,
      partitions: meta?.partitions.length ?? 0,
      replicationFactor: Math.min(...(meta?.partitions.map((p) => p.replicas.length) ?? [0])),
      config: Object.fromEntries(entries.map((e) => [e.configName, e.configValue])),
    };
  });
}

/** What differs between a cluster's topics and the plan (empty when they match exactly). */
export function topicDrift(actual: TopicDescription[], plan: TopicSpec[]): string[] {
  const problems: string[] = [];
  for (const p of plan) {
    const t = actual.find((a) => a.name === p.topic);
    if (!t) {
      problems.push(`${p.topic}: missing`);
      continue;
    }
    if (t.partitions !== p.numPartitions) problems.push(`${p.topic}: ${t.partitions} partitions, declared ${p.numPartitions}`);
    if (t.replicationFactor !== p.replicationFactor) problems.push(`${p.topic}: replication factor ${t.replicationFactor}, declared ${p.replicationFactor}`);
    for (const { name, value } of p.configEntries) {
      if (SHOWN_CONFIG.includes(name) && t.config[name] !== value) problems.push(`${p.topic}: ${name}=${t.config[name]}, declared ${value}`);
    }
  }
  for (const a of actual) if (!plan.some((p) => p.topic === a.name)) problems.push(`${a.name}: not declared`);
  return problems;
}

/**
 * Tries to write to a topic nobody declared, with a client that even asks for it to be created:
 * the cluster must refuse, and the topic must still not exist afterwards.
 */
export async function probeUndeclaredTopic(kafka: Kafka): Promise<{ topic: string; refused: boolean; error: string; existsAfter: boolean }> {
  const topic = `stampede.undeclared.${Date.now().toString(36)}`;
  const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } });
  await producer.connect();
  let error = '';
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: 'must not be written' }] });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    await producer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    return { topic, refused: error !== '', error, existsAfter: (await admin.listTopics()).includes(topic) };
  } finally {
    await admin.disconnect();
  }
}
