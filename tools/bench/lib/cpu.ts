/**
 * CPU time of a set of processes from /proc (user + system, in clock ticks), so the benchmark can
 * charge every request with what the whole platform spent on it: services, Redis, PostgreSQL,
 * Kafka and Prometheus. The load generator itself is measured apart.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Parses /proc/<pid>/stat. `comm` may hold spaces and parentheses: fields restart after the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![ppid, utime, stime].every(Number.isFinite)) return undefined;
  return { pid: Number(text.slice(0, open).trim()), ppid, comm: text.slice(open + 1, close), ticks: utime + stime };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
/** Ticks per second (getconf CLK_TCK; 100 on Linux unless configured otherwise). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Every live process under the given roots (roots included), named after the root it descends from. */
function processTree(roots: Map<number, string>): Map<number, { name: string; stat: ProcStat }> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) all.set(s.pid, s);
  }
  const children = new Map<number, number[]>();
  for (const s of all.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out = new Map<number, { name: string; stat: ProcStat }>();
  for (const [root, name] of roots) {
    const queue = [root];
    while (queue.length) {
      const pid = queue.pop() as number;
      const stat = all.get(pid);
      if (!stat || out.has(pid)) continue;
      out.set(pid, { name: pid === root ? name : `${name}/${stat.comm}`, stat });
      queue.push(...(children.get(pid) ?? []));
    }
  }
  return out;
}

export type CpuSnapshot = Map<number, { name: string; ticks: number }>;

export function snapshotCpu(roots: Map<number, string>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [pid, p] of processTree(roots)) out.set(pid, { name: p.name, ticks: p.stat.ticks });
  return out;
}

/**
 * CPU spent between two snapshots, in microseconds, per process name (children of one root summed
 * under the root's name, e.g. every PostgreSQL backend under "postgres"). A process that started in
 * between counts from zero.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  const perTick = 1e6 / ticksPerSecond();
  const out = new Map<string, number>();
  for (const [pid, a] of after) {
    const delta = a.ticks - (before.get(pid)?.ticks ?? 0);
    const name = a.name.split('/')[0] as string;
    out.set(name, (out.get(name) ?? 0) + delta * perTick);
  }
  return out;
}
