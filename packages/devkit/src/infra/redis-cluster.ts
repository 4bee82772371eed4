import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ProcessGroup, waitFor, type Managed } from './processes';

const exec = promisify(execFile);

export interface RedisClusterHandle {
  nodes: { host: string; port: number }[];
  /** host:port,host:port as REDIS_NODES expects. */
  nodesEnv: string;
  cli(port: number, ...args: string[]): Promise<string>;
  /** Kills one node process (SIGKILL), as a crash would. */
  killNode(port: number): Promise<void>;
  /** Starts a previously killed node again with its old config (it rejoins as a replica). */
  restartNode(port: number): Promise<void>;
  masters(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  group: ProcessGroup;
  dir: string;
  basePort: number;
  /** Failure detection time; short in tests so failover is quick. */
  nodeTimeoutMs?: number;
  fresh?: boolean;
}

const HOST = '127.0.0.1';

export async function startRedisCluster(o: RedisClusterOptions): Promise<RedisClusterHandle> {
  const ports = Array.from({ length: 6 }, (_, i) => o.basePort + i);
  if (o.fresh !== false) rmSync(o.dir, { recursive: true, force: true });
  const procs = new Map<number, Managed>();

  const startNode = (port: number) => {
    const dir = join(o.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const m = o.group.start(`redis-${port}`, 'redis-server', [
      '--port', String(port),
      '--bind', HOST,
      '--dir', dir,
      '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, 'nodes.conf'),
      '--cluster-node-timeout', String(o.nodeTimeoutMs ?? 2_000),
      // Replicas must be willing to take over after any outage length in tests and demos.
      '--cluster-replica-validity-factor', '0',
      '--appendonly', 'no',
      '--save', '',
      '--protected-mode', 'no',
      '--daemonize', 'no',
    ]);
    procs.set(port, m);
  };

  const cli = async (port: number, ...args: string[]) =>
    (await exec('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8' })).stdout.trim();

  ports.forEach(startNode);
  await Promise.all(ports.map((p) => waitFor(`redis ${p}`, async () => (await cli(p, 'ping')) === 'PONG', 10_000, 50)));
  await exec('redis-cli', [
    '--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`),
    '--cluster-replicas', '1', '--cluster-yes',
  ]);
  await waitFor(
    'redis cluster state ok',
    async () => {
      const infos = await Promise.all(ports.map((p) => cli(p, 'cluster', 'info')));
      return infos.every((i) => i.includes('cluster_state:ok') && i.includes('cluster_known_nodes:6'));
    },
    20_000,
    100,
  );

  const masters = async () => {
    for (const p of ports) {
      try {
        const out = await cli(p, 'cluster', 'nodes');
        return out
          .split('\n')
          .filter((l) => l.includes('master') && !l.includes('fail'))
          .map((l) => Number(/:(\d+)@/.exec(l)?.[1]))
          .filter((n) => n > 0)
          .sort();
      } catch {
        continue;
      }
    }
    return [];
  };

  return {
    nodes: ports.map((port) => ({ host: HOST, port })),
    nodesEnv: ports.map((p) => `${HOST}:${p}`).join(','),
    cli,
    masters,
    async killNode(port) {
      const m = procs.get(port);
      if (m) await o.group.stop(m, 'SIGKILL');
    },
    async restartNode(port) {
      startNode(port);
      await waitFor(`redis ${port}`, async () => (await cli(port, 'ping')) === 'PONG', 10_000, 50);
    },
    async stop() {
      for (const m of procs.values()) await o.group.stop(m, 'SIGTERM', 3_000);
    },
  };
}
