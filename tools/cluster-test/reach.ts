/**
 * How the test, running on the host, reaches into the cluster. The host sits on the cluster's
 * bridge (10.244.0.1), so pod addresses answer directly and Service addresses through
 * kube-proxy's iptables rules, as they would for a pod. Names are the cluster's: they are looked
 * up at CoreDNS (the kube-dns Service), never in the host's resolver. Redis Cluster nodes announce
 * their DNS names and Kafka brokers advertise theirs, so both clients resolve through it too.
 */
import { Resolver } from 'node:dns';
import { connect, type LookupFunction } from 'node:net';
import type { Cluster } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { kget, kubectl } from './cluster';

const KUBE_DNS = '10.96.0.10';
const resolver = new Resolver({ timeout: 2_000, tries: 2 });
resolver.setServers([KUBE_DNS]);

/** A cluster name (`x.ns.svc`, or fully qualified) to an IPv4 address, through CoreDNS. */
export function resolveInCluster(name: string): Promise<string> {
  const fqdn = name.endsWith('.svc') ? `${name}.cluster.local` : name;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return Promise.resolve(name);
  return new Promise((done, fail) =>
    resolver.resolve4(fqdn, (err, addrs) => (err || !addrs[0] ? fail(err ?? new Error(`${fqdn}: no address`)) : done(addrs[0]))),
  );
}

const clusterLookup: LookupFunction = (hostname, options, callback) => {
  resolveInCluster(hostname).then(
    (address) => (options.all ? (callback as any)(null, [{ address, family: 4 }]) : callback(null, address, 4)),
    (err: NodeJS.ErrnoException) => callback(err, '', 4),
  );
};

export interface Release {
  namespace: string;
  /** The release's fullname: its objects are <fullname>-<component>. */
  fullname: string;
}

/** The release Secret's keys, decoded. */
export async function releaseSecret(r: Release): Promise<Record<string, string>> {
  const s = await kget<{ data: Record<string, string> }>(['-n', r.namespace, 'secret', r.fullname], { secret: true });
  return Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** http://<ClusterIP>:<port> of a release component's Service. */
export async function serviceUrl(r: Release, component: string): Promise<string> {
  const svc = await kget<{ spec: { clusterIP: string; ports: Array<{ port: number }> } }>(['-n', r.namespace, 'service', `${r.fullname}-${component}`]);
  return `http://${svc.spec.clusterIP}:${svc.spec.ports[0]?.port}`;
}

/**
 * The release's Redis Cluster. Its nodes announce DNS names (CLUSTER SLOTS answers with them),
 * which ioredis maps through natMap: each name to the address CoreDNS gives it now (the test
 * restarts no Redis pod, so the addresses hold for the run).
 */
export async function redisOf(r: Release, password: string): Promise<Cluster> {
  const name = `${r.fullname}-redis`;
  const sts = await kget<{ spec: { replicas: number } }>(['-n', r.namespace, 'statefulset', name]);
  const hosts = Array.from({ length: sts.spec.replicas }, (_, i) => `${name}-${i}.${name}-headless.${r.namespace}.svc`);
  const ips = await Promise.all(hosts.map(resolveInCluster));
  const natMap = Object.fromEntries(hosts.map((h, i) => [`${h}:6379`, { host: ips[i] as string, port: 6379 }]));
  const redis = createRedisCluster({ nodes: ips.map((host) => ({ host, port: 6379 })), password, options: { natMap } });
  await new Promise<void>((done, fail) => {
    redis.once('ready', () => done());
    redis.once('error', fail);
  });
  // Later connection errors (the release uninstalled under it) surface as failed commands.
  redis.on('error', () => undefined);
  return redis;
}

/** A Kafka client for brokers that advertise cluster names. */
export function kafkaOf(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'stampede-cluster-test',
    brokers,
    logLevel: logLevel.NOTHING,
    socketFactory: ({ host, port, onConnect }) => {
      const socket = connect({ host, port, lookup: clusterLookup }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
  });
}

/**
 * One SQL query in the release's PostgreSQL pod (psql over its local socket, as the postgres
 * user the chart creates): rows as arrays of strings.
 */
export async function sql(r: Release, database: string, query: string): Promise<string[][]> {
  const out = await kubectl(['-n', r.namespace, 'exec', `${r.fullname}-postgres-0`, '-c', 'postgres', '--', 'psql', '-U', 'stampede', '-d', database, '-v', 'ON_ERROR_STOP=1', '-AtF', '\t', '-c', query]);
  return out.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

/** The first column of the first row as a number. */
export async function sqlNumber(r: Release, database: string, query: string): Promise<number> {
  const rows = await sql(r, database, query);
  return Number(rows[0]?.[0] ?? NaN);
}
