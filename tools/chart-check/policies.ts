/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are schemaless JSON, checked field by field */
/**
 * Policy checks over a rendered release. Each returns the violations it finds, one line each,
 * naming the object; an empty list means the policy holds. They are pure functions so the
 * tests can also prove that each one fails on a release that breaks it.
 */
import type { K8sObject, Manifest } from './harness';

export type Violation = string;

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

function podSpecOf(o: K8sObject): any | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  if (WORKLOADS.has(o.kind)) return o.spec?.template?.spec;
  return undefined;
}

function podLabelsOf(o: K8sObject): Record<string, string> {
  if (o.kind === 'Pod') return o.metadata.labels ?? {};
  return o.spec?.template?.metadata?.labels ?? {};
}

function containersOf(o: K8sObject): { name: string; c: any }[] {
  const spec = podSpecOf(o);
  if (!spec) return [];
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => ({ name: c.name, c }));
}

const workloads = (objs: K8sObject[]) => objs.filter((o) => WORKLOADS.has(o.kind));

/** Label selector semantics (matchLabels and matchExpressions) over a label set. */
function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const ml = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(val))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(val)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return Object.keys(ml).length > 0 || (selector.matchExpressions ?? []).length > 0;
}

/** Every container has requests and limits and the restricted security context. */
export function containerBasics(objs: K8sObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of workloads(objs)) {
    const pod = podSpecOf(o) ?? {};
    const podSc = pod.securityContext ?? {};
    for (const { name, c } of containersOf(o)) {
      const where = `${id(o)} container ${name}`;
      const r = c.resources ?? {};
      if (!r.requests?.cpu || !r.requests?.memory) out.push(`${where}: no cpu/memory requests`);
      if (!r.limits?.memory || !r.limits?.cpu) out.push(`${where}: no cpu/memory limits`);
      const sc = c.securityContext ?? {};
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
      if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${where}: runs as uid 0`);
      if (sc.readOnlyRootFilesystem !== true) out.push(`${where}: root filesystem is not read-only`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) out.push(`${where}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities not dropped (drop: [ALL])`);
      if (sc.capabilities?.add?.length) out.push(`${where}: adds capabilities`);
      if ((sc.seccompProfile?.type ?? podSc.seccompProfile?.type) !== 'RuntimeDefault') out.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (typeof c.image !== 'string' || !/[:@]/.test(c.image.split('/').pop() ?? '') || c.image.endsWith(':latest')) {
        out.push(`${where}: image "${c.image}" is not pinned to a tag or digest`);
      }
    }
  }
  return out;
}

/** Long-running containers have liveness and readiness probes (services: /healthz and /readyz). */
export function probes(objs: K8sObject[], services: string[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objs.filter((x) => LONG_RUNNING.has(x.kind))) {
    const component = podLabelsOf(o)['app.kubernetes.io/component'] ?? '';
    for (const c of podSpecOf(o)?.containers ?? []) {
      const where = `${id(o)} container ${c.name}`;
      if (!c.livenessProbe) out.push(`${where}: no livenessProbe`);
      if (!c.readinessProbe) out.push(`${where}: no readinessProbe`);
      if (services.includes(component)) {
        if (c.livenessProbe && c.livenessProbe.httpGet?.path !== '/healthz') out.push(`${where}: livenessProbe is not GET /healthz`);
        if (c.readinessProbe && c.readinessProbe.httpGet?.path !== '/readyz') out.push(`${where}: readinessProbe is not GET /readyz`);
      }
    }
  }
  return out;
}

/**
 * Every Deployment, and every StatefulSet of more than one pod, is covered by a
 * PodDisruptionBudget (a budget on a single-pod database could only block node drains).
 */
export function disruptionBudgets(objs: K8sObject[]): Violation[] {
  const pdbs = objs.filter((o) => o.kind === 'PodDisruptionBudget');
  return objs
    .filter((o) => o.kind === 'Deployment' || (o.kind === 'StatefulSet' && (o.spec?.replicas ?? 1) > 1))
    .filter((o) => !pdbs.some((p) => selects(p.spec?.selector, podLabelsOf(o))))
    .map((o) => `${id(o)}: no PodDisruptionBudget selects its pods`);
}

/** Each service with autoscaling on has an HPA (or a KEDA ScaledObject) and no fixed replicas. */
export function autoscaling(objs: K8sObject[], values: any): Violation[] {
  const out: Violation[] = [];
  const scalers = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
  for (const [name, svc] of Object.entries<any>(values.services ?? {})) {
    if (!svc.enabled) continue;
    const keda = values.keda?.enabled && (values.keda.services ?? []).includes(name);
    if (!svc.autoscaling?.enabled && !keda) continue;
    const dep = objs.find((o) => o.kind === 'Deployment' && podLabelsOf(o)['app.kubernetes.io/component'] === name);
    if (!dep) {
      out.push(`service ${name}: no Deployment`);
      continue;
    }
    const targeting = scalers.filter((s) => s.spec?.scaleTargetRef?.kind === 'Deployment' && s.spec.scaleTargetRef.name === dep.metadata.name);
    if (targeting.length === 0) out.push(`${id(dep)}: autoscaling is on but no HPA or ScaledObject targets it`);
    if (targeting.length > 1) out.push(`${id(dep)}: ${targeting.length} autoscalers target it`);
    for (const h of targeting.filter((s) => s.kind === 'HorizontalPodAutoscaler')) {
      if (h.apiVersion !== 'autoscaling/v2') out.push(`${id(h)}: not autoscaling/v2`);
    }
    if (dep.spec?.replicas !== undefined) out.push(`${id(dep)}: sets spec.replicas while an autoscaler owns it`);
  }
  return out;
}

/** Every Service selects the pods of at least one workload of the release. */
export function serviceSelectors(objs: K8sObject[]): Violation[] {
  const pods = workloads(objs).filter((o) => LONG_RUNNING.has(o.kind)).map(podLabelsOf);
  return objs
    .filter((o) => o.kind === 'Service' && o.spec?.selector)
    .filter((s) => !pods.some((labels) => selects({ matchLabels: s.spec.selector }, labels)))
    .map((s) => `${id(s)}: its selector matches no pod template`);
}

/** The names a container's environment gets, from env and from envFrom ConfigMaps/Secrets. */
export function envNames(o: K8sObject, objs: K8sObject[], container?: string): { names: Set<string>; problems: Violation[] } {
  const names = new Set<string>();
  const problems: Violation[] = [];
  const pod = podSpecOf(o) ?? {};
  const cs = (pod.containers ?? []).filter((c: any) => !container || c.name === container);
  const find = (kind: string, name: string) => objs.find((x) => x.kind === kind && x.metadata.name === name);
  const keysOf = (x: K8sObject) => [...Object.keys(x.data ?? {}), ...Object.keys(x.stringData ?? {})];
  for (const c of cs) {
    for (const e of c.env ?? []) {
      names.add(e.name);
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (!ref || ref.optional) continue;
      const kind = e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap';
      const target = find(kind, ref.name);
      // A Secret the chart does not render (existingSecret, Strimzi's KafkaUser secrets) is
      // provided by the cluster; one it renders must hold the key.
      if (target && !keysOf(target).includes(ref.key)) problems.push(`${id(o)} env ${e.name}: ${kind} ${ref.name} has no key "${ref.key}"`);
      if (!target && kind === 'ConfigMap') problems.push(`${id(o)} env ${e.name}: ConfigMap ${ref.name} is not rendered`);
    }
    for (const f of c.envFrom ?? []) {
      const kind = f.configMapRef ? 'ConfigMap' : 'Secret';
      const ref = f.configMapRef ?? f.secretRef;
      const target = find(kind, ref.name);
      if (!target) {
        if (!ref.optional) problems.push(`${id(o)} envFrom ${kind} ${ref.name} is not rendered`);
        continue;
      }
      for (const k of keysOf(target)) names.add((f.prefix ?? '') + k);
    }
  }
  return { names, problems };
}

/** Every variable a service's config schema requires is set by the chart's Deployment. */
export function requiredEnv(objs: K8sObject[], required: Record<string, string[]>, values: any): Violation[] {
  const out: Violation[] = [];
  for (const [name, vars] of Object.entries(required)) {
    const svc = values.services?.[name];
    if (!svc) {
      out.push(`service ${name} (services/${name}) has no entry in the chart's values.services`);
      continue;
    }
    if (!svc.enabled) continue;
    const dep = objs.find((o) => o.kind === 'Deployment' && podLabelsOf(o)['app.kubernetes.io/component'] === name);
    if (!dep) {
      out.push(`service ${name}: no Deployment rendered`);
      continue;
    }
    const { names, problems } = envNames(dep, objs, name);
    out.push(...problems);
    for (const v of vars) if (!names.has(v)) out.push(`${id(dep)}: required variable ${v} is not set`);
  }
  return out;
}

