import type { MikroORM } from '@mikro-orm/postgresql';
import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { EventMetrics } from '../metrics';

/** What the route modules need. */
export interface Deps {
  orm: MikroORM;
  redis: Cluster;
  logger: Logger;
  metrics: EventMetrics;
}
