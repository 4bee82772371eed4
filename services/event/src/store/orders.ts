import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { PaymentEvent } from '@stampede/contracts';
import type { Order, OrderStatus } from '../domain/orders';
import type { Page } from '../domain/paging';
import { OrderEntity } from './entities';

export type Confirmed = Extract<PaymentEvent, { type: 'payment.confirmed' }>['payment'];
export type Refunded = Extract<PaymentEvent, { type: 'payment.refunded' }>['payment'];

type RejectReason = 'stock_guard' | 'unknown_sale';

export type Rejection = { outcome: 'rejected'; reason: RejectReason; sold?: number; stock?: number };

export type ConfirmOutcome = { outcome: 'recorded'; sold: number; stock: number } | { outcome: 'duplicate' } | Rejection;

export type RefundOutcome = { outcome: 'cancelled'; qty: number } | { outcome: 'tombstoned' } | { outcome: 'duplicate' };

/**
 * Thrown by `applyConfirmed` so that the transaction it runs in rolls back the order it inserted;
 * the caller catches it outside the transaction and reports `result`.
 */
export class OrderRefused extends Error {
  constructor(readonly result: Rejection) {
    super(result.reason);
  }
}

const ORDER_COLUMNS =
  'id, payment_id, order_id, sale_id, hold_id, user_id, sku, qty, amount, status, confirmed_at, refunded_at, refund_amount';

/**
 * Records a paid order once per paymentId; run it in a transaction of its own. PostgreSQL is the
 * final arbiter of stock: the insert and a conditional `sold + qty <= stock` update share that
 * transaction, so a confirmation beyond S (say, after Redis lost a write in a failover) throws
 * `OrderRefused`, which rolls the insert back. A redelivered confirmation meets the unique
 * payment_id and changes nothing; one that arrives after its refund meets the refund's tombstone
 * row and leaves the order cancelled.
 */
export async function applyConfirmed(em: Em, p: Confirmed): Promise<ConfirmOutcome> {
  const inserted = await em.execute<{ id: string }[]>(
    `insert into orders (${ORDER_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CONFIRMED', ?, null, null)
     on conflict (payment_id) do nothing returning id`,
    [randomUUID(), p.paymentId, p.orderId, p.saleId, p.holdId, p.userId, p.sku, p.qty, p.amount, p.confirmedAt],
  );
  if (inserted.length === 0) {
    // Already known (a redelivery, or the refund came first): only fill in when it was paid.
    await em.execute(`update orders set confirmed_at = coalesce(confirmed_at, ?) where payment_id = ?`, [p.confirmedAt, p.paymentId]);
    return { outcome: 'duplicate' };
  }
  const guarded = await em.execute<{ sold: number; stock: number }[]>(
    `update sales set sold = sold + ?, updated_at = now() where id = ? and sold + ? <= stock returning sold, stock`,
    [p.qty, p.saleId, p.qty],
  );
  const row = guarded[0];
  if (row) return { outcome: 'recorded', sold: row.sold, stock: row.stock };
  const sale = await em.execute<{ sold: number; stock: number }[]>(`select sold, stock from sales where id = ?`, [p.saleId]);
  const current = sale[0];
  throw new OrderRefused(
    current ? { outcome: 'rejected', reason: 'stock_guard', sold: current.sold, stock: current.stock } : { outcome: 'rejected', reason: 'unknown_sale' },
  );
}

/**
 * Cancels the order of a refunded payment and gives its seats back to the sale's sold count, in
 * the caller's transaction. A refund that overtakes its confirmation leaves a cancelled row (the
 * tombstone) under the same payment_id, so the late confirmation can neither create an order nor
 * take a seat.
 */
export async function applyRefunded(em: Em, p: Refunded): Promise<RefundOutcome> {
  const tombstone = await em.execute<{ id: string }[]>(
    `insert into orders (${ORDER_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CANCELLED', null, ?, ?)
     on conflict (payment_id) do nothing returning id`,
    [randomUUID(), p.paymentId, p.orderId, p.saleId, p.holdId, p.userId, p.sku, p.qty, p.amount, p.refundedAt, p.refundAmount],
  );
  if (tombstone.length > 0) return { outcome: 'tombstoned' };
  const cancelled = await em.execute<{ sale_id: string; qty: number }[]>(
    `update orders set status = 'CANCELLED', refunded_at = ?, refund_amount = ?, updated_at = now()
     where payment_id = ? and status = 'CONFIRMED' returning sale_id, qty`,
    [p.refundedAt, p.refundAmount, p.paymentId],
  );
  const order = cancelled[0];
  if (!order) return { outcome: 'duplicate' };
  await em.execute(`update sales set sold = sold - ?, updated_at = now() where id = ?`, [order.qty, order.sale_id]);
  return { outcome: 'cancelled', qty: order.qty };
}

export interface OrderFilters {
  userId?: string | undefined;
  saleId?: string | undefined;
  status?: OrderStatus | undefined;
}

/** The newest first. */
export async function listOrders(em: Em, f: OrderFilters, page: Page): Promise<[Order[], number]> {
  const where: FilterQuery<Order> = {};
  if (f.userId) where.userId = f.userId;
  if (f.saleId) where.saleId = f.saleId;
  if (f.status) where.status = f.status;
  return em.findAndCount(OrderEntity, where, { orderBy: { createdAt: 'desc' }, limit: page.limit, offset: page.offset });
}
