import { type RenderOptions } from '../../tools/chart-check/harness';

/** The API groups a cluster serves once k8s/install-operators.sh has run. */
export const STRIMZI = 'kafka.strimzi.io/v1';
const PROMETHEUS_OPERATOR = 'monitoring.coreos.com/v1';
const KEDA = 'keda.sh/v1alpha1';
const CLOUDNATIVE_PG = 'postgresql.cnpg.io/v1';

/**
 * Fixed secret values: without a cluster (helm template) the chart generates no keys, and
 * golden files must be the same on every run.
 */
export const TEST_SECRETS = 'charts/test/values/secrets.yaml';

export interface Scenario {
  /** Also the golden file's name: charts/test/golden/<name>.yaml. */
  name: string;
  options: RenderOptions;
  /** Policies a scenario deliberately relaxes, with the reason. */
  relaxed?: Record<string, RegExp>;
}

/** Every values file the repository ships, rendered as the docs install them. */
export const SCENARIOS: Scenario[] = [
  { name: 'default', options: { valuesFiles: [TEST_SECRETS], apiVersions: [STRIMZI] } },
  { name: 'external', options: { valuesFiles: ['charts/stampede/values-external.yaml'] } },
  { name: 'production', options: { valuesFiles: ['charts/stampede/values-production.yaml', TEST_SECRETS], apiVersions: [STRIMZI, PROMETHEUS_OPERATOR, KEDA] } },
  {
    name: 'production-kafka-auth-k8s-1.29',
    options: {
      valuesFiles: ['charts/stampede/values-production.yaml', TEST_SECRETS],
      set: ['kafka.auth.enabled=true', 'keda.enabled=false'],
      apiVersions: [STRIMZI, PROMETHEUS_OPERATOR, KEDA],
      kubeVersion: 'v1.29.4',
    },
  },
  {
    name: 'production-cloudnative-pg',
    options: {
      valuesFiles: ['charts/stampede/values-production.yaml', 'charts/stampede/values-cloudnative-pg.yaml', TEST_SECRETS],
      apiVersions: [STRIMZI, PROMETHEUS_OPERATOR, KEDA, CLOUDNATIVE_PG],
    },
  },
  {
    name: 'dev',
    options: { valuesFiles: ['k8s/values-dev.yaml', TEST_SECRETS], namespace: 'stampede-dev' },
    // Live update writes the rebuilt dist/ into the running container.
    relaxed: { containerBasics: /root filesystem is not read-only/ },
  },
];

export const scenario = (name: string): Scenario => {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
};
