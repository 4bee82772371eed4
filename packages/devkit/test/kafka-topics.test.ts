import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PAYMENT_EVENTS_TOPIC } from '@stampede/contracts';
import { declaredTopicsFile, readDeclaredTopics, topicPlan } from '../src/infra/kafka-topics';

const root = resolve(__dirname, '..', '..', '..');

describe('the declared Kafka topic list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stampede-topics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const values = (yaml: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return file;
  };

  it("when the chart's values are read, then every topic the services use is declared with its partitions and settings", () => {
    const declared = readDeclaredTopics(declaredTopicsFile(root));
    expect(declared.replicationFactor).toBe(3);
    expect(declared.minInsyncReplicas).toBe(2);
    const payment = declared.topics.find((t) => t.name === PAYMENT_EVENTS_TOPIC);
    expect(payment).toMatchObject({ partitions: 12, config: { 'retention.ms': '604800000' } });
  });

  it('when planned for three nodes, then the declared replication factor 3 and min.insync.replicas 2 apply unchanged', () => {
    const declared = readDeclaredTopics(values(`kafka:
  replicationFactor: 3
  minInsyncReplicas: 2
  topics:
    - name: a.events
      partitions: 6
      config: {retention.ms: "3600000"}
`));
    expect(topicPlan(declared, 3)).toEqual([
      {
        topic: 'a.events',
        numPartitions: 6,
        replicationFactor: 3,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'min.insync.replicas', value: '2' },
        ],
      },
    ]);
  });

  it('when planned for one node, then the replication factor and min.insync.replicas are capped at one', () => {
    const declared = readDeclaredTopics(values(`kafka:
  replicationFactor: 3
  minInsyncReplicas: 2
  topics:
    - {name: a.events, partitions: 2, config: {min.insync.replicas: "2", retention.ms: 1000}}
`));
    const [plan] = topicPlan(declared, 1);
    expect(plan?.replicationFactor).toBe(1);
    expect(Object.fromEntries(plan!.configEntries.map((e) => [e.name, e.value]))).toEqual({ 'min.insync.replicas': '1', 'retention.ms': '1000' });
  });

  it.each([
    ['no topics at all', 'kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n  topics: []\n', 'kafka.topics'],
    ['a topic without partitions', 'kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n  topics:\n    - name: a\n', 'kafka.topics.0.partitions'],
    ['a topic name Kafka refuses', 'kafka:\n  replicationFactor: 3\n  minInsyncReplicas: 2\n  topics:\n    - {name: "a b", partitions: 1}\n', 'kafka.topics.0.name'],
    ['no replication factor', 'kafka:\n  minInsyncReplicas: 2\n  topics:\n    - {name: a, partitions: 1}\n', 'kafka.replicationFactor'],
  ])('when the list has %s, then reading it fails and names the field', (_what, yaml, field) => {
    const file = values(yaml);
    expect(() => readDeclaredTopics(file)).toThrow(new RegExp(`${file}.*${field.replace(/\./g, '\\.')}`));
  });
});
