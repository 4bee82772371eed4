import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { verifierFromConfig } from '@stampede/chassis/auth';
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
import { roomSigner } from './domain/admission-token';
import { endAllStreams, pingAllStreams } from './http/sse';
import { startRooms } from './workers/rooms';

/** Quiet live streams get a comment this often, so no proxy's idle timer cuts them. */
const PING_EVERY_S = 15;

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
  const sales = new SalesClient({
    eventUrl: config.EVENT_URL,
    ttlMs: config.SNAPSHOT_TTL_MS,
    maxStaleMs: config.SNAPSHOT_MAX_STALE_MS,
    timeoutMs: config.SNAPSHOT_TIMEOUT_MS,
    logger,
  });
  const rooms = startRooms(redis, {
    tickMs: config.ROOM_TICK_MS,
    maxBatch: config.ROOM_MAX_BATCH,
    logger,
    snapshot: (saleId) => sales.snapshot(saleId),
    onState: (saleId, state) => entry.room(saleId, state),
  });
  const deps: Deps = {
    redis,
    verifier: verifierFromConfig(config, redis, logger),
    sales,
    metrics: entry,
    availability: availabilityCache(config.AVAILABILITY_CACHE_MS),
    availabilityCacheMs: config.AVAILABILITY_CACHE_MS,
    soldOut: config.SOLD_OUT_MEMO_MS > 0 ? new LRUCache<string, true>({ max: 10_000, ttl: config.SOLD_OUT_MEMO_MS }) : { has: () => false, set: () => undefined, delete: () => undefined },
    onHold: (saleId) => sweeper.watch(saleId),
    signer: config.INTERNAL_IDENTITY_KEYS ? roomSigner(config.INTERNAL_IDENTITY_KEYS) : undefined,
    rooms,
  };
  // A draining replica ends its live streams at once (their clients reconnect to another
  // replica with Last-Event-ID); otherwise quiet streams get a ping now and then.
  let seconds = 0;
  const keepAlive = setInterval(() => {
    if (service.draining) endAllStreams();
    else if (++seconds % PING_EVERY_S === 0) pingAllStreams();
  }, 1_000);
  keepAlive.unref();
  const service: RunningService = createService({
    name: 'entry',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    fast: fastRoutes(deps),
    routes: (app) => routes(app, deps),
    // The sweeper stops before the Redis client closes.
    closers: [() => clearInterval(keepAlive), () => sweeper.stop(), () => rooms.stop(), ...stores.closers],
  });
  return service;
}
