/**
 * The end of a run: `cluster:down`, then what the machine shows of the cluster afterwards —
 * processes, mounts, network links and namespaces, iptables chains — each of which must show
 * nothing of it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checks } from './checks';
import { note, ROOT, script, seconds } from './cluster';

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};

/** What the machine shows of a cluster whose data folder is `dataDir`: one list per place. */
function leftovers(dataDir = join(ROOT, '.stampede', 'cluster')): Record<string, string[]> {
  const daemons = /\b(kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|etcd|containerd-shim-runc-v2)\b/;
  // A zombie (state Z) has already given back its memory, files, sockets and mounts; only its
  // exit status waits for its parent. The daemons outlive cluster:up's shell, so that parent is
  // PID 1, which is not ours and on some machines reaps late or never: zombies are not counted.
  const ps = sh('ps', ['-eo', 'pid=,stat=,args='])
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && stat && !stat.startsWith('Z'))
    .map(([pid, , ...args]) => `${pid} ${args.join(' ')}`)
    .filter((l) => l.includes(dataDir) || daemons.test(l));
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(dataDir) || /kubelet|containerd/.test(l));
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .filter((l) => /stampede0|veth/.test(l));
  const netns = sh('ip', ['netns', 'list'])
    .split('\n')
    .filter((l) => l.startsWith('cni-'));
  const chains = [...sh('iptables-save', []).split('\n'), ...sh('ip6tables-save', []).split('\n')].filter((l) => /KUBE-|CNI-|10\.244\.|10\.96\./.test(l));
  return { ps, mounts, links, netns, iptables: chains };
}

export interface TeardownResult {
  downSeconds: number;
  leftovers: Record<string, string[]>;
}

export async function teardown(checks: Checks): Promise<TeardownResult> {
  const down = await script('scripts/cluster/down.sh', [], { allowFail: true });
  const left = leftovers();
  note(`cluster:down: exit ${down.code} after ${seconds(down.ms)} s; left: ${Object.entries(left).map(([k, v]) => `${k} ${v.length}`).join(', ')}`);
  checks.add('teardown', 'cluster:down exits 0', down.code === 0, `${seconds(down.ms)} s`);
  for (const [what, lines] of Object.entries(left)) {
    checks.add('teardown', `nothing of the cluster left in ${what}`, lines.length === 0, lines.slice(0, 5).join(' | ') || 'none');
  }
  return { downSeconds: seconds(down.ms), leftovers: left };
}
