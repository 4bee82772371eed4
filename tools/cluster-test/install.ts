/** Phases 1 and 2: `helm install --wait` of the chart with the local values, then `helm test`. */
import type { Checks } from './checks';
import { helm, kget, kubectl, note, seconds } from './cluster';
import type { Release } from './reach';

export interface PodState {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Being deleted (a rollout's old pod, or the HPA scaling down): on its way out, not serving. */
  terminating: boolean;
}

interface PodList {
  items: Array<{
    metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
    status: { phase: string; containerStatuses?: Array<{ ready: boolean; restartCount: number }>; initContainerStatuses?: Array<{ restartCount: number }> };
  }>;
}

export async function podStates(namespace: string, selector?: string): Promise<PodState[]> {
  const pods = await kget<PodList>(['-n', namespace, 'pods', ...(selector ? ['-l', selector] : [])]);
  return pods.items.map((p) => ({
    name: p.metadata.name,
    phase: p.status.phase,
    ready: (p.status.containerStatuses ?? []).length > 0 && (p.status.containerStatuses ?? []).every((c) => c.ready),
    restarts: [...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])].reduce((n, c) => n + c.restartCount, 0),
    terminating: Boolean(p.metadata.deletionTimestamp),
  }));
}

/** name → uid of the pods matching a selector. */
export async function podUids(namespace: string, selector: string): Promise<Record<string, string>> {
  const pods = await kget<PodList>(['-n', namespace, 'pods', '-l', selector]);
  return Object.fromEntries(pods.items.map((p) => [p.metadata.name, p.metadata.uid]));
}

/** The warning events of a namespace, counted by reason. */
async function warnings(namespace: string): Promise<Record<string, number>> {
  const ev = await kget<{ items: Array<{ reason: string; count?: number }> }>(['-n', namespace, 'events', '--field-selector', 'type=Warning']);
  const out: Record<string, number> = {};
  for (const e of ev.items) out[e.reason] = (out[e.reason] ?? 0) + (e.count ?? 1);
  return out;
}

/** cluster_state of every Redis node, asked inside its own pod. */
async function redisStates(r: Release): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of await podStates(r.namespace, 'app.kubernetes.io/component=redis')) {
    const info = await kubectl(['-n', r.namespace, 'exec', p.name, '-c', 'redis', '--', 'redis-cli', 'cluster', 'info'], { allowFail: true });
    out[p.name] = /cluster_state:(\w+)/.exec(info.stdout)?.[1] ?? `unreachable (${info.stderr.trim().slice(0, 80)})`;
  }
  return out;
}

export interface InstallResult {
  command: string;
  seconds: number;
  pods: PodState[];
  warnings: Record<string, number>;
  redis: Record<string, string>;
}

export async function install(r: Release, valuesFiles: string[], checks: Checks): Promise<InstallResult> {
  const args = ['install', 'stampede', 'charts/stampede', '-n', r.namespace, '--create-namespace', '--wait', '--timeout', '15m', ...valuesFiles.flatMap((f) => ['-f', f])];
  note(`install: helm ${args.join(' ')}`);
  const res = await helm(args, { allowFail: true });
  const pods = await podStates(r.namespace);
  const result: InstallResult = {
    command: `helm ${args.join(' ')}`.replace(/-f \S*admin\S*\.yaml/, '-f <admin login values>'),
    seconds: seconds(res.ms),
    pods,
    warnings: await warnings(r.namespace),
    redis: res.code === 0 ? await redisStates(r) : {},
  };
  note(`install: exit ${res.code} after ${result.seconds} s; ${pods.filter((p) => p.ready).length}/${pods.length} pods ready`);
  checks.add('install', 'helm install --wait --timeout 15m exits 0', res.code === 0, res.code === 0 ? `${result.seconds} s` : res.stderr.slice(-1_500));
  checks.add('install', 'every pod Running and Ready', pods.length > 0 && pods.every((p) => p.ready && p.phase === 'Running'), pods.filter((p) => !p.ready).map((p) => `${p.name} ${p.phase}`).join(', ') || `${pods.length} pods`);
  const states = Object.values(result.redis);
  checks.add('install', 'every Redis node sees cluster_state:ok (formed by the keepers, no hook)', states.length > 0 && states.every((s) => s === 'ok'), result.redis);
  return result;
}

export interface HelmTestResult {
  seconds: number;
  exitCode: number;
  output: string;
}

export async function helmTest(r: Release, checks: Checks): Promise<HelmTestResult> {
  const res = await helm(['test', 'stampede', '-n', r.namespace, '--logs', '--timeout', '5m'], { allowFail: true });
  const output = `${res.stdout}${res.stderr}`;
  // The smoke pod's own lines (helm prints its log after the hooks' summary).
  const logs = output.slice(output.lastIndexOf('POD LOGS') >= 0 ? output.lastIndexOf('POD LOGS') : 0);
  const result = { seconds: seconds(res.ms), exitCode: res.code, output: logs.split('\n').filter((l) => /^(ok|FAIL|skip)|smoke test|check\(s\) failed/.test(l)).join('\n') };
  note(`helm test: exit ${res.code} after ${result.seconds} s`);
  checks.add('helm test', 'helm test passes', res.code === 0 && output.includes('smoke test passed'), result.output.slice(-1_500));
  checks.add('helm test', 'the smoke test logged in with the admin login and read an authenticated route', /ok +login through the gateway/.test(output) && /ok +GET \/sales with the token/.test(output), result.output.slice(-600));
  return result;
}
