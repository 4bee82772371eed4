import type { ReservationPayload } from '@stampede/ledger';

/**
 * The life of a payment. A hold has at most one payment (unique hold id), so every confirm of
 * the same reservation meets the same row, and a conditional status change decides who charges.
 *
 *   PENDING ──claim──▶ CHARGING ──charged + seat sold──▶ CONFIRMED ──▶ REFUNDING ──▶ REFUNDED
 *      ▲                  │  └──charged, hold expired──▶ VOIDED (charge cancelled)
 *      └──── FAILED ◀─────┘ declined (the user may retry while the hold lasts)
 */
export const PAYMENT_STATUSES = ['PENDING', 'CHARGING', 'FAILED', 'CONFIRMED', 'VOIDED', 'REFUNDING', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** States a confirm may start charging from. */
export const CHARGEABLE: readonly PaymentStatus[] = ['PENDING', 'FAILED'];

/** The sealed reservation, as the entry service wrote it (never the client's figures). */
export type Reservation = ReservationPayload;

export const amountOf = (r: Pick<Reservation, 'unitPrice' | 'qty'>): number => r.unitPrice * r.qty;

/** One order per hold, so preparing twice hands the widget the same order id. */
export const orderIdFor = (holdId: string): string => `ord_${holdId}`;

export const orderNameFor = (productName: string, qty: number): string =>
  (qty > 1 ? `${productName} × ${qty}` : productName).slice(0, 100);
