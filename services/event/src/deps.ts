import type { MikroORM } from '@mikro-orm/postgresql';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { Verifier } from '@stampede/chassis/auth';
import type { EventMetrics } from './metrics';

/** Everything the event use cases, routes and workers use, built once in app.ts. */
export interface Deps {
  /** PostgreSQL: sales, promotions, orders, audit (use cases run in `transaction(orm, …)`). */
  orm: MikroORM;
  /** Redis Cluster: the sale ledger a sale's inventory is armed into. */
  redis: Cluster;
  /** Checks access tokens on every route but the internal snapshot. */
  verifier: Verifier;
  logger: Logger;
  metrics: EventMetrics;
}
