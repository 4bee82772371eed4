import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a run that was killed (a timeout, Ctrl-C twice, SIGKILL of jest) leaves behind must not
 * break the next one: every server the harness or the stack starts is written down as it starts,
 * and the next start stops whatever of its own is still running before taking its ports.
 *
 * Each writer has a file of its own, `<dir>/.processes/<writer pid>-<n>.jsonl`, one line per
 * process: its pid, its start time (so a pid the kernel has since given to someone else is never
 * touched; servers rewrite their command lines, the start time stays) and what to delete once it
 * is gone. A clean stop deletes the file.
 */
interface Entry {
  pid: number;
  started: string;
  remove?: string[];
}

let counter = 0;
/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
const startTimeOf = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export class ProcessRegistry {
  private readonly file: string;

  constructor(dir: string) {
    mkdirSync(join(dir, '.processes'), { recursive: true });
    this.file = join(dir, '.processes', `${process.pid}-${++counter}.jsonl`);
  }

  /** Records a process this run started. */
  record(pid: number | undefined, remove: string[] = []): void {
    const started = pid ? startTimeOf(pid) : undefined;
    if (!pid || !started) return;
    appendFileSync(this.file, JSON.stringify({ pid, started, ...(remove.length ? { remove } : {}) } satisfies Entry) + '\n');
  }

  /** Everything recorded here was stopped cleanly. */
  close(): void {
    rmSync(this.file, { force: true });
  }
}

/**
 * Stops, with SIGKILL, every process a dead run recorded under `dir` that is still the same
 * process (same start time), and deletes what it left. Files of a writer that is still alive are left
 * alone (another run of the same ports is still going). Returns how many processes it stopped.
 */
export async function reapLeftovers(dir: string): Promise<number> {
  const records = join(dir, '.processes');
  if (!existsSync(records)) return 0;
  let stopped = 0;
  for (const file of readdirSync(records)) {
    const writer = Number(file.split('-')[0]);
    if (writer !== process.pid && alive(writer)) continue;
    const entries = readFileSync(join(records, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Entry);
    for (const e of entries) {
      if (startTimeOf(e.pid) !== e.started) continue;
      process.kill(e.pid, 'SIGKILL');
      stopped++;
      for (let i = 0; i < 100 && alive(e.pid); i++) await new Promise((r) => setTimeout(r, 20));
    }
    for (const e of entries) for (const path of e.remove ?? []) rmSync(path, { recursive: true, force: true });
    rmSync(join(records, file), { force: true });
  }
  return stopped;
}
