import { renderChart, validateManifests, type Manifest, type Rendered } from '../../tools/chart-check/harness';
import * as policy from '../../tools/chart-check/policies';
import { requiredEnvByService } from '../../tools/chart-check/required-env';
import { SCENARIOS, scenario } from './scenarios';

const SERVICES = ['gateway', 'auth', 'event', 'entry', 'payment'];
const clone = <T>(x: T): T => structuredClone(x);
const objs = (ms: Manifest[]) => ms.map((m) => m.object);
const deployment = (ms: Manifest[], name: string) => ms.find((m) => m.object.kind === 'Deployment' && m.object.metadata.name === `stampede-${name}`)!.object;

describe.each(SCENARIOS)('every policy holds for the chart with $name', ({ options, relaxed }) => {
  it('has no violation', async () => {
    const r = renderChart(options);
    const results = policy.allPolicies(r.manifests, r.values, await requiredEnvByService());
    for (const [name, pattern] of Object.entries(relaxed ?? {})) {
      results[name] = results[name]!.filter((v) => !pattern.test(v));
    }
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, []])));
  });
});

describe('each policy fails the build on a release that breaks it', () => {
  let base: Rendered;
  beforeAll(() => {
    base = renderChart(scenario('default').options);
  });

  it('when a container has no probes', () => {
    const ms = clone(base.manifests);
    delete deployment(ms, 'entry').spec.template.spec.containers[0].readinessProbe;
    expect(policy.probes(objs(ms), SERVICES)).toEqual(['Deployment/stampede-entry container entry: no readinessProbe']);
  });

  it('when a service probes the wrong path', () => {
    const ms = clone(base.manifests);
    deployment(ms, 'auth').spec.template.spec.containers[0].livenessProbe.httpGet.path = '/readyz';
    expect(policy.probes(objs(ms), SERVICES)).toEqual(['Deployment/stampede-auth container auth: livenessProbe is not GET /healthz']);
  });

  it('when a container has no requests or limits', () => {
    const ms = clone(base.manifests);
    delete deployment(ms, 'payment').spec.template.spec.containers[0].resources.limits;
    expect(policy.containerBasics(objs(ms))).toEqual(['Deployment/stampede-payment container payment: no cpu/memory limits']);
  });

  it.each([
    ['readOnlyRootFilesystem', false, 'root filesystem is not read-only'],
    ['allowPrivilegeEscalation', true, 'allowPrivilegeEscalation is not false'],
    ['capabilities', { drop: ['NET_RAW'] }, 'capabilities not dropped (drop: [ALL])'],
    ['runAsNonRoot', false, 'runAsNonRoot is not true'],
  ])('when a container’s security context sets %s to %j', (field, value, message) => {
    const ms = clone(base.manifests);
    deployment(ms, 'gateway').spec.template.spec.containers[0].securityContext[field] = value;
    expect(policy.containerBasics(objs(ms))).toEqual([`Deployment/stampede-gateway container gateway: ${message}`]);
  });

  it('when a Deployment has no PodDisruptionBudget', () => {
    const ms = clone(base.manifests).filter((m) => !(m.object.kind === 'PodDisruptionBudget' && m.object.metadata.name === 'stampede-event'));
    expect(policy.disruptionBudgets(objs(ms))).toEqual(['Deployment/stampede-event: no PodDisruptionBudget selects its pods']);
  });

  it('when autoscaling is on and no HPA targets the Deployment', () => {
    const ms = clone(base.manifests).filter((m) => !(m.object.kind === 'HorizontalPodAutoscaler' && m.object.metadata.name === 'stampede-entry'));
    expect(policy.autoscaling(objs(ms), base.values)).toEqual(['Deployment/stampede-entry: autoscaling is on but no HPA or ScaledObject targets it']);
  });

  it('when a Service selector matches no pod template', () => {
    const ms = clone(base.manifests);
    const svc = ms.find((m) => m.object.kind === 'Service' && m.object.metadata.name === 'stampede-auth')!.object;
    svc.spec.selector['app.kubernetes.io/component'] = 'authn';
    expect(policy.serviceSelectors(objs(ms))).toEqual(['Service/stampede-auth: its selector matches no pod template']);
  });

  it('when the grace period does not cover preStop and the drain', () => {
    const ms = clone(base.manifests);
    deployment(ms, 'entry').spec.template.spec.terminationGracePeriodSeconds = 20;
    expect(policy.gracefulDrain(objs(ms), SERVICES)).toEqual(['Deployment/stampede-entry: terminationGracePeriodSeconds 20 is not above preStop + drain (27s)']);
  });

  it('when a secretKeyRef names a key the rendered Secret does not hold', () => {
    const ms = clone(base.manifests);
    const secret = ms.find((m) => m.object.kind === 'Secret')!.object;
    delete secret.data!['csrf-secret'];
    const { problems } = policy.envNames(deployment(ms, 'gateway'), objs(ms));
    expect(problems).toEqual(['Deployment/stampede-gateway env CSRF_SECRET: Secret stampede has no key "csrf-secret"']);
  });

  it('when a pod is not covered by a NetworkPolicy', () => {
    const ms = clone(base.manifests).filter((m) => !(m.object.kind === 'NetworkPolicy' && /default-deny|stampede-payment$/.test(m.object.metadata.name)));
    expect(policy.networkIsolation(objs(ms))).toEqual(['Deployment/stampede-payment: no NetworkPolicy restricts its ingress']);
  });

  it('when a rendered object does not match its Kubernetes schema', () => {
    const ms = clone(base.manifests);
    deployment(ms, 'gateway').spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const kafka = ms.find((m) => m.object.kind === 'Kafka')!.object;
    kafka.spec.zookeeper = { replicas: 3 };
    const bad = validateManifests(ms).filter((r) => r.status !== 'ok');
    expect(bad.map((r) => `${r.kind}: ${r.message}`).sort()).toEqual([
      expect.stringMatching(/^Deployment: \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort: .*integer/),
      expect.stringMatching(/^Kafka: \/spec: .*additional properties 'zookeeper' not allowed/),
    ]);
  });

  it('when a kind has no schema at all (kubeconform must not skip it)', () => {
    const ms = clone(base.manifests).slice(0, 1);
    ms[0]!.object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validateManifests(ms).map((r) => [r.kind, r.status])).toEqual([['Widget', 'error']]);
  });

  it('when an object other than a helm test is a Helm hook', () => {
    const ms = clone(base.manifests);
    const dep = deployment(ms, 'auth');
    dep.metadata.annotations = { 'helm.sh/hook': 'post-install' };
    expect(policy.noHooks(objs(ms))).toEqual(['Deployment/stampede-auth: is a Helm hook (post-install)']);
  });

  it('when a store pod template carries the chart version', () => {
    const ms = clone(base.manifests);
    const sts = ms.find((m) => m.object.kind === 'StatefulSet' && m.object.metadata.name === 'stampede-redis')!.object;
    sts.spec.template.metadata.labels['helm.sh/chart'] = 'stampede-0.1.0';
    expect(policy.stableStoreLabels(objs(ms))).toEqual(['StatefulSet/stampede-redis: pod template label helm.sh/chart restarts its pods on every chart upgrade']);
  });
});

