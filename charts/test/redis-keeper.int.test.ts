import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGroup, waitFor, type Managed } from '@stampede/devkit';
import { ROOT } from '../../tools/chart-check/harness';

/**
 * The chart's Redis keeper (charts/stampede/files/redis-keeper.sh, the script every Redis pod
 * runs) against six real Redis 7.0 nodes, each on its own loopback address as each pod has its
 * own IP, known by a name as pods are by their DNS names (a hosts file stands in for DNS):
 * the cluster forms with no one running `redis-cli --cluster create` by hand, heals when every
 * node comes back on a new address, and takes back a node that lost its data.
 */
const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000);
const PORT = base + 50;
const BUS = base + 51;
const NODES = 6;
const name = (i: number) => `node-${i}.redis.test`;
const dir = join(ROOT, '.stampede', `redis-keeper-${PORT}`);
const hostsFile = join(dir, 'hosts');
let group: ProcessGroup;
const redis: (Managed | undefined)[] = [];
let subnet = 1;
const ip = (i: number) => `127.0.${subnet}.${10 + i}`;
/** Where the keeper reaches its own node, as 127.0.0.1 in a pod: an address that never moves. */
const own = (i: number) => `127.0.9.${10 + i}`;

const cli = (i: number, ...args: string[]) => {
  try {
    return execFileSync('redis-cli', ['-h', ip(i), '-p', String(PORT), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\r/g, '');
  } catch {
    return '';
  }
};
const clusterState = (i: number) => /cluster_state:(\w+)/.exec(cli(i, 'cluster', 'info'))?.[1];

function writeHosts(): void {
  writeFileSync(hostsFile, Array.from({ length: NODES }, (_, i) => `${ip(i)} ${name(i)}\n`).join(''));
}

async function startNode(i: number): Promise<void> {
  const data = join(dir, `node-${i}`);
  mkdirSync(data, { recursive: true });
  redis[i] = group.start(`redis-${i}-${subnet}`, 'redis-server', [
    // Outgoing cluster connections leave from the node's own address, as from a pod's IP.
    '--bind', ip(i), own(i), '--bind-source-addr', ip(i), '--port', String(PORT), '--cluster-port', String(BUS), '--dir', data,
    '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
    '--cluster-announce-hostname', name(i), '--cluster-preferred-endpoint-type', 'hostname',
    '--appendonly', 'yes', '--save', '', '--protected-mode', 'no', '--daemonize', 'no',
  ]);
  await waitFor(`redis ${i}`, async () => cli(i, 'ping').trim() === 'PONG', 10_000, 100);
}

async function stopNode(i: number): Promise<void> {
  if (redis[i]) await group.stop(redis[i]!);
  redis[i] = undefined;
}

function startKeeper(i: number): void {
  group.start(`keeper-${i}`, 'sh', [join(ROOT, 'charts/stampede/files/redis-keeper.sh')], {
    env: {
      PATH: process.env.PATH,
      POD_NAME: `node-${i}`,
      REDIS_DOMAIN: 'redis.test',
      REDIS_PEERS: Array.from({ length: NODES }, (_, n) => name(n)).join(' '),
      REDIS_REPLICAS: '1',
      REDIS_PORT: String(PORT),
      REDIS_BUS_PORT: String(BUS),
      REDIS_KEEPER_PERIOD: '1',
      REDIS_KEEPER_HEARTBEAT: join(dir, `heartbeat-${i}`),
      REDIS_KEEPER_HOSTS_FILE: hostsFile,
      REDIS_SELF_HOST: own(i),
    },
  });
}

const THREE_AND_THREE = ['master', 'master', 'master', 'slave', 'slave', 'slave'];
const rolesSeenBy = (i: number) =>
  cli(i, 'cluster', 'nodes')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[2]!.replace('myself,', ''))
    .sort();
/**
 * Every node sees cluster_state:ok and the same healthy cluster: six nodes, three masters with a
 * replica each, none failed or without an address, each at its current address.
 */
/** Waits for convergence; on a time-out, says what every node sees. */
const settle = (what: string) =>
  waitFor(what, converged, 45_000, 500).catch((e: Error) => {
    const views = Array.from({ length: NODES }, (_, i) => `node-${i} (${clusterState(i)}):\n${cli(i, 'cluster', 'nodes')}`);
    throw new Error(`${e.message}\n${views.join('\n')}`);
  });

async function converged(): Promise<boolean> {
  for (let i = 0; i < NODES; i++) {
    if (clusterState(i) !== 'ok') return false;
    if (JSON.stringify(rolesSeenBy(i)) !== JSON.stringify(THREE_AND_THREE)) return false;
    const addresses = cli(i, 'cluster', 'nodes').match(/127\.0\.\d+\.\d+/g) ?? [];
    if (addresses.length !== NODES || addresses.some((a) => !a.startsWith(`127.0.${subnet}.`))) return false;
  }
  return true;
}

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  group = new ProcessGroup(join(dir, 'logs'));
  writeHosts();
  for (let i = 0; i < NODES; i++) await startNode(i);
});

afterAll(async () => {
  // The logs stay for a look after a failure; the next run starts clean.
  await group.stopAll(2_000);
});

describe('the Redis keeper of the chart', () => {
  it('when every node answers and none is in a cluster, then the first one forms it: 3 masters, 3 replicas', async () => {
    expect(clusterState(0)).toBe('fail');
    for (let i = 0; i < NODES; i++) startKeeper(i);
    await settle('one cluster, seen alike by every node');
    expect(cli(0, 'cluster', 'info')).toContain('cluster_slots_assigned:16384');
  });

  it('when every node comes back on a new address, then the cluster heals by itself', async () => {
    for (let i = 0; i < NODES; i++) await stopNode(i);
    subnet = 2;
    writeHosts();
    for (let i = 0; i < NODES; i++) await startNode(i);
    // nodes.conf still holds the old addresses: nobody reaches anybody until the keepers meet them again.
    await settle('every node at its new address, seen alike by every node');
  });

  it('when a node comes back empty (its volume lost), then it joins as a replica and the dead entry is forgotten', async () => {
    const victim = 5;
    const oldId = cli(victim, 'cluster', 'myid').trim();
    await stopNode(victim);
    rmSync(join(dir, `node-${victim}`), { recursive: true, force: true });
    await startNode(victim);
    expect(cli(victim, 'cluster', 'myid').trim()).not.toBe(oldId);
    await settle('the new node a replica, the old one forgotten, seen alike by every node');
    for (let i = 0; i < NODES; i++) expect(cli(i, 'cluster', 'nodes')).not.toContain(oldId);
  });
});
