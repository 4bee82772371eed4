import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { KafkaHealth } from '@stampede/chassis/clients/kafka-health';
import type { Logger } from 'pino';
import type { PaymentMetrics } from '../metrics';
import type { OutboxRecord } from '../store/model';
import { lockUnsent, markSent, recordRelayFailure } from '../store/outbox';

export interface RelayOptions {
  orm: MikroORM;
  kafka: Kafka;
  /** Told about every connect, so a wrong credential shows on /readyz. */
  health?: KafkaHealth;
  logger: Logger;
  metrics: PaymentMetrics;
  pollMs: number;
  batchSize: number;
  /** Upper bound for one publish, so a frozen broker cannot hold row locks for long. */
  sendTimeoutMs?: number;
}

/**
 * Publishes outbox rows to Kafka from every replica: each round claims rows with
 * FOR UPDATE SKIP LOCKED, so replicas share the backlog without sending a row twice in the normal
 * case. Delivery is at-least-once (a publish that times out may still land): consumers dedupe by
 * eventId / paymentId. While Kafka is unreachable rows simply wait; confirms are not affected.
 * The producer is idempotent with acks=all: a retried send after a broker failover is written
 * once, and an acknowledged event is on min.insync.replicas brokers.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private producer: Producer | undefined;
  private connected = false;

  constructor(private readonly o: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    // A round publishing rows finishes (its rows are then marked sent); a connect still retrying
    // against unreachable brokers is not waited for, so shutdown stays bounded.
    await Promise.race([this.loop, sleep(this.connected ? 20_000 : 2_000, undefined, { ref: false })]);
    await this.producer?.disconnect().catch(() => undefined);
  }

  /**
   * One round, for tests and for draining: how many rows were published. The rows stay locked
   * while they are published and are marked sent in the same transaction; if publishing throws,
   * the transaction rolls back and the rows wait for the next round.
   */
  async tick(): Promise<number> {
    return transaction(this.o.orm, async (em) => {
      const rows = await lockUnsent(em, this.o.batchSize);
      if (rows.length === 0) return 0;
      await this.publish(rows);
      await markSent(em, rows.map((r) => r.id));
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let backoff = this.o.pollMs;
    while (this.running) {
      try {
        // Connected before there is anything to send, so a credential problem shows at start-up.
        await this.connect();
        const sent = await this.tick();
        backoff = this.o.pollMs;
        if (sent > 0) continue; // more may be waiting
      } catch (e) {
        this.o.metrics.relayFailures.inc();
        this.o.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'outbox relay round failed; rows stay queued');
        await recordRelayFailure(reader(this.o.orm), e instanceof Error ? e.message : String(e)).catch(() => undefined);
        backoff = Math.min(backoff * 2, 5_000);
      }
      await sleep(backoff);
    }
  }

  private async publish(rows: OutboxRecord[]): Promise<void> {
    // Each event is sent inside the trace context of the request that caused it, so the producer
    // span (and the consumer after it) continue that request's trace. Events of one key go in
    // order; different keys go in parallel.
    const byKey = new Map<string, OutboxRecord[]>();
    for (const r of rows) byKey.set(r.msgKey, [...(byKey.get(r.msgKey) ?? []), r]);
    const send = (async () => {
      const producer = await this.connect();
      await Promise.all(
        [...byKey.values()].map(async (list) => {
          for (const r of list) {
            const parent = propagation.extract(ROOT_CONTEXT, r.headers ?? {});
            await context.with(parent, () =>
              producer.send({
                topic: r.topic,
                acks: -1,
                messages: [{ key: r.msgKey, value: JSON.stringify(r.payload), headers: { ...r.headers, 'event-id': r.eventId } }],
              }),
            );
          }
        }),
      );
    })();
    const deadline = AbortSignal.timeout(this.o.sendTimeoutMs ?? 15_000);
    const timedOut = new Promise<never>((_, reject) => {
      deadline.addEventListener('abort', () => reject(new Error('kafka publish timed out')), { once: true });
    });
    try {
      await Promise.race([send, timedOut]);
    } catch (e) {
      send.catch(() => undefined);
      // A fresh connection next round: the old one may be wedged on a frozen broker.
      const stale = this.producer;
      this.producer = undefined;
      this.connected = false;
      void stale?.disconnect().catch(() => undefined);
      throw e;
    }
    for (const r of rows) this.o.metrics.published.inc({ type: String((r.payload as { type?: unknown }).type ?? 'unknown') });
  }

  private async connect(): Promise<Producer> {
    // One request in flight per broker keeps the idempotent producer's sequence numbers in order.
    // It retries a send without limit (the broker drops a retried batch it already has); the
    // round's own timeout bounds how long a send may take.
    this.producer ??= this.o.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    if (!this.connected) {
      try {
        await this.producer.connect();
      } catch (e) {
        this.o.health?.failed('outbox-producer', e);
        // A producer whose connect failed is not reused: its half-open state would linger.
        const failed = this.producer;
        this.producer = undefined;
        void failed.disconnect().catch(() => undefined);
        throw e;
      }
      this.connected = true;
      this.o.health?.succeeded('outbox-producer');
    }
    return this.producer;
  }
}
