import { createKafka } from '@stampede/chassis/clients/kafka';
import { createLogger } from '@stampede/chassis/logger';
import { PAYMENT_EVENTS_TOPIC } from '@stampede/contracts';
import {
  declaredTopicsFile,
  describeTopics,
  probeUndeclaredTopic,
  readDeclaredTopics,
  testInfra,
  topicDrift,
  topicPlan,
} from '@stampede/devkit';
import { resolve } from 'node:path';

/**
 * Topics exist only because they are declared (the chart's kafka.topics): the harness's broker
 * has them, with their partitions and the replication factor capped at its one node, and nothing
 * else; a write to any other topic is refused rather than creating it.
 */
describe('Kafka topics on the harness', () => {
  const root = resolve(__dirname, '..');
  const kafka = () =>
    createKafka({ brokers: testInfra().kafkaBrokers.split(','), clientId: 'topics-test', logger: createLogger({ service: 'topics-test', level: 'silent' }) });

  it('when the topics are listed through the admin API, then they are exactly the declared list with its partitions and settings', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const actual = await describeTopics(admin);
      const declared = readDeclaredTopics(declaredTopicsFile(root));
      expect(actual.map((t) => t.name)).toEqual(declared.topics.map((t) => t.name).sort());
      expect(actual.find((t) => t.name === PAYMENT_EVENTS_TOPIC)).toEqual({
        name: PAYMENT_EVENTS_TOPIC,
        partitions: 12,
        // One node: the declared 3 (and min.insync 2) capped at 1.
        replicationFactor: 1,
        config: { 'min.insync.replicas': '1', 'retention.ms': '604800000' },
      });
      expect(topicDrift(actual, topicPlan(declared, 1))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('when a client produces to an undeclared topic (asking for it to be created), then the write fails and the topic still does not exist', async () => {
    const probe = await probeUndeclaredTopic(kafka());
    expect(probe.refused).toBe(true);
    expect(probe.error).toMatch(/does not host this topic-partition|UNKNOWN_TOPIC/i);
    expect(probe.existsAfter).toBe(false);
  });
});
