import type { ConfirmResult, PaymentStatus, PaymentView } from '@stampede/contracts/api';
import type { ReservationPayload } from '@stampede/ledger';

/**
 * The life of a payment. A hold has at most one payment (unique hold id), so every confirm of
 * the same reservation meets the same row, and a conditional status change decides who charges.
 *
 *   PENDING ──claim──▶ CHARGING ──charged + seat sold──▶ CONFIRMED ──▶ REFUNDING ──▶ REFUNDED
 *      ▲                  │  └──charged, hold expired──▶ VOIDED (charge cancelled)
 *      └──── FAILED ◀─────┘ declined (the user may retry while the hold lasts)
 *
 * How one confirm walks this diagram is in confirm-steps.ts.
 */
export type { ConfirmResult, PaymentStatus };

/** Statuses of a hold that was paid: a confirm of it answers with the stored payment. */
const PAID: readonly PaymentStatus[] = ['CONFIRMED', 'REFUNDING', 'REFUNDED'];
export const isPaid = (status: PaymentStatus): boolean => PAID.includes(status);

/** One payment per hold. Amounts are integer KRW from the sealed reservation. */
export interface Payment {
  id: string;
  orderId: string;
  holdId: string;
  saleId: string;
  userId: string;
  sku: string;
  qty: number;
  amount: number;
  status: PaymentStatus;
  /** Which payment service provider charged it (sandbox, toss). */
  pspProvider: string;
  /** The provider's handle of the charge, needed to cancel it; never logged. */
  paymentKey: string | null;
  /** The provider's own view of the payment, as its webhooks last reported it. */
  pspStatus: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  attempts: number;
  claimedAt: Date | null;
  approvedAt: Date | null;
  confirmedAt: Date | null;
  voidedAt: Date | null;
  refundedAt: Date | null;
  refundAmount: number | null;
  stockReturned: boolean | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed reservation, as the entry service wrote it (never the client's figures). */
export type Reservation = ReservationPayload;

export const amountOf = (r: Pick<Reservation, 'unitPrice' | 'qty'>): number => r.unitPrice * r.qty;

/** One order per hold, so preparing twice hands the widget the same order id. */
export const orderIdFor = (holdId: string): string => `ord_${holdId}`;

export const orderNameFor = (productName: string, qty: number): string =>
  (qty > 1 ? `${productName} × ${qty}` : productName).slice(0, 100);

/** The answer for a paid hold, from the stored row only: every repeat of a confirm gets the same. */
export const confirmResult = (p: Payment): ConfirmResult => ({
  paymentId: p.id,
  orderId: p.orderId,
  status: p.status as ConfirmResult['status'],
  saleId: p.saleId,
  sku: p.sku,
  qty: p.qty,
  amount: p.amount,
  currency: 'KRW',
  confirmedAt: (p.confirmedAt as Date).toISOString(),
});

/**
 * GET /payments/:id: the confirm answer once paid, the order otherwise, and the provider's status
 * under its published field name `pgStatus` ("payment gateway"), which clients already read.
 */
export const paymentView = (p: Payment): PaymentView => ({
  ...(p.confirmedAt ? confirmResult(p) : { paymentId: p.id, orderId: p.orderId, amount: p.amount }),
  status: p.status,
  pgStatus: p.pspStatus,
});
