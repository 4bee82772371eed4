/**
 * JSON schemas for the custom resources the chart renders, covering the fields it uses.
 * kubernetes-models has no packages for Strimzi, the Prometheus Operator or KEDA here, so these
 * follow the operators' CRD references (Strimzi `kafka.strimzi.io/v1`: no ZooKeeper, no
 * `spec.kafka.replicas`/`storage` outside node pools, ACLs with `operations` only). Objects are
 * closed (additionalProperties: false) so a misspelt field fails instead of being ignored.
 */
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const int = (minimum = 0, maximum?: number): Schema => ({ type: 'integer', minimum, ...(maximum ? { maximum } : {}) });
const strMap = { type: 'object', additionalProperties: { type: 'string' } };
const anyObj = { type: 'object' };
const closed = (properties: Record<string, unknown>, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
});
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$' }, { type: 'number' }] };
const resources = closed({ requests: closed({ cpu: quantity, memory: quantity }), limits: closed({ cpu: quantity, memory: quantity }) });
const dnsName = { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' };

const metadata = (clusterLabel: boolean): Schema => ({
  type: 'object',
  required: ['name'],
  properties: {
    name: dnsName,
    namespace: str,
    labels: clusterLabel ? { ...strMap, required: ['strimzi.io/cluster'] } : strMap,
    annotations: strMap,
  },
});

const resource = (apiVersion: string, kind: string, spec: Schema, clusterLabel = false): Schema => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: { apiVersion: { const: apiVersion }, kind: { const: kind }, metadata: metadata(clusterLabel), spec },
});

const kafkaConfigValue = { type: ['string', 'number', 'boolean'] };

const storageVolume = closed(
  {
    id: int(0),
    type: { enum: ['ephemeral', 'persistent-claim'] },
    size: quantity,
    class: str,
    deleteClaim: { type: 'boolean' },
    kraftMetadata: { enum: ['shared'] },
    sizeLimit: quantity,
  },
  ['type'],
);

