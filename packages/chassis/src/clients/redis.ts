import { Cluster, type ClusterOptions } from 'ioredis';


export interface RedisClusterOptions {
  nodes: { host: string; port: number }[];
  password?: string;
  /** Overrides for tests and tuning. */
  options?: ClusterOptions;
}

/**
 * A Redis Cluster client. Keys of one sale share a hash tag, so every script runs on one shard;
 * the client follows MOVED/ASK redirects and refreshes slots after a failover.
 */
export function createRedisCluster({ nodes, password, options }: RedisClusterOptions): Cluster {
  return new Cluster(nodes, {
    scaleReads: 'master',
    enableReadyCheck: true,
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2_000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    ...options,
    redisOptions: {
      password,
      connectTimeout: 2_000,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
      ...options?.redisOptions,
    },
  });
}

export async function pingCluster(cluster: Cluster): Promise<void> {
  if (cluster.status !== 'ready') throw new Error(`redis cluster is ${cluster.status}`);
  await cluster.ping();
}

export async function closeCluster(cluster: Cluster): Promise<void> {
  try {
    await cluster.quit();
  } catch {
    cluster.disconnect();
  }
}
