import type { EntitySchema } from '@mikro-orm/core';
import type { MigrationObject } from '@mikro-orm/core';
import { closeCluster, createRedisCluster, pingCluster, type Cluster } from './clients/redis';
import { initOrm, pingDatabase, type MikroORM, type OrmOptions } from './clients/orm';
import type { ReadinessCheck } from './health';

/**
 * The store clients a service holds, with the readiness check and the closer for each, so every
 * service wires its dependencies the same way.
 */
export interface Stores {
  checks: Record<string, ReadinessCheck>;
  closers: Array<() => Promise<void>>;
}

export function redisStore(
  config: { REDIS_NODES: { host: string; port: number }[]; REDIS_PASSWORD?: string | undefined },
  stores: Stores,
): Cluster {
  const redis = createRedisCluster({ nodes: config.REDIS_NODES, password: config.REDIS_PASSWORD });
  stores.checks.redis = () => pingCluster(redis);
  stores.closers.push(() => closeCluster(redis));
  return redis;
}

export async function postgresStore(
  config: { DATABASE_URL: string; DATABASE_POOL_MAX: number },
  model: { entities: EntitySchema[]; migrations: MigrationObject[] },
  stores: Stores,
  extra?: Partial<OrmOptions>,
): Promise<MikroORM> {
  const orm = await initOrm({ clientUrl: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, ...model, ...extra });
  stores.checks.postgres = () => pingDatabase(orm);
  stores.closers.push(() => orm.close(true));
  return orm;
}

export const newStores = (): Stores => ({ checks: {}, closers: [] });
