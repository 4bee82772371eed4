import { context, propagation } from '@opentelemetry/api';
import {
  Kafka,
  logLevel,
  type SASLOptions,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
} from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config';
import { stopIdleRequestQueueTimers } from './kafkajs-idle-timer';

/** Where the brokers are and how to reach them: TLS and SASL as the configuration asks. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

export interface KafkaOptions extends KafkaConnection {
  clientId: string;
  logger?: Logger;
}

/** The connection a service's KAFKA_* variables describe (already validated by the config). */
export function kafkaConnection(c: KafkaConfig): KafkaConnection {
  const out: KafkaConnection = { brokers: c.KAFKA_BROKERS };
  if (c.KAFKA_SSL) out.ssl = c.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(c.KAFKA_SSL_CA_FILE, 'utf8')] } : true;
  if (c.KAFKA_SASL_MECHANISM && c.KAFKA_SASL_USERNAME && c.KAFKA_SASL_PASSWORD) {
    out.sasl = { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME, password: c.KAFKA_SASL_PASSWORD } as SASLOptions;
  }
  return out;
}

export function createKafka({ brokers, clientId, logger, ssl, sasl }: KafkaOptions): Kafka {
  stopIdleRequestQueueTimers();
  return new Kafka({
    clientId,
    brokers,
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const fields = { namespace, kafka: extra };
      if (!logger) return;
      if (level <= logLevel.ERROR) logger.error(fields, message);
      else logger.warn(fields, message);
    },
  });
}

/** W3C trace context of the active span, as Kafka headers. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Headers as plain strings (kafkajs gives Buffers). */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return out;
}

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  handle: (payload: EachMessagePayload) => Promise<void>;
  /** Short timeouts keep rebalances quick; production values come from configuration. */
  sessionTimeout?: number;
  heartbeatInterval?: number;
  /** Where to export `stampede_kafka_consumer_lag` (messages behind the high watermark). */
  registry?: Registry;
  /** Each time the consumer has joined its group. */
  onJoin?: () => void;
  /**
   * When kafkajs gives up on the consumer after an error it does not retry (a refused credential
   * or setting): the consumer has stopped and the caller decides what happens next.
   */
  onCrash?: (error: Error, consumer: Consumer) => void;
}

const lagGauges = new WeakMap<Registry, Gauge<'group' | 'topic' | 'partition'>>();

function lagGauge(registry: Registry): Gauge<'group' | 'topic' | 'partition'> {
  let g = lagGauges.get(registry);
  if (!g) {
    g = new Gauge({
      name: 'stampede_kafka_consumer_lag',
      help: 'Messages between a consumer group\'s position and the partition\'s high watermark, after each batch',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    });
    lagGauges.set(registry, g);
  }
  return g;
}

/**
 * Runs a consumer whose handler is called inside the producer's trace context. A handler that
 * throws makes kafkajs retry the message: handlers must be idempotent (at-least-once delivery).
 */
export async function startConsumer(opts: ConsumerOptions): Promise<Consumer> {
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeout ?? 10_000,
    heartbeatInterval: opts.heartbeatInterval ?? 1_000,
    // Topics come from the declared list only; a consumer never creates one by subscribing.
    allowAutoTopicCreation: false,
  });
  if (opts.onJoin) consumer.on(consumer.events.GROUP_JOIN, () => opts.onJoin?.());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) opts.onCrash?.(payload.error, consumer);
  });
  if (opts.registry) {
    const lag = lagGauge(opts.registry);
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      lag.set({ group: opts.groupId, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
    });
  }
  await consumer.connect();
  for (const topic of opts.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      const parent = propagation.extract(context.active(), headersToStrings(payload.message.headers));
      await context.with(parent, () => opts.handle(payload));
    },
  });
  return consumer;
}
