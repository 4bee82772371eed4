/**
 * Runs the Tiltfile through tools/tilt-check (a real Starlark interpreter with Tilt's builtins
 * recorded), built once per source with the pinned Go toolchain and cached outside the clone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, toolPaths } from '../chart-check/tools';

export interface TiltCall {
  fn: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const SOURCE = path.join(ROOT, 'tools', 'tilt-check');

function binary(): string {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(SOURCE, f)));
  const dir = path.join(process.env.STAMPEDE_CACHE ?? path.join(os.homedir(), '.cache/stampede'), 'bin', `tilt-check-${hash.digest('hex').slice(0, 12)}`);
  const bin = path.join(dir, 'tilt-check');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${bin}.${process.pid}.tmp`;
    execFileSync(toolPaths().go, ['build', '-trimpath', '-o', tmp, '.'], {
      cwd: SOURCE,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', CGO_ENABLED: '0' },
    });
    // Parallel test files may build at once: the last rename wins, both binaries are the same.
    renameSync(tmp, bin);
    rmSync(tmp, { force: true });
  }
  return bin;
}

/** Every Tilt builtin the Tiltfile calls, in order; `files` swaps a file read_yaml reads for another. */
export function evaluateTiltfile(files: Record<string, string> = {}): TiltCall[] {
  const args = [...Object.entries(files).flatMap(([from, to]) => ['--file', `${from}=${to}`]), path.join(ROOT, 'Tiltfile')];
  return JSON.parse(execFileSync(binary(), args, { encoding: 'utf8', cwd: ROOT })) as TiltCall[];
}
