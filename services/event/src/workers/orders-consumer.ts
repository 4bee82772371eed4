import type { Consumer, EachMessagePayload } from 'kafkajs';
import pRetry from 'p-retry';
import type { Registry } from 'prom-client';
import { createKafka, startConsumer, type KafkaConnection } from '@stampede/chassis/clients/kafka';
import type { KafkaHealth } from '@stampede/chassis/clients/kafka-health';
import { paymentEventSchema, PAYMENT_EVENTS_TOPIC, type PaymentEvent } from '@stampede/contracts';
import type { Deps } from '../deps';
import { applyPaymentEvent } from '../use-cases/orders';

export interface OrdersConsumerOptions {
  connection: KafkaConnection;
  /** Told about every connect, so a wrong credential shows on /readyz. */
  health?: KafkaHealth;
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
 * Consumes payment.events in the background. An unreachable Kafka is deliberately not a readiness
 * failure: the HTTP API works without it, and the consumer keeps retrying until the brokers
 * answer. A refused credential is (through `health`), and is retried all the same.
 */
export function startOrdersConsumer(d: Deps, o: OrdersConsumerOptions): OrdersConsumer {
  let consumer: Consumer | undefined;
  let crashes = 0;
  const stopping = new AbortController();
  const crashed = new WeakSet<Consumer>();
  const kafka = createKafka({ ...o.connection, clientId: 'event', logger: d.logger });

  // kafkajs does not restart a consumer after an error it does not retry (a refused credential,
  // a setting the broker rejects): without this the service would go on serving with no consumer.
  const onCrash = (err: Error, c: Consumer) => {
    crashed.add(c);
    if (consumer === c) consumer = undefined;
    o.health?.failed('orders-consumer', err);
    d.logger.error({ err: err.message }, 'payment events consumer stopped after an error; starting it again');
    void c
      .disconnect()
      .catch(() => undefined)
      .then(() => new Promise((r) => setTimeout(r, Math.min(1_000 * ++crashes, 10_000)).unref()))
      .then(() => {
        if (!stopping.signal.aborted) current = run();
      });
  };

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
      onJoin: () => {
        crashes = 0;
        o.health?.succeeded('orders-consumer');
      },
      onCrash,
    });
    // Joined while the service was stopping: leave at once, nobody will disconnect it later.
    if (stopping.signal.aborted) return void (await c.disconnect());
    if (crashed.has(c)) return; // it stopped while joining; onCrash starts the next one
    consumer = c;
    d.logger.info({ groupId: o.groupId, topic: PAYMENT_EVENTS_TOPIC }, 'payment events consumer running');
  };

  // Every 0.5 s, 1 s, 2 s … at most 10 s apart for as long as the brokers do not answer; a stop
  // cancels the wait at once.
  const run = () =>
    pRetry(join, {
      retries: Infinity,
      minTimeout: 500,
      maxTimeout: 10_000,
      signal: stopping.signal,
      unref: true,
      onFailedAttempt: ({ error, attemptNumber }) => {
        o.health?.failed('orders-consumer', error);
        d.logger.warn({ err: error, attempt: attemptNumber }, 'payment events consumer could not start; retrying');
      },
    }).catch((err: unknown) => {
      // Only a stop or a programming error (p-retry does not retry a TypeError) ends the retries.
      if (!stopping.signal.aborted) d.logger.error({ err }, 'payment events consumer gave up starting; payments are not recorded as orders');
    });
  let current = run();

  return {
    started: current,
    async stop() {
      stopping.abort();
      // A connect still retrying against unreachable brokers is not waited for: shutdown stays
      // bounded, and a connect that succeeds after this point disconnects itself (see above).
      await Promise.race([current, new Promise((r) => setTimeout(r, 2_000).unref())]);
      await consumer?.disconnect();
    },
  };
}
