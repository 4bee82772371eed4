import { randomUUID } from 'node:crypto';
import { PAYMENT_EVENT_SCHEMA_VERSION, PAYMENT_EVENTS_TOPIC, paymentEventSchema, type PaymentEvent } from '@stampede/contracts';
import type { Payment } from './store/model';
import type { OutboxMessage } from './store/outbox';

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

/** Validated against the shared contract before it is written, so a bad event never leaves. */
function message(event: PaymentEvent, saleId: string, headers: Record<string, string>): OutboxMessage {
  const payload = paymentEventSchema.parse(event);
  return { eventId: payload.eventId, topic: PAYMENT_EVENTS_TOPIC, key: saleId, payload, headers };
}

export function confirmedEvent(p: Payment, confirmedAt: Date, headers: Record<string, string>): OutboxMessage {
  const at = confirmedAt.toISOString();
  return message(
    { schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, eventId: randomUUID(), type: 'payment.confirmed', occurredAt: at, payment: { ...factsOf(p), confirmedAt: at } },
    p.saleId,
    headers,
  );
}

export function refundedEvent(p: Payment, refundedAt: Date, refundAmount: number, headers: Record<string, string>): OutboxMessage {
  const at = refundedAt.toISOString();
  return message(
    {
      schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
      eventId: randomUUID(),
      type: 'payment.refunded',
      occurredAt: at,
      payment: { ...factsOf(p), refundedAt: at, refundAmount },
    },
    p.saleId,
    headers,
  );
}
