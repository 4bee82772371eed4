/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, or the bench's signal-driven cpu-profiler.cjs): per profile, the functions with the most self
 * time and the packages (node_modules/<name>, node:internals, the service's own code) that own it.
 *
 *   npx tsx tools/bench/profile-top.ts <dir or .cpuprofile files> [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Who owns a frame: an npm package, a Node internal, the (program)/(gc)/(idle) pseudo-frames, or ours. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const m = /\/(services|packages)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

export function selfTimes(p: Profile): { total: number; byFunction: Map<string, number>; byOwner: Map<string, number>; inclusiveByOwner: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  // Time with at least one frame of the owner on the stack: what removing that package would save.
  const inclusiveByOwner = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = p.timeDeltas[i] ?? 0;
    if (!n || n.callFrame.functionName === '(idle)') return;
    total += dt;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '')}:${f.lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    const owner = ownerOf(f.url, f.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame) seen.add(ownerOf(frame.url, frame.functionName));
    }
    for (const o of seen) inclusiveByOwner.set(o, (inclusiveByOwner.get(o) ?? 0) + dt);
  });
  return { total, byFunction, byOwner, inclusiveByOwner };
}

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const top = Number(values.top);
  const files = positionals.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)) : [p]));
  const names = new Map<string, string>();
  for (const p of positionals) {
    try {
      for (const [pid, name] of Object.entries(JSON.parse(readFileSync(join(p, 'pids.json'), 'utf8')) as Record<string, string>)) names.set(pid, name);
    } catch {
      /* no pid map: file names only */
    }
  }
  for (const file of files) {
    const pid = /^(?:CPU\.\d+\.\d+\.|pid-)(\d+)[.-]/.exec(basename(file))?.[1] ?? '';
    const { total, byFunction, byOwner, inclusiveByOwner } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
    const lines = [`\n== ${names.get(pid) ?? '?'} ${basename(file)}: ${(total / 1e6).toFixed(2)} s busy`, '-- by owner'];
    for (const [k, v] of [...byOwner].sort((x, y) => y[1] - x[1]).slice(0, 15)) lines.push(`${pct(v)}  ${k}`);
    lines.push('-- by owner, inclusive (time with the owner anywhere on the stack)');
    for (const [k, v] of [...inclusiveByOwner].filter(([k]) => !k.startsWith('(') && k !== 'native').sort((x, y) => y[1] - x[1]).slice(0, 40)) lines.push(`${pct(v)}  ${k}`);
    lines.push('-- by function (self time)');
    for (const [k, v] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`${pct(v)}  ${k}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}

if (require.main === module) main();
