/**
 * The tools the cluster test drives, by the paths the cluster scripts use: kubectl of the built
 * Kubernetes release against the cluster's admin kubeconfig, the project's Helm build, and the
 * scripts under scripts/cluster. Every command's output is also appended to the run's log file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const versions = Object.fromEntries(
  readFileSync(join(ROOT, 'scripts/cluster/versions.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
) as Record<string, string>;
const CACHE = process.env.STAMPEDE_CACHE ?? join(homedir(), '.cache', 'stampede');
const DATA_DIR = process.env.STAMPEDE_CLUSTER_DIR ?? join(ROOT, '.stampede', 'cluster');
const KUBECONFIG = join(DATA_DIR, 'kubeconfig');
const KUBECTL = join(CACHE, 'cluster', `kubernetes-${versions.K8S_VERSION}`, 'bin', 'kubectl');
export const K8S_VERSION = versions.K8S_VERSION as string;
export const PROMETHEUS_VERSION = versions.PROMETHEUS_VERSION as string;
export const PROMETHEUS_OPERATOR_VERSION = versions.PROMETHEUS_OPERATOR_VERSION as string;

let logFile: string | undefined;
/** Where every command's output goes besides the console lines the test prints itself. */
export function logTo(file: string): void {
  logFile = file;
}
export const note = (line: string) => {
  process.stdout.write(`${line}\n`);
  if (logFile) appendFileSync(logFile, `# ${line}\n`);
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  input?: string;
  /** Resolve with a non-zero exit code instead of throwing. */
  allowFail?: boolean;
  env?: Record<string, string>;
  /** Echo the command's output to the console as it comes (long steps: builds, cluster:up). */
  echo?: boolean;
  /** Keep the output out of the run's log (it holds secrets). */
  secret?: boolean;
}

/** Runs a program to completion; throws with its output on a non-zero exit unless allowFail. */
function run(cmd: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, KUBECONFIG, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (o.echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (o.echo) process.stderr.write(d);
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const r = { code: code ?? -1, stdout, stderr, ms: Math.round(performance.now() - t0) };
      const shown = o.secret ? '(output not logged: it holds secrets)\n' : `${stdout}${stderr}`;
      if (logFile) appendFileSync(logFile, `$ ${[cmd, ...args].join(' ')}\n${shown}(exit ${r.code}, ${r.ms} ms)\n`);
      if (r.code !== 0 && !o.allowFail) fail(new Error(`${[cmd, ...args].join(' ')} exited ${r.code}:\n${(stderr || stdout).slice(-3_000)}`));
      else done(r);
    });
    child.stdin.end(o.input ?? '');
  });
}

export const kubectl = (args: string[], o?: RunOptions) => run(KUBECTL, args, o);

/** `kubectl get ... -o json`, parsed. */
export async function kget<T = any>(args: string[], o?: RunOptions): Promise<T> {
  return JSON.parse((await kubectl(['get', ...args, '-o', 'json'], o)).stdout) as T;
}

let helmPath: string | undefined;
/** The Helm the project builds (scripts/install-go-tools.sh, cached under ~/.cache/stampede/bin). */
export function helm(args: string[], o?: RunOptions): Promise<RunResult> {
  helmPath ??= execFileSync('bash', [join(ROOT, 'scripts/install-go-tools.sh'), '--paths'], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.startsWith('helm='))
    ?.slice(5);
  if (!helmPath) throw new Error('scripts/install-go-tools.sh --paths printed no helm= line');
  return run(helmPath, args, o);
}

export const script = (path: string, args: string[] = [], o?: RunOptions) => run('bash', [join(ROOT, path), ...args], o);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `ms` pass. */
export async function until<T>(what: string, ms: number, everyMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

export const seconds = (ms: number) => Math.round(ms / 100) / 10;
