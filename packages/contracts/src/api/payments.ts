import { z } from 'zod';
import { instant, krw, reservationToken } from './common';

/**
 * The life of a payment: PENDING → CHARGING → CONFIRMED → REFUNDING → REFUNDED, or FAILED
 * (declined; the user may retry while the hold lasts), or VOIDED (charged after the hold expired,
 * and the charge cancelled).
 */
export const PAYMENT_STATUSES = ['PENDING', 'CHARGING', 'FAILED', 'CONFIRMED', 'VOIDED', 'REFUNDING', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

// Requests

/** Toss payment keys are at most 200 characters of [A-Za-z0-9_-]. */
const paymentKey = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a payment key');

export const prepareBody = z.object({ reservationToken }).strict();

export const confirmBody = z
  .object({
    reservationToken,
    paymentKey,
    /** Integer KRW; compared with the reservation, never used to charge. */
    amount: z.number().int().nonnegative().max(1_000_000_000),
  })
  .strict();

export const refundBody = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();

export const paymentIdParams = z.object({ id: z.uuid() });

/**
 * A payment provider's notification (Toss style). Only read once its signature over the raw body
 * holds; `data` carries more than the order and status, which are the fields acted on.
 */
export const webhookDelivery = z.object({
  eventType: z.string().min(1).max(64),
  createdAt: z.string().max(64).optional(),
  data: z.looseObject({ orderId: z.string().min(1).max(64), status: z.string().min(1).max(32) }),
});

// Responses

/** What the payment widget needs, all from the sealed reservation (never the client's figures). */
export const prepareResult = z.strictObject({
  paymentId: z.uuid(),
  orderId: z.string(),
  amount: krw,
  orderName: z.string().max(100),
  customerKey: z.string(),
  expiresAt: instant,
}).meta({ id: 'PreparedPayment' });
export type PrepareResult = z.infer<typeof prepareResult>;

/** The answer for a paid hold, from the stored payment only: every repeat of a confirm gets the same. */
export const confirmResult = z.strictObject({
  paymentId: z.uuid(),
  orderId: z.string(),
  status: z.enum(['CONFIRMED', 'REFUNDING', 'REFUNDED']),
  saleId: z.string(),
  sku: z.string(),
  qty: z.number().int().positive(),
  amount: krw,
  currency: z.literal('KRW'),
  confirmedAt: instant,
}).meta({ id: 'ConfirmedPayment' });
export type ConfirmResult = z.infer<typeof confirmResult>;

/** The provider's own status, under its published name `pgStatus`; null until it reports one. */
const pgStatus = z.string().nullable();

/** GET /payments/:id: the confirm answer once paid, the order otherwise, with the current status. */
export const paymentView = z.union([
  confirmResult.extend({ status: z.enum(PAYMENT_STATUSES), pgStatus }),
  z.strictObject({ paymentId: z.uuid(), orderId: z.string(), amount: krw, status: z.enum(PAYMENT_STATUSES), pgStatus }),
]).meta({ id: 'Payment' });
export type PaymentView = z.infer<typeof paymentView>;

export const refundResult = z.strictObject({
  paymentId: z.uuid(),
  status: z.literal('REFUNDED'),
  refundAmount: krw,
  refundedAt: instant,
  /** Whether the seat went back on sale (the sale's refund policy). */
  stockReturned: z.boolean(),
}).meta({ id: 'Refund' });
export type RefundResult = z.infer<typeof refundResult>;

export const webhookResult = z.strictObject({
  received: z.literal(true),
  /** This delivery id was seen before: nothing changed. */
  duplicate: z.boolean(),
  /** The payment's provider status changed. */
  changed: z.boolean(),
}).meta({ id: 'WebhookReceipt' });
export type WebhookResult = z.infer<typeof webhookResult>;
