import { createMetrics, createService, newStores, redisStore, postgresStore, type Logger, type RunningService } from '@stampede/chassis';
import type { Config } from './config';
import { model } from './store/model';

export async function buildEvent(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('event');
  const stores = newStores();
  redisStore(config, stores);
  await postgresStore(config, model, stores);
  return createService({
    name: 'event',
    logger,
    metrics,
    bodyLimit: config.BODY_LIMIT,
    shutdownDelayMs: config.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    checks: stores.checks,
    routes: () => undefined,
    closers: stores.closers,
  });
}