/** terminationGracePeriodSeconds covers preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS. */
export function gracefulDrain(objs: K8sObject[], services: string[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objs.filter((x) => x.kind === 'Deployment')) {
    const component = podLabelsOf(o)['app.kubernetes.io/component'] ?? '';
    if (!services.includes(component)) continue;
    const pod = podSpecOf(o);
    const c = (pod.containers ?? [])[0];
    const preStop = c?.lifecycle?.preStop;
    if (!preStop) {
      out.push(`${id(o)}: no preStop hook`);
      continue;
    }
    const preStopSeconds = preStop.sleep?.seconds ?? Number(preStop.exec?.command?.at(-1));
    const cm = objs.find((x) => x.kind === 'ConfigMap' && (c.envFrom ?? []).some((f: any) => f.configMapRef?.name === x.metadata.name));
    const env = { ...(cm?.data ?? {}) } as Record<string, string>;
    for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
    const delay = Number(env.SHUTDOWN_DELAY_MS ?? 0);
    const timeout = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000);
    const needed = preStopSeconds + (delay + timeout) / 1000;
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (!Number.isFinite(needed)) out.push(`${id(o)}: cannot read the drain time`);
    else if (!(grace > needed)) out.push(`${id(o)}: terminationGracePeriodSeconds ${grace} is not above preStop + drain (${needed}s)`);
  }
  return out;
}

