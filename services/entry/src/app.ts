import { createMetrics, createService, newStores, redisStore, type Logger, type RunningService } from '@stampede/chassis';
import type { Config } from './config';

export async function buildEntry(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('entry');
  const stores = newStores();
  redisStore(config, stores);
  return createService({
    name: 'entry',
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
