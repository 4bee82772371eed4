import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import type { SaleSnapshot } from '@stampede/contracts';
import { armSale } from '@stampede/ledger';
import { testInfra, type SnapshotServer } from '@stampede/devkit';

export function testRedis(): Cluster {
  const nodes = testInfra().redisNodes.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host: host as string, port: Number(port) };
  });
  return createRedisCluster({ nodes });
}

export const uniqueSaleId = (tag = 's') => `${tag}-${randomUUID().slice(0, 12)}`;

/** Arms a fresh sale in the shared test Redis (unique id, so parallel test files never collide). */
export async function armTestSale(
  redis: Cluster,
  o: { total: number; limit?: number; holdTtlSeconds?: number; saleId?: string },
): Promise<string> {
  const saleId = o.saleId ?? uniqueSaleId();
  await armSale(redis, { saleId, total: o.total, limit: o.limit ?? 1, holdTtlSeconds: o.holdTtlSeconds ?? 300 });
  return saleId;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Arms a sale in Redis and publishes the matching open snapshot. */
export async function openSale(
  redis: Cluster,
  snapshots: SnapshotServer,
  o: { total: number; limit?: number; holdTtlSeconds?: number } & Partial<SaleSnapshot>,
): Promise<string> {
  const { total, limit = 1, holdTtlSeconds = 300, ...rest } = o;
  const saleId = await armTestSale(redis, { total, limit, holdTtlSeconds });
  snapshots.put({ ...rest, saleId, stock: total, perUserLimit: limit, holdTtlSeconds });
  return saleId;
}
