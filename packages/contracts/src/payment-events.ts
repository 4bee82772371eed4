import { z } from 'zod';

/**
 * The contract on the `payment.events` topic between payment (producer, through its outbox) and
 * event (consumer). Keyed by saleId so one sale's events stay in order; W3C trace context travels
 * in the headers; every payload carries its schema version and a unique eventId, and consumers
 * apply each paymentId at most once (delivery is at-least-once).
 */
export const PAYMENT_EVENTS_TOPIC = 'payment.events';
export const PAYMENT_EVENT_SCHEMA_VERSION = 1;

const paymentFacts = z.object({
  paymentId: z.string().min(1),
  orderId: z.string().min(1),
  saleId: z.string().min(1),
  holdId: z.string().min(1),
  userId: z.string().min(1),
  sku: z.string().min(1),
  qty: z.number().int().positive(),
  /** Integer KRW, from the sealed reservation payload, never from the client. */
  amount: z.number().int().nonnegative(),
  currency: z.literal('KRW'),
});

export const paymentEventSchema = z.discriminatedUnion('type', [
  z.object({
    schemaVersion: z.literal(PAYMENT_EVENT_SCHEMA_VERSION),
    eventId: z.string().min(1),
    type: z.literal('payment.confirmed'),
    occurredAt: z.string().datetime(),
    payment: paymentFacts.extend({ confirmedAt: z.string().datetime() }),
  }),
  z.object({
    schemaVersion: z.literal(PAYMENT_EVENT_SCHEMA_VERSION),
    eventId: z.string().min(1),
    type: z.literal('payment.refunded'),
    occurredAt: z.string().datetime(),
    payment: paymentFacts.extend({ refundedAt: z.string().datetime(), refundAmount: z.number().int().nonnegative() }),
  }),
]);

export type PaymentEvent = z.infer<typeof paymentEventSchema>;
