import type { Cluster, Logger, MikroORM } from '@stampede/chassis';
import type { EventMetrics } from '../metrics';

/** What the route modules need. */
export interface Deps {
  orm: MikroORM;
  redis: Cluster;
  logger: Logger;
  metrics: EventMetrics;
}
