import { type RenderOptions } from '../../tools/chart-check/harness';

/** The API groups a cluster serves once k8s/install-operators.sh has run. */
export const STRIMZI = 'kafka.strimzi.io/v1';
export const PROMETHEUS_OPERATOR = 'monitoring.coreos.com/v1';
export const KEDA = 'keda.sh/v1alpha1';

export interface Scenario {
  name: string;
  options: RenderOptions;
  /** Policies a scenario deliberately relaxes, with the reason. */
  relaxed?: Record<string, RegExp>;
}

export const SCENARIOS: Scenario[] = [
  { name: 'default values', options: { apiVersions: [STRIMZI] } },
  { name: 'external dependencies', options: { valuesFiles: ['charts/stampede/values-external.yaml'] } },
  { name: 'production', options: { valuesFiles: ['charts/stampede/values-production.yaml'], apiVersions: [STRIMZI, PROMETHEUS_OPERATOR, KEDA] } },
  {
    name: 'production with Kafka auth on Kubernetes 1.29',
    options: {
      valuesFiles: ['charts/stampede/values-production.yaml'],
      set: ['kafka.auth.enabled=true', 'keda.enabled=false'],
      apiVersions: [STRIMZI, PROMETHEUS_OPERATOR, KEDA],
      kubeVersion: 'v1.29.4',
    },
  },
  {
    name: 'local cluster (Tilt/Skaffold dev values)',
    options: { valuesFiles: ['k8s/values-dev.yaml'], namespace: 'stampede-dev' },
    // Live update writes the rebuilt dist/ into the running container.
    relaxed: { containerBasics: /root filesystem is not read-only/ },
  },
];
