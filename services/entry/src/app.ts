import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createVerifier } from '@stampede/chassis/auth';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { newStores, redisStore } from '@stampede/chassis/stores';
import { SalesClient } from './clients/sales';
import type { Config } from './config';
import type { Deps } from './deps';
import { fastRoutes, routes } from './http/routes';
import { entryMetrics } from './metrics';
import { availabilityCache } from './use-cases/availability';
import { startSweeper } from './workers/sweeper';

export async function buildEntry(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('entry');
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const entry = entryMetrics(metrics, redis);
  const sweeper = startSweeper(redis, {
    intervalMs: config.SWEEP_INTERVAL_MS,
    batch: config.SWEEP_BATCH,
    logger,
    onExpired: (sale, n) => entry.holdsExpired.inc({ sale }, n),
  });
  const deps: Deps = {
    redis,
    verifier: createVerifier({
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      redis,
      identityKeys: config.INTERNAL_IDENTITY_KEYS,
      onRefusedIdentity: (reason) => logger.warn({ reason }, 'identity header refused'),
    }),
    sales: new SalesClient({
      eventUrl: config.EVENT_URL,
      ttlMs: config.SNAPSHOT_TTL_MS,
      maxStaleMs: config.SNAPSHOT_MAX_STALE_MS,
      timeoutMs: config.SNAPSHOT_TIMEOUT_MS,
      logger,
    }),
    metrics: entry,
    availability: availabilityCache(config.AVAILABILITY_CACHE_MS),
    availabilityCacheMs: config.AVAILABILITY_CACHE_MS,
    soldOut: config.SOLD_OUT_MEMO_MS > 0 ? new LRUCache<string, true>({ max: 10_000, ttl: config.SOLD_OUT_MEMO_MS }) : { has: () => false, set: () => undefined, delete: () => undefined },
    onHold: (saleId) => sweeper.watch(saleId),
  };
  return createService({
    name: 'entry',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    fast: fastRoutes(deps),
    routes: (app) => routes(app, deps),
    // The sweeper stops before the Redis client closes.
    closers: [() => sweeper.stop(), ...stores.closers],
  });
}
