import type { OrderStatus, OrderView } from '@stampede/contracts/api';

export type { OrderStatus };

/** The record of one paid seat (or seats), keyed by the payment that paid for it. */
export interface Order {
  id: string;
  paymentId: string;
  /** The payment service's order id. */
  orderId: string;
  saleId: string;
  holdId: string;
  userId: string;
  sku: string;
  qty: number;
  /** Integer KRW. */
  amount: number;
  status: OrderStatus;
  confirmedAt?: Date | null;
  refundedAt?: Date | null;
  refundAmount?: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An order as shoppers and staff read it (the hold it came from stays internal). */
export const orderView = (o: Order): OrderView => ({
  id: o.id,
  paymentId: o.paymentId,
  orderId: o.orderId,
  saleId: o.saleId,
  userId: o.userId,
  sku: o.sku,
  qty: o.qty,
  amount: o.amount,
  status: o.status,
  confirmedAt: o.confirmedAt ? o.confirmedAt.toISOString() : null,
  refundedAt: o.refundedAt ? o.refundedAt.toISOString() : null,
});