/** Service pods spread over zones and nodes. */
function topologySpread(objs: K8sObject[], services: string[]): Violation[] {
  return objs
    .filter((o) => o.kind === 'Deployment' && services.includes(podLabelsOf(o)['app.kubernetes.io/component'] ?? ''))
    .filter((o) => {
      const keys = (podSpecOf(o).topologySpreadConstraints ?? []).map((t: any) => t.topologyKey);
      return !keys.includes('topology.kubernetes.io/zone') || !keys.includes('kubernetes.io/hostname');
    })
    .map((o) => `${id(o)}: no topology spread over zones and nodes`);
}

/** With NetworkPolicies on, every pod of the release is selected by a policy with Ingress. */
export function networkIsolation(objs: K8sObject[]): Violation[] {
  const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
  if (policies.length === 0) return [];
  return workloads(objs)
    .filter((o) => LONG_RUNNING.has(o.kind))
    .filter((o) => !policies.some((p) => (p.spec?.policyTypes ?? []).includes('Ingress') && selects(p.spec?.podSelector, podLabelsOf(o))))
    .map((o) => `${id(o)}: no NetworkPolicy restricts its ingress`);
}

/**
 * No object is a Helm hook but `helm test`'s: Helm runs post-install hooks only after
 * `--wait` is satisfied, and GitOps tools apply hooks their own way (Argo CD re-creates them on
 * every sync), so anything the release needs to become ready must be an ordinary object.
 */
export function noHooks(objs: K8sObject[]): Violation[] {
  return objs
    .filter((o) => o.metadata.annotations?.['helm.sh/hook'] !== undefined)
    .filter((o) => o.metadata.annotations!['helm.sh/hook'] !== 'test')
    .map((o) => `${id(o)}: is a Helm hook (${o.metadata.annotations!['helm.sh/hook']})`);
}

const VERSION_LABELS = ['helm.sh/chart', 'app.kubernetes.io/version'];
/** The Strimzi kinds whose labels end up on broker and controller pods. */
const POD_OWNERS = new Set(['Kafka', 'KafkaNodePool']);
/**
 * Store pods (StatefulSets, and the Strimzi resources whose labels Strimzi copies onto the Kafka
 * pods) carry no chart or app version: a chart upgrade must not restart Redis, PostgreSQL or Kafka.
 */
export function stableStoreLabels(objs: K8sObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objs) {
    const labels = o.kind === 'StatefulSet' ? podLabelsOf(o) : o.apiVersion?.startsWith('kafka.strimzi.io/') && POD_OWNERS.has(o.kind) ? (o.metadata.labels ?? {}) : {};
    for (const l of VERSION_LABELS) if (l in labels) out.push(`${id(o)}: ${o.kind === 'StatefulSet' ? 'pod template ' : ''}label ${l} restarts its pods on every chart upgrade`);
  }
  return out;
}

/** Runs every policy; the result maps policy name to its violations. */
export function allPolicies(manifests: Manifest[], values: any, required: Record<string, string[]>): Record<string, Violation[]> {
  const objs = manifests.map((m) => m.object);
  const services = Object.keys(values.services ?? {});
  return {
    containerBasics: containerBasics(objs),
    probes: probes(objs, services),
    disruptionBudgets: disruptionBudgets(objs),
    autoscaling: autoscaling(objs, values),
    serviceSelectors: serviceSelectors(objs),
    requiredEnv: requiredEnv(objs, required, values),
    gracefulDrain: gracefulDrain(objs, services),
    topologySpread: topologySpread(objs, services),
    networkIsolation: networkIsolation(objs),
    noHooks: noHooks(objs),
    stableStoreLabels: stableStoreLabels(objs),
  };
}

/**
 * The environment a service's container really gets: its ConfigMaps, then its env entries, with
 * the values of rendered Secrets. `unresolved` names the variables whose Secret the chart does
 * not render (an existingSecret, a Strimzi KafkaUser's): their values exist only on a cluster.
 */
export function containerEnv(o: K8sObject, objs: K8sObject[], container?: string): { env: Record<string, string>; unresolved: string[] } {
  const c = (podSpecOf(o)?.containers ?? []).find((x: any) => !container || x.name === container);
  const env: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const f of c?.envFrom ?? []) Object.assign(env, objs.find((x) => x.kind === 'ConfigMap' && x.metadata.name === f.configMapRef?.name)?.data);
  for (const e of c?.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (!ref) continue;
    const value = objs.find((x) => x.kind === 'Secret' && x.metadata.name === ref.name)?.data?.[ref.key];
    if (value !== undefined) env[e.name] = Buffer.from(value, 'base64').toString();
    else if (!ref.optional) unresolved.push(e.name);
  }
  return { env, unresolved };
}