describe('the Deployment of every service', () => {
  it('drains gracefully: preStop, then SHUTDOWN_DELAY_MS and SHUTDOWN_TIMEOUT_MS within the grace period', () => {
    const r = renderChart(scenario('production').options);
    const dep = deployment(r.manifests, 'payment');
    const c = dep.spec.template.spec.containers[0];
    expect(c.lifecycle.preStop).toEqual({ sleep: { seconds: 10 } });
    const cm = r.manifests.find((m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'stampede-payment')!.object;
    expect(cm.data).toMatchObject({ SHUTDOWN_DELAY_MS: '3000', SHUTDOWN_TIMEOUT_MS: '25000' });
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(10 + 28 + 5);
  });

  it('falls back to an exec preStop on clusters older than 1.30', () => {
    const r = renderChart(scenario('production-kafka-auth-k8s-1.29').options);
    expect(deployment(r.manifests, 'entry').spec.template.spec.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['sleep', '10'] } });
  });

  it('leaves replicas to the HPA when autoscaling is on, and sets them when it is off', () => {
    const on = renderChart(SCENARIOS[0]!.options);
    expect(deployment(on.manifests, 'entry').spec.replicas).toBeUndefined();
    const off = renderChart({ ...scenario('default').options, set: ['services.entry.autoscaling.enabled=false', 'services.entry.replicas=4'] });
    expect(deployment(off.manifests, 'entry').spec.replicas).toBe(4);
    expect(off.manifests.filter((m) => m.object.kind === 'HorizontalPodAutoscaler' && m.object.metadata.name === 'stampede-entry')).toEqual([]);
  });

  it('adds the custom metric to the HPA when asked', () => {
    const r = renderChart(scenario('production').options);
    const hpa = r.manifests.find((m) => m.object.kind === 'HorizontalPodAutoscaler' && m.object.metadata.name === 'stampede-entry')!.object;
    expect(hpa.spec.metrics.map((m: { type: string }) => m.type)).toEqual(['Resource', 'Pods']);
    expect(hpa.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });
});
