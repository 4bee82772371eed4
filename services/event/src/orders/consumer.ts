import {
  createKafka,
  paymentEventSchema,
  type KafkaConnection,
  type KafkaHealth,
  PAYMENT_EVENTS_TOPIC,
  startConsumer,
  type Consumer,
  type EachMessagePayload,
  type Logger,
  type MikroORM,
  type PaymentEvent,
} from '@stampede/chassis';
import type { Registry } from 'prom-client';
import type { EventMetrics } from '../metrics';
import { applyConfirmed, applyRefunded } from '../store/orders';

export interface OrdersConsumerOptions {
  connection: KafkaConnection;
  /** Told about every connect, so a wrong credential shows on /readyz. */
  health?: KafkaHealth;
  groupId: string;
  sessionTimeout: number;
  heartbeatInterval: number;
  orm: MikroORM;
  logger: Logger;
  metrics: EventMetrics;
  registry?: Registry;
}

export interface OrdersConsumer {
  /** Resolves once the consumer has joined its group (for tests; the service never waits). */
  started: Promise<void>;
  stop(): Promise<void>;
}

function decode(payload: EachMessagePayload): PaymentEvent | undefined {
  const raw = payload.message.value?.toString('utf8');
  if (!raw) return undefined;
  try {
    const parsed = paymentEventSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Handles one message; throwing makes kafkajs redeliver it, which the handlers tolerate. */
export function paymentEventHandler(o: Pick<OrdersConsumerOptions, 'orm' | 'logger' | 'metrics'>) {
  return async (payload: EachMessagePayload): Promise<void> => {
    const where = { topic: payload.topic, partition: payload.partition, offset: payload.message.offset };
    const event = decode(payload);
    if (!event) {
      // A message that can never be applied must not block its partition: report and move on.
      o.metrics.paymentEvents.inc({ type: 'unknown', outcome: 'invalid' });
      o.logger.error(where, 'payment event is not valid JSON of the payment.events schema; skipped');
      return;
    }
    const p = event.payment;
    const ids = { ...where, eventId: event.eventId, paymentId: p.paymentId, saleId: p.saleId, qty: p.qty };
    if (event.type === 'payment.confirmed') {
      const result = await applyConfirmed(o.orm, event.payment);
      o.metrics.paymentEvents.inc({ type: event.type, outcome: result.outcome });
      if (result.outcome === 'rejected') {
        o.metrics.ordersRejected.inc({ reason: result.reason });
        o.logger.error(
          { ...ids, reason: result.reason, sold: result.sold, stock: result.stock },
          'confirmed payment rejected by the PostgreSQL stock guard: order not recorded',
        );
      } else {
        o.logger.info({ ...ids, outcome: result.outcome }, 'payment confirmed');
      }
    } else {
      const result = await applyRefunded(o.orm, event.payment);
      o.metrics.paymentEvents.inc({ type: event.type, outcome: result.outcome });
      o.logger.info({ ...ids, outcome: result.outcome }, 'payment refunded');
    }
  };
}

/**
 * Consumes payment.events in the background. An unreachable Kafka is deliberately not a readiness
 * failure: the HTTP API works without it, and the consumer keeps retrying until the brokers
 * answer. A refused credential is (through `health`), and is retried all the same.
 */
export function startOrdersConsumer(o: OrdersConsumerOptions): OrdersConsumer {
  let consumer: Consumer | undefined;
  let stopped = false;
  let crashes = 0;
  let wake: (() => void) | undefined;
  const kafka = createKafka({ ...o.connection, clientId: 'event', logger: o.logger });
  const pause = (ms: number) =>
    new Promise<void>((r) => {
      wake = r;
      setTimeout(r, ms).unref();
    });
  const crashed = new WeakSet<Consumer>();

  // kafkajs does not restart a consumer after an error it does not retry (a refused credential,
  // a setting the broker rejects): without this the service would go on serving with no consumer.
  const onCrash = (err: Error, c: Consumer) => {
    crashed.add(c);
    if (consumer === c) consumer = undefined;
    o.health?.failed('orders-consumer', err);
    o.logger.error({ err: err.message }, 'payment events consumer stopped after an error; starting it again');
    void c
      .disconnect()
      .catch(() => undefined)
      .then(() => pause(Math.min(1_000 * ++crashes, 10_000)))
      .then(() => {
        if (!stopped) current = run();
      });
  };

  /** Starts the consumer, retrying until it runs. */
  const run = async (): Promise<void> => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const c = await startConsumer({
          kafka,
          groupId: o.groupId,
          topics: [PAYMENT_EVENTS_TOPIC],
          logger: o.logger,
          sessionTimeout: o.sessionTimeout,
          heartbeatInterval: o.heartbeatInterval,
          handle: paymentEventHandler(o),
          registry: o.registry,
          onJoin: () => {
            crashes = 0;
            o.health?.succeeded('orders-consumer');
          },
          onCrash,
        });
        if (stopped) return void (await c.disconnect());
        if (crashed.has(c)) return; // it stopped while joining; onCrash starts the next one
        consumer = c;
        o.logger.info({ groupId: o.groupId, topic: PAYMENT_EVENTS_TOPIC }, 'payment events consumer running');
        return;
      } catch (err) {
        o.health?.failed('orders-consumer', err);
        o.logger.warn({ err, attempt }, 'payment events consumer could not start; retrying');
        await pause(Math.min(500 * attempt, 10_000));
      }
    }
  };
  let current = run();

  return {
    started: current,
    async stop() {
      stopped = true;
      wake?.();
      // A connect still retrying against unreachable brokers is not waited for: shutdown stays
      // bounded, and a connect that succeeds after this point disconnects itself (see above).
      await Promise.race([current, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await consumer?.disconnect();
    },
  };
}
