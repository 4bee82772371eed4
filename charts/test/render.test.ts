import { lintChart, renderChart, validateManifests, type Rendered } from '../../tools/chart-check/harness';
import { SCENARIOS, STRIMZI, TEST_SECRETS, scenario } from './scenarios';

const SERVICES = ['gateway', 'auth', 'event', 'entry', 'payment'];

describe.each(SCENARIOS)('the chart with $name', ({ options }) => {
  let rendered: Rendered;
  beforeAll(() => {
    rendered = renderChart(options);
  });

  it('passes helm lint --strict', () => {
    expect(() => lintChart({ ...options, set: [...(options.set ?? []), 'requireOperatorApis=false'] })).not.toThrow();
  });

  it('renders objects that kubeconform validates, every one against a schema', () => {
    expect(rendered.manifests.length).toBeGreaterThan(30);
    const results = validateManifests(rendered.yaml);
    const problems = results.filter((r) => r.status !== 'ok').map((r) => `${r.kind}/${r.name}: ${r.status} ${r.message ?? ''}`);
    expect(problems).toEqual([]);
    expect(results).toHaveLength(rendered.manifests.length);
  });

  it('gives every service a Deployment, Service, ServiceAccount, PDB and ConfigMap', () => {
    const objs = rendered.manifests.map((m) => m.object);
    for (const s of SERVICES) {
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'ConfigMap']) {
        expect(objs.filter((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === s)).toHaveLength(1);
      }
    }
  });

  it('gives no two objects of a kind the same name', () => {
    const keys = rendered.manifests.map((m) => `${m.object.kind}/${m.object.metadata.namespace ?? ''}/${m.object.metadata.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });
});

describe('dependencies, deployed or external', () => {
  const kinds = (r: Rendered) => r.manifests.map((m) => `${m.object.apiVersion} ${m.object.kind}`);

  it('deploys Kafka through Strimzi in KRaft mode (node pool with both roles, no ZooKeeper) by default', () => {
    const r = renderChart(scenario('default').options);
    expect(kinds(r)).toEqual(expect.arrayContaining(['kafka.strimzi.io/v1 KafkaNodePool', 'kafka.strimzi.io/v1 Kafka', 'kafka.strimzi.io/v1 KafkaTopic']));
    const pool = r.manifests.find((m) => m.object.kind === 'KafkaNodePool')!.object;
    expect(pool.spec.roles).toEqual(['controller', 'broker']);
    const kafka = r.manifests.find((m) => m.object.kind === 'Kafka')!.object;
    expect(kafka.spec.zookeeper).toBeUndefined();
    expect(pool.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
    const topic = r.manifests.find((m) => m.object.kind === 'KafkaTopic')!.object;
    expect(topic.spec.topicName).toBe('payment.events');
    expect(kinds(r)).not.toContain('kafka.strimzi.io/v1 KafkaUser');
  });

  it('creates one KafkaUser per Kafka client with ACLs for exactly its topics when auth is on', () => {
    const r = renderChart(scenario('production-kafka-auth-k8s-1.29').options);
    const users = r.manifests.filter((m) => m.object.kind === 'KafkaUser').map((m) => m.object);
    expect(users.map((u) => u.metadata.name).sort()).toEqual(['stampede-kafka-event', 'stampede-kafka-payment']);
    const acl = (u: any) => u.spec.authorization.acls.map((a: any) => `${a.resource.type}:${a.resource.name ?? ''}:${a.operations.join('+')}`);
    expect(acl(users.find((u) => u.metadata.name.endsWith('payment')))).toContain('topic:payment.events:Describe+Write');
    expect(acl(users.find((u) => u.metadata.name.endsWith('payment')))).not.toContain('topic:payment.events:Describe+Read');
    expect(acl(users.find((u) => u.metadata.name.endsWith('event')))).toContain('topic:payment.events:Describe+Read');
    const kafka = r.manifests.find((m) => m.object.kind === 'Kafka')!.object;
    expect(kafka.spec.kafka.listeners).toEqual([
      { name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' }, networkPolicyPeers: expect.any(Array) },
    ]);
    const cm = r.manifests.find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'stampede-event')!.object;
    expect(cm.data).toMatchObject({ KAFKA_BROKERS: 'stampede-kafka-kafka-bootstrap.stampede.svc:9093', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
  });

  it('refuses KEDA on Kafka lag together with Kafka auth, which its trigger cannot use yet', () => {
    expect(() => renderChart({ ...scenario('production').options, set: ['kafka.auth.enabled=true'] })).toThrow(/KEDA Kafka trigger has no SCRAM credentials/);
  });

  it('renders no store workloads, Strimzi resources or Secret when every dependency is external and its Secret is managed', () => {
    const r = renderChart(scenario('external').options);
    expect(kinds(r).filter((k) => /StatefulSet|strimzi|Secret$/.test(k))).toEqual([]);
    const cm = r.manifests.find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'stampede-payment')!.object;
    expect(cm.data?.KAFKA_BROKERS).toContain('kafka-0.kafka.data.svc:9092');
    expect(cm.data?.REDIS_NODES).toContain('redis-0.redis.data.svc:6379');
  });

  it('refuses to deploy Kafka where the Strimzi API is not served, naming the fix', () => {
    expect(() => renderChart({ valuesFiles: [TEST_SECRETS] })).toThrow(/kafka.strimzi.io\/v1 API.*install the operator first/);
  });

  it('refuses external mode without an endpoint, naming the value', () => {
    expect(() => renderChart({ valuesFiles: [TEST_SECRETS], set: ['redis.mode=external'], apiVersions: [STRIMZI] })).toThrow(/redis.external.nodes is required/);
  });

  it('uses a KEDA ScaledObject on consumer lag instead of an HPA for the event consumer in production', () => {
    const r = renderChart(scenario('production').options);
    const so = r.manifests.find((m) => m.object.kind === 'ScaledObject')!.object;
    expect(so.spec.scaleTargetRef.name).toBe('stampede-event');
    expect(so.spec.triggers[0]).toMatchObject({ type: 'kafka', metadata: { topic: 'payment.events', consumerGroup: expect.any(String) } });
    expect(r.manifests.filter((m) => m.object.kind === 'HorizontalPodAutoscaler' && m.object.metadata.name === 'stampede-event')).toEqual([]);
  });
});
