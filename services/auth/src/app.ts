import { createMetrics, createService, newStores, redisStore, postgresStore, type Logger, type RunningService } from '@stampede/chassis';
import type { Config } from './config';
import { model } from './store/model';

export async function buildAuth(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('auth');
  const stores = newStores();
  redisStore(config, stores);
  await postgresStore(config, model, stores);
  return createService({
    name: 'auth',
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
