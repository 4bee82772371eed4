import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { PaymentEvent } from '@stampede/contracts';
import { transaction } from '@stampede/chassis/clients/orm';

type Confirmed = Extract<PaymentEvent, { type: 'payment.confirmed' }>['payment'];
type Refunded = Extract<PaymentEvent, { type: 'payment.refunded' }>['payment'];

export type RejectReason = 'stock_guard' | 'unknown_sale';

export type ConfirmOutcome =
  | { outcome: 'recorded'; sold: number; stock: number }
  | { outcome: 'duplicate' }
  | { outcome: 'rejected'; reason: RejectReason; sold?: number; stock?: number };

export type RefundOutcome = { outcome: 'cancelled'; qty: number } | { outcome: 'tombstoned' } | { outcome: 'duplicate' };

class Rejected extends Error {
  constructor(readonly result: Extract<ConfirmOutcome, { outcome: 'rejected' }>) {
    super(result.reason);
  }
}

const ORDER_COLUMNS =
  'id, payment_id, order_id, sale_id, hold_id, user_id, sku, qty, amount, status, confirmed_at, refunded_at, refund_amount';

/**
 * Records a paid order once per paymentId. PostgreSQL is the final arbiter of stock: the insert
 * and a conditional `sold + qty <= stock` update share one transaction, so a confirmation beyond
 * S (say, after Redis lost a write in a failover) rolls back and is reported instead of stored.
 * A redelivered confirmation meets the unique payment_id and changes nothing; one that arrives
 * after its refund meets the refund's tombstone row and leaves the order cancelled.
 */
export async function applyConfirmed(orm: MikroORM, p: Confirmed): Promise<ConfirmOutcome> {
  try {
    return await transaction(orm, async (em) => {
      const inserted = await em.execute<{ id: string }[]>(
        `insert into orders (${ORDER_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CONFIRMED', ?, null, null)
         on conflict (payment_id) do nothing returning id`,
        [randomUUID(), p.paymentId, p.orderId, p.saleId, p.holdId, p.userId, p.sku, p.qty, p.amount, p.confirmedAt],
      );
      if (inserted.length === 0) {
        // Already known (a redelivery, or the refund came first): only fill in when it was paid.
        await em.execute(`update orders set confirmed_at = coalesce(confirmed_at, ?) where payment_id = ?`, [p.confirmedAt, p.paymentId]);
        return { outcome: 'duplicate' as const };
      }
      const guarded = await em.execute<{ sold: number; stock: number }[]>(
        `update sales set sold = sold + ?, updated_at = now() where id = ? and sold + ? <= stock returning sold, stock`,
        [p.qty, p.saleId, p.qty],
      );
      const row = guarded[0];
      if (row) return { outcome: 'recorded' as const, sold: row.sold, stock: row.stock };
      const sale = await em.execute<{ sold: number; stock: number }[]>(`select sold, stock from sales where id = ?`, [p.saleId]);
      const current = sale[0];
      throw new Rejected(
        current ? { outcome: 'rejected', reason: 'stock_guard', sold: current.sold, stock: current.stock } : { outcome: 'rejected', reason: 'unknown_sale' },
      );
    });
  } catch (e) {
    if (e instanceof Rejected) return e.result;
    throw e;
  }
}

/**
 * Cancels the order of a refunded payment and gives its seats back to the sale's sold count. A
 * refund that overtakes its confirmation leaves a cancelled row (the tombstone) under the same
 * payment_id, so the late confirmation can neither create an order nor take a seat.
 */
export async function applyRefunded(orm: MikroORM, p: Refunded): Promise<RefundOutcome> {
  return transaction(orm, async (em) => {
    const tombstone = await em.execute<{ id: string }[]>(
      `insert into orders (${ORDER_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CANCELLED', null, ?, ?)
       on conflict (payment_id) do nothing returning id`,
      [randomUUID(), p.paymentId, p.orderId, p.saleId, p.holdId, p.userId, p.sku, p.qty, p.amount, p.refundedAt, p.refundAmount],
    );
    if (tombstone.length > 0) return { outcome: 'tombstoned' as const };
    const cancelled = await em.execute<{ sale_id: string; qty: number }[]>(
      `update orders set status = 'CANCELLED', refunded_at = ?, refund_amount = ?, updated_at = now()
       where payment_id = ? and status = 'CONFIRMED' returning sale_id, qty`,
      [p.refundedAt, p.refundAmount, p.paymentId],
    );
    const order = cancelled[0];
    if (!order) return { outcome: 'duplicate' as const };
    await em.execute(`update sales set sold = sold - ?, updated_at = now() where id = ?`, [order.qty, order.sale_id]);
    return { outcome: 'cancelled' as const, qty: order.qty };
  });
}
