import type { Consumer, EachMessagePayload } from 'kafkajs';
import pRetry from 'p-retry';
import type { Registry } from 'prom-client';
import { createKafka, startConsumer } from '@stampede/chassis/clients/kafka';
import { paymentEventSchema, PAYMENT_EVENTS_TOPIC, type PaymentEvent } from '@stampede/contracts';
import type { Deps } from '../deps';
import { applyPaymentEvent } from '../use-cases/orders';

export interface OrdersConsumerOptions {
  brokers: string[];
  groupId: string;
  sessionTimeout: number;
  heartbeatInterval: number;
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

/** Handles one message; throwing makes kafkajs redeliver it, which the use case tolerates. */
function paymentEventHandler(d: Deps) {
  return async (payload: EachMessagePayload): Promise<void> => {
    const origin = { topic: payload.topic, partition: payload.partition, offset: payload.message.offset };
    const event = decode(payload);
    if (!event) {
      // A message that can never be applied must not block its partition: report and move on.
      d.metrics.paymentEvents.inc({ type: 'unknown', outcome: 'invalid' });
      d.logger.error(origin, 'payment event is not valid JSON of the payment.events schema; skipped');
      return;
    }
    await applyPaymentEvent(d, origin, event);
  };
}

/**
 * Consumes payment.events in the background. Kafka is deliberately not a readiness dependency: the
 * HTTP API works without it, and the consumer keeps retrying until the brokers answer.
 */
export function startOrdersConsumer(d: Deps, o: OrdersConsumerOptions): OrdersConsumer {
  let consumer: Consumer | undefined;
  const stopping = new AbortController();
  const kafka = createKafka({ brokers: o.brokers, clientId: 'event', logger: d.logger });

  const join = async () => {
    const c = await startConsumer({
      kafka,
      groupId: o.groupId,
      topics: [PAYMENT_EVENTS_TOPIC],
      logger: d.logger,
      sessionTimeout: o.sessionTimeout,
      heartbeatInterval: o.heartbeatInterval,
      handle: paymentEventHandler(d),
      registry: o.registry,
    });
    // Joined while the service was stopping: leave at once, nobody will disconnect it later.
    if (stopping.signal.aborted) return void (await c.disconnect());
    consumer = c;
    d.logger.info({ groupId: o.groupId, topic: PAYMENT_EVENTS_TOPIC }, 'payment events consumer running');
  };

  // Every 0.5 s, 1 s, 2 s … at most 10 s apart for as long as the brokers do not answer; a stop
  // cancels the wait at once.
  const started = pRetry(join, {
    retries: Infinity,
    minTimeout: 500,
    maxTimeout: 10_000,
    signal: stopping.signal,
    unref: true,
    onFailedAttempt: ({ error, attemptNumber }) => d.logger.warn({ err: error, attempt: attemptNumber }, 'payment events consumer could not start; retrying'),
  }).catch((err: unknown) => {
    // Only a stop or a programming error (p-retry does not retry a TypeError) ends the retries.
    if (!stopping.signal.aborted) d.logger.error({ err }, 'payment events consumer gave up starting; payments are not recorded as orders');
  });

  return {
    started,
    async stop() {
      stopping.abort();
      // A connect still retrying against unreachable brokers is not waited for: shutdown stays
      // bounded, and a connect that succeeds after this point disconnects itself (see above).
      await Promise.race([started, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await consumer?.disconnect();
    },
  };
}
