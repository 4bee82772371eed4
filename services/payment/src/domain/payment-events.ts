import { PAYMENT_EVENT_SCHEMA_VERSION, PAYMENT_EVENTS_TOPIC, paymentEventSchema, type PaymentEvent } from '@stampede/contracts';
import type { Payment } from './payment';

/** A message waiting in the outbox: written with the change that caused it, relayed to Kafka later. */
export interface OutboxMessage {
  eventId: string;
  topic: string;
  key: string;
  payload: PaymentEvent;
  /** W3C trace context of the request that caused the event. */
  headers: Record<string, string>;
}

const factsOf = (p: Payment) => ({
  paymentId: p.id,
  orderId: p.orderId,
  saleId: p.saleId,
  holdId: p.holdId,
  userId: p.userId,
  sku: p.sku,
  qty: p.qty,
  amount: p.amount,
  currency: 'KRW' as const,
});

/**
 * Validated against the shared contract before it is written, so a bad event never leaves. Keyed
 * by sale, so one sale's events stay in order.
 */
function message(event: PaymentEvent, saleId: string, headers: Record<string, string>): OutboxMessage {
  const payload = paymentEventSchema.parse(event);
  return { eventId: payload.eventId, topic: PAYMENT_EVENTS_TOPIC, key: saleId, payload, headers };
}

export function confirmedEvent(eventId: string, p: Payment, confirmedAt: Date, headers: Record<string, string>): OutboxMessage {
  const at = confirmedAt.toISOString();
  return message(
    { schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, eventId, type: 'payment.confirmed', occurredAt: at, payment: { ...factsOf(p), confirmedAt: at } },
    p.saleId,
    headers,
  );
}

export function refundedEvent(eventId: string, p: Payment, refundedAt: Date, refundAmount: number, headers: Record<string, string>): OutboxMessage {
  const at = refundedAt.toISOString();
  return message(
    { schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, eventId, type: 'payment.refunded', occurredAt: at, payment: { ...factsOf(p), refundedAt: at, refundAmount } },
    p.saleId,
    headers,
  );
}
