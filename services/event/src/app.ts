import {
  authenticate,
  createMetrics,
  createService,
  createVerifier,
  kafkaStore,
  newStores,
  postgresStore,
  redisStore,
  type Logger,
  type RunningService,
  serviceOptionsFrom,
} from '@stampede/chassis';
import type { Config } from './config';
import { auditRoutes } from './http/audit';
import { ordersRoutes } from './http/orders';
import type { Deps } from './http/deps';
import { eventsRoutes } from './http/events';
import { internalRoutes } from './http/internal';
import { salesRoutes } from './http/sales';
import { createEventMetrics, registerSaleGauges } from './metrics';
import { startOrdersConsumer, type OrdersConsumer } from './orders/consumer';
import { model } from './store/model';

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
  const deps: Deps = { orm, redis, logger, metrics: eventMetrics };
  registerSaleGauges(metrics, orm);
  const verifier = createVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    redis,
  });

  const kafka = config.ORDERS_CONSUMER_ENABLED ? kafkaStore(config, stores, logger) : undefined;
  const orders = kafka
    ? startOrdersConsumer({
        connection: kafka.connection,
        health: kafka.health,
        groupId: config.ORDERS_CONSUMER_GROUP,
        sessionTimeout: config.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatInterval: config.KAFKA_CONSUMER_HEARTBEAT_MS,
        orm,
        logger,
        metrics: eventMetrics,
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
    routes: (app) => {
      app.use(internalRoutes(deps));
      app.use(authenticate(verifier));
      app.use(salesRoutes(deps));
      app.use(eventsRoutes(deps));
      app.use(auditRoutes(deps));
      app.use(ordersRoutes(deps));
    },
    // The consumer stops first so an in-flight message finishes while its stores are still open.
    closers: [...(orders ? [() => orders.stop()] : []), ...stores.closers],
  });
  if (orders) service.orders = orders;
  return service;
}