export const crdSchemas: Record<string, Schema> = {
  'kafka.strimzi.io/v1/KafkaNodePool': resource(
    'kafka.strimzi.io/v1',
    'KafkaNodePool',
    closed(
      {
        replicas: int(0),
        roles: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['controller', 'broker'] } },
        storage: {
          oneOf: [
            closed({ type: { const: 'jbod' }, volumes: { type: 'array', minItems: 1, items: storageVolume } }, ['type', 'volumes']),
            { ...storageVolume, required: ['type'] },
          ],
        },
        resources,
        jvmOptions: anyObj,
        template: anyObj,
      },
      ['replicas', 'roles', 'storage'],
    ),
    true,
  ),
  'kafka.strimzi.io/v1/Kafka': resource(
    'kafka.strimzi.io/v1',
    'Kafka',
    closed(
      {
        kafka: closed(
          {
            version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
            metadataVersion: { type: 'string', pattern: '^[0-9]+\\.[0-9]+-IV[0-9]+$' },
            listeners: {
              type: 'array',
              minItems: 1,
              items: closed(
                {
                  name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
                  // Strimzi reserves 9090, 9091 and 9404 (and everything below 9092).
                  port: { type: 'integer', minimum: 9092, not: { enum: [9404, 9999] } },
                  type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
                  tls: { type: 'boolean' },
                  authentication: closed({ type: { enum: ['tls', 'scram-sha-512', 'oauth', 'custom'] } }, ['type']),
                  configuration: anyObj,
                  networkPolicyPeers: { type: 'array', items: anyObj },
                },
                ['name', 'port', 'type', 'tls'],
              ),
            },
            authorization: closed({ type: { enum: ['simple', 'keycloak', 'custom'] }, superUsers: { type: 'array', items: str } }, ['type']),
            config: { type: 'object', additionalProperties: kafkaConfigValue },
            resources,
            template: anyObj,
            rack: anyObj,
            metricsConfig: anyObj,
          },
          ['listeners'],
        ),
        entityOperator: closed({ topicOperator: anyObj, userOperator: anyObj, template: anyObj }),
        cruiseControl: anyObj,
        kafkaExporter: anyObj,
      },
      ['kafka'],
    ),
  ),
  'kafka.strimzi.io/v1/KafkaTopic': resource(
    'kafka.strimzi.io/v1',
    'KafkaTopic',
    closed({
      topicName: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
      partitions: int(1),
      replicas: int(1, 32767),
      config: { type: 'object', additionalProperties: kafkaConfigValue },
    }),
    true,
  ),
  'kafka.strimzi.io/v1/KafkaUser': resource(
    'kafka.strimzi.io/v1',
    'KafkaUser',
    closed({
      authentication: closed({ type: { enum: ['tls', 'tls-external', 'scram-sha-512'] }, password: anyObj }, ['type']),
      authorization: closed(
        {
          type: { const: 'simple' },
          acls: {
            type: 'array',
            items: closed(
              {
                resource: closed(
                  { type: { enum: ['topic', 'group', 'cluster', 'transactionalId'] }, name: str, patternType: { enum: ['literal', 'prefix'] } },
                  ['type'],
                ),
                operations: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    enum: ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'AlterConfigs', 'DescribeConfigs', 'IdempotentWrite', 'All'],
                  },
                },
                host: str,
                type: { enum: ['allow', 'deny'] },
              },
              ['resource', 'operations'],
            ),
          },
        },
        ['type'],
      ),
      quotas: anyObj,
      template: anyObj,
    }),
    true,
  ),
  'monitoring.coreos.com/v1/ServiceMonitor': resource(
    'monitoring.coreos.com/v1',
    'ServiceMonitor',
    closed(
      {
        selector: closed({ matchLabels: strMap, matchExpressions: { type: 'array', items: anyObj } }),
        namespaceSelector: closed({ matchNames: { type: 'array', items: str }, any: { type: 'boolean' } }),
        jobLabel: str,
        endpoints: {
          type: 'array',
          minItems: 1,
          items: closed({
            port: str,
            targetPort: { type: ['string', 'integer'] },
            path: { type: 'string', pattern: '^/' },
            scheme: { enum: ['http', 'https'] },
            interval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
            scrapeTimeout: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
            honorLabels: { type: 'boolean' },
            relabelings: { type: 'array', items: anyObj },
            metricRelabelings: { type: 'array', items: anyObj },
          }),
        },
      },
      ['selector', 'endpoints'],
    ),
  ),
  'monitoring.coreos.com/v1/PrometheusRule': resource(
    'monitoring.coreos.com/v1',
    'PrometheusRule',
    closed(
      {
        groups: {
          type: 'array',
          items: closed(
            {
              name: { type: 'string', minLength: 1 },
              interval: str,
              limit: int(0),
              labels: strMap,
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['expr'],
                  oneOf: [{ required: ['alert'] }, { required: ['record'] }],
                  properties: {
                    alert: str,
                    record: str,
                    expr: { type: ['string', 'integer'] },
                    for: str,
                    keep_firing_for: str,
                    labels: strMap,
                    annotations: strMap,
                  },
                },
              },
            },
            ['name', 'rules'],
          ),
        },
      },
      ['groups'],
    ),
  ),
  'keda.sh/v1alpha1/ScaledObject': resource(
    'keda.sh/v1alpha1',
    'ScaledObject',
    closed(
      {
        scaleTargetRef: closed({ apiVersion: str, kind: str, name: str, envSourceContainerName: str }, ['name']),
        pollingInterval: int(1),
        cooldownPeriod: int(0),
        minReplicaCount: int(0),
        maxReplicaCount: int(1),
        idleReplicaCount: int(0),
        advanced: closed({ horizontalPodAutoscalerConfig: closed({ name: str, behavior: anyObj }), restoreToOriginalReplicaCount: { type: 'boolean' } }),
        fallback: anyObj,
        triggers: {
          type: 'array',
          minItems: 1,
          items: closed(
            {
              type: { type: 'string', minLength: 1 },
              name: str,
              metricType: { enum: ['AverageValue', 'Value', 'Utilization'] },
              metadata: strMap,
              authenticationRef: anyObj,
            },
            ['type', 'metadata'],
          ),
        },
      },
      ['scaleTargetRef', 'triggers'],
    ),
  ),
};
