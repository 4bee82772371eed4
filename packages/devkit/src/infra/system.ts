import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Binaries the local platform needs, and the Debian package that provides each. */
export const REQUIRED_BINARIES: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  java: 'openjdk-17-jre-headless',
  mvn: 'maven',
  openssl: 'openssl',
  prometheus: 'prometheus',
  promtool: 'prometheus',
};

const PG_BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL's server binaries are not on PATH on Debian; find the version-specific folder. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(`${fromEnv}/pg_ctl`)) return fromEnv;
  const found = PG_BIN_DIRS.find((d) => existsSync(`${d}/pg_ctl`));
  if (found) return found;
  const onPath = which('pg_ctl');
  if (onPath) return onPath.replace(/\/pg_ctl$/, '');
  throw new Error('PostgreSQL server binaries not found: run scripts/install-system-deps.sh');
}

export function missingBinaries(): string[] {
  const missing = Object.keys(REQUIRED_BINARIES).filter((b) => !which(b));
  try {
    postgresBinDir();
  } catch {
    missing.push('pg_ctl');
  }
  return missing;
}

export function assertSystemReady(): void {
  const missing = missingBinaries();
  if (missing.length) {
    throw new Error(
      `missing system tools: ${missing.join(', ')}. Run: sudo bash scripts/install-system-deps.sh`,
    );
  }
}
