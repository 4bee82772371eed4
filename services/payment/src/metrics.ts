import { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, type Metrics } from '@stampede/chassis/metrics';
import type { PaymentStatus } from './domain/payment';

export interface PaymentMetrics {
  payments: Counter<'status'>;
  pspDuration: Histogram<'operation' | 'outcome'>;
  published: Counter<'type'>;
  relayFailures: Counter;
  voidFailures: Counter;
  retentionDeleted: Counter<'table'>;
  paymentStatus(status: PaymentStatus): void;
}

/**
 * Business metrics of the payment service. The outbox gauges are read from PostgreSQL at scrape
 * time, so every replica reports the shared backlog (aggregate with max, not sum).
 */
export function paymentMetrics(metrics: Metrics, backlog: () => Promise<{ count: number; oldestAgeSeconds: number }>): PaymentMetrics {
  const registers = [metrics.registry];
  const payments = new Counter({
    name: 'stampede_payment_payments_total',
    help: 'Payments that reached a status, by status',
    labelNames: ['status'] as const,
    registers,
  });
  // The published name stays (dashboards and alerts query it): its "pg" is the payment gateway.
  const pspDuration = new Histogram({
    name: 'stampede_payment_pg_request_duration_seconds',
    help: 'Payment gateway call latency, by operation (confirm, cancel, billing_key) and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [...LATENCY_BUCKETS, 10],
    registers,
  });
  const published = new Counter({
    name: 'stampede_payment_outbox_published_total',
    help: 'Outbox events published to Kafka, by event type',
    labelNames: ['type'] as const,
    registers,
  });
  const relayFailures = new Counter({ name: 'stampede_payment_outbox_relay_failures_total', help: 'Outbox relay rounds that failed to publish', registers });
  const voidFailures = new Counter({
    name: 'stampede_payment_void_failures_total',
    help: 'Charges that lost the race to hold expiry and could not be cancelled at the gateway (needs an operator)',
    registers,
  });

  const retentionDeleted = new Counter({
    name: 'stampede_payment_retention_deleted_total',
    help: 'Rows deleted past their retention, by table (idempotency_keys, outbox)',
    labelNames: ['table'] as const,
    registers,
  });

  let pending: Promise<{ count: number; oldestAgeSeconds: number }> | undefined;
  const read = () => {
    // One query per scrape serves both gauges.
    pending ??= backlog().finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  new Gauge({
    name: 'stampede_payment_outbox_backlog',
    help: 'Outbox events not yet published to Kafka',
    registers,
    async collect() {
      this.set((await read().catch(() => ({ count: -1 }))).count);
    },
  });
  new Gauge({
    name: 'stampede_payment_outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when none)',
    registers,
    async collect() {
      this.set((await read().catch(() => ({ oldestAgeSeconds: -1 }))).oldestAgeSeconds);
    },
  });

  return { payments, pspDuration, published, relayFailures, voidFailures, retentionDeleted, paymentStatus: (status) => payments.inc({ status }) };
}
