import type { Logger } from 'pino';
import { verifierFromConfig } from '@stampede/chassis/auth';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { kafkaStore, newStores, postgresStore, redisStore } from '@stampede/chassis/stores';
import type { Config } from './config';
import type { Deps } from './deps';
import { routes } from './http/routes';
import { createEventMetrics, registerSaleGauges } from './metrics';
import { model } from './store/model';
import { startOrdersConsumer, type OrdersConsumer } from './workers/orders-consumer';

export interface EventService extends RunningService {
  /** The payment events consumer, when enabled (tests wait on `started`). */
  orders?: OrdersConsumer;
}

export async function buildEvent(config: Config, logger: Logger): Promise<EventService> {
  const metrics = createMetrics('event');
  const eventMetrics = createEventMetrics(metrics);
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const orm = await postgresStore(config, model, stores);
  const verifier = verifierFromConfig(config, redis, logger);
  const deps: Deps = { orm, redis, verifier, logger, metrics: eventMetrics };
  registerSaleGauges(metrics, orm);

  const kafka = config.ORDERS_CONSUMER_ENABLED ? kafkaStore(config, stores, logger) : undefined;
  const orders = kafka
    ? startOrdersConsumer(deps, {
        connection: kafka.connection,
        health: kafka.health,
        groupId: config.ORDERS_CONSUMER_GROUP,
        sessionTimeout: config.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatInterval: config.KAFKA_CONSUMER_HEARTBEAT_MS,
        registry: metrics.registry,
      })
    : undefined;

  const service: EventService = createService({
    name: 'event',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    // Kafka's check fails only on a credential or certificate problem: an outage keeps the API
    // serving while the consumer catches up later.
    checks: stores.checks,
    routes: (app) => routes(app, deps),
    // The consumer stops first so an in-flight message finishes while its stores are still open.
    closers: [...(orders ? [() => orders.stop()] : []), ...stores.closers],
  });
  if (orders) service.orders = orders;
  return service;
}
