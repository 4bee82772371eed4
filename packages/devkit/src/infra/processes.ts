import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProcessRegistry } from './leftovers';

export interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Members with the same key are stopped together by stopAll. */
  together?: string;
  /** Upper bound of this member's grace period, whatever stopAll is given. */
  stopGraceMs?: number;
}

export interface StartOptions extends SpawnOptions {
  log?: boolean;
  together?: string;
  stopGraceMs?: number;
}

/**
 * Every process the stack or the test harness starts goes through one group, so stopping the
 * group leaves nothing behind: SIGTERM, a grace period, then SIGKILL.
 */
export class ProcessGroup {
  private readonly members: Managed[] = [];
  /** Written down as they start, in the folder above the logs, for the next run to reap. */
  private readonly registry: ProcessRegistry;

  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
    this.registry = new ProcessRegistry(dirname(logDir));
  }

  start(name: string, command: string, args: string[], options: StartOptions = {}): Managed {
    const { log: keepLog = true, together, stopGraceMs, ...spawnOptions } = options;
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
    this.registry.record(child.pid);
    if (keepLog) {
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
    }
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', (err) => {
        log.write(`spawn failed: ${err.message}\n`);
        resolve(-1);
      });
    });
    const managed: Managed = { name, child, exited, ...(together ? { together } : {}), ...(stopGraceMs !== undefined ? { stopGraceMs } : {}) };
    this.members.push(managed);
    void exited.then(() => {
      const i = this.members.indexOf(managed);
      if (i >= 0) this.members.splice(i, 1);
    });
    return managed;
  }

  list(): readonly Managed[] {
    return this.members;
  }

  async stop(m: Managed, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8_000): Promise<void> {
    if (m.child.exitCode !== null || m.child.signalCode !== null) return;
    m.child.kill(signal);
    const timer = setTimeout(() => m.child.kill('SIGKILL'), Math.min(graceMs, m.stopGraceMs ?? graceMs));
    await m.exited;
    clearTimeout(timer);
  }

  /**
   * Stops in reverse start order: services before the stores they use. Members started
   * `together` (the nodes of one cluster) stop at the same time, when the first of them is due.
   */
  async stopAll(graceMs = 8_000): Promise<void> {
    const pending = [...this.members].reverse();
    while (pending.length) {
      const first = pending[0] as Managed;
      const batch = first.together ? pending.filter((m) => m.together === first.together) : [first];
      for (const m of batch) pending.splice(pending.indexOf(m), 1);
      await Promise.all(batch.map((m) => this.stop(m, 'SIGTERM', graceMs)));
    }
    this.registry.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}
