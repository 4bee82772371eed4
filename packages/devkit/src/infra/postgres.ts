import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ProcessRegistry } from './leftovers';
import { postgresBinDir } from './system';

const exec = promisify(execFile);

export interface PostgresHandle {
  port: number;
  user: string;
  password: string;
  /** A URL for one database of this cluster. */
  url(database: string): string;
  /** Stops abruptly, as a crash would (immediate mode: no checkpoint). */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  psql(database: string, sql: string): Promise<string>;
}

export interface PostgresOptions {
  /** Where the data folder lives (or, as root, a link to it). */
  dir: string;
  port: number;
  databases: string[];
  /** Durability off: for tests only, never for data anyone keeps. */
  fast?: boolean;
  /** More postgresql.conf lines, e.g. ssl = on and its certificate files. */
  settings?: string[];
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A private PostgreSQL cluster. initdb refuses to run as root, so as root the cluster belongs to
 * the `postgres` user and lives in a temporary folder that user can reach, linked from `dir`.
 */
export async function startPostgres(o: PostgresOptions): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const user = 'stampede';
  const password = randomBytes(18).toString('base64url');
  rmSync(o.dir, { recursive: true, force: true });
  let dataRoot = o.dir;
  let owner: { uid: number; gid: number } | undefined;
  if (isRoot()) {
    const { stdout } = await exec('id', ['-u', 'postgres']);
    const gid = (await exec('id', ['-g', 'postgres'])).stdout.trim();
    owner = { uid: Number(stdout.trim()), gid: Number(gid) };
    dataRoot = mkdtempSync('/tmp/stampede-pg-');
    chownSync(dataRoot, owner.uid, owner.gid);
    mkdirSync(join(o.dir, '..'), { recursive: true });
    symlinkSync(dataRoot, o.dir);
  } else {
    mkdirSync(dataRoot, { recursive: true });
  }
  const data = join(dataRoot, 'data');
  const pwfile = join(dataRoot, 'pwfile');
  writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);

  const run = (cmd: string, args: string[]) =>
    owner ? exec('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : exec(join(bin, cmd), args);

  await run('initdb', ['-D', data, '-U', user, '--pwfile', pwfile, '-A', 'scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
  rmSync(pwfile);
  const settings = [
    `port = ${o.port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dataRoot}'`,
    'max_connections = 300',
    'shared_buffers = 128MB',
    ...(o.fast ? ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'] : []),
    ...(o.settings ?? []),
  ];
  writeFileSync(join(data, 'postgresql.auto.conf'), settings.join('\n') + '\n');
  if (owner) chownSync(join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);

  // pg_ctl detaches the server: written down here, so a run killed mid-way does not leave it
  // holding the port (the next start reaps it, see leftovers.ts).
  const registry = new ProcessRegistry(dirname(o.dir));
  const start = async () => {
    await run('pg_ctl', ['-D', data, '-l', join(dataRoot, 'postgres.log'), '-w', '-t', '30', 'start']);
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    registry.record(pid, dataRoot !== o.dir ? [dataRoot, o.dir] : []);
  };
  const pgStop = async (mode: 'fast' | 'immediate') => {
    if (!existsSync(join(data, 'postmaster.pid'))) return;
    await run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']).catch(() => undefined);
  };
  const psql = async (database: string, sql: string) => {
    const args = ['-h', dataRoot, '-p', String(o.port), '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql];
    return (await exec(join(bin, 'psql'), args, { encoding: 'utf8' })).stdout.trim();
  };

  const removeData = () => {
    if (dataRoot !== o.dir) {
      rmSync(dataRoot, { recursive: true, force: true });
      rmSync(o.dir, { force: true });
    }
  };
  try {
    await start();
    for (const db of o.databases) await psql('postgres', `create database "${db}"`);
  } catch (e) {
    // Nothing of a cluster that never came up is left behind (e.g. its port was taken).
    const log = postgresLog(dataRoot);
    await pgStop('immediate');
    removeData();
    throw new Error(`PostgreSQL did not start on port ${o.port}: ${log.split('\n').filter((l) => /FATAL|could not/.test(l)).join(' ') || (e as Error).message}`);
  }

  return {
    port: o.port,
    user,
    password,
    url: (database) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${o.port}/${database}`,
    kill: () => pgStop('immediate'),
    start,
    psql,
    async stop() {
      await pgStop('fast');
      removeData();
      registry.close();
    },
  };
}

export function postgresLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'postgres.log'), 'utf8');
  } catch {
    return '';
  }
}
