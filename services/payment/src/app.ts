import { createMetrics, createService, newStores, redisStore, postgresStore, type Logger, type RunningService } from '@stampede/chassis';
import type { Config } from './config';
import { model } from './store/model';

export async function buildPayment(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('payment');
  const stores = newStores();
  redisStore(config, stores);
  await postgresStore(config, model, stores);
  return createService({
    name: 'payment',
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
