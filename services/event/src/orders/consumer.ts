import type { MikroORM } from '@mikro-orm/postgresql';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka, startConsumer } from '@stampede/chassis/clients/kafka';
import { paymentEventSchema, PAYMENT_EVENTS_TOPIC, type PaymentEvent } from '@stampede/contracts';
import type { Registry } from 'prom-client';
import type { EventMetrics } from '../metrics';
import { applyConfirmed, applyRefunded } from '../store/orders';

export interface OrdersConsumerOptions {
  brokers: string[];
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
 * Consumes payment.events in the background. Kafka is deliberately not a readiness dependency: the
 * HTTP API works without it, and the consumer keeps retrying until the brokers answer.
 */
export function startOrdersConsumer(o: OrdersConsumerOptions): OrdersConsumer {
  let consumer: Consumer | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const kafka = createKafka({ brokers: o.brokers, clientId: 'event', logger: o.logger });

  const started = (async () => {
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
        });
        if (stopped) return void (await c.disconnect());
        consumer = c;
        o.logger.info({ groupId: o.groupId, topic: PAYMENT_EVENTS_TOPIC }, 'payment events consumer running');
        return;
      } catch (err) {
        o.logger.warn({ err, attempt }, 'payment events consumer could not start; retrying');
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, Math.min(500 * attempt, 10_000)).unref();
        });
      }
    }
  })();

  return {
    started,
    async stop() {
      stopped = true;
      wake?.();
      // A connect still retrying against unreachable brokers is not waited for: shutdown stays
      // bounded, and a connect that succeeds after this point disconnects itself (see above).
      await Promise.race([started, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await consumer?.disconnect();
    },
  };
}
