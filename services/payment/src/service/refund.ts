import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole, type Principal } from '@stampede/contracts';
import { returnSoldSeat } from '@stampede/ledger';
import { refundedEvent } from '../events';
import { PgError } from '../pg/gateway';
import type { PaymentContext } from './context';
import { timed } from './gateway-call';

export interface RefundResult {
  paymentId: string;
  status: 'REFUNDED';
  refundAmount: number;
  refundedAt: string;
  stockReturned: boolean;
}

/**
 * Refunds a confirmed payment in full: the gateway first, then the payment and its
 * `payment.refunded` event in one transaction, then the seat back on sale if the sale's policy
 * says so (returnSoldSeat with the payment as refund reference: at most once, even when retried).
 */
export async function refundPayment(ctx: PaymentContext, who: Principal, paymentId: string, reason: string, traceHeaders: Record<string, string>): Promise<RefundResult> {
  const p = await ctx.payments.findById(paymentId);
  if (!p) throw new AppError('NOT_FOUND', 'Payment not found');
  if (p.userId !== who.userId && !hasAnyRole(who, ['ADMIN'])) throw new AppError('FORBIDDEN', 'Only the payer or an admin may refund this payment');
  if (p.status === 'REFUNDED' || p.status === 'REFUNDING') throw new AppError('ALREADY_REFUNDED', 'This payment was already refunded');
  if (p.status !== 'CONFIRMED') throw new AppError('INVALID_TRANSITION', `A ${p.status.toLowerCase()} payment cannot be refunded`);

  // Read the policy before any money moves: if the sale service is down, nothing changes.
  const { refundPolicy } = await ctx.snapshots.get(p.saleId);
  if (!(await ctx.payments.claimRefund(p.id))) throw new AppError('ALREADY_REFUNDED', 'This payment was already refunded');

  const paymentKey = await ctx.payments.paymentKeyOf(p.id);
  try {
    await timed(ctx.metrics, 'cancel', () =>
      ctx.gateway.cancel({ paymentKey: paymentKey ?? '', amount: p.amount, reason: reason || 'Customer request', idempotencyKey: `refund-${p.id}` }),
    );
  } catch (e) {
    await ctx.payments.releaseRefund(p.id);
    if (e instanceof PgError && e.kind !== 'UNAVAILABLE') throw new AppError('PAYMENT_FAILED', 'The payment gateway refused the refund', { pgCode: e.pgCode });
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
  }

  const restock = refundPolicy === 'RESTOCK';
  const done = await ctx.payments.refunded(p.id, p.amount, restock, (row) => refundedEvent(row, row.refundedAt as Date, p.amount, traceHeaders));
  ctx.metrics.paymentStatus('REFUNDED');
  if (restock) await restockWithRetry(ctx, p.saleId, p.userId, p.qty, p.id);
  ctx.logger.info({ paymentId: p.id, saleId: p.saleId, refundPolicy, by: who.userId }, 'payment refunded');
  return {
    paymentId: done.id,
    status: 'REFUNDED',
    refundAmount: done.refundAmount ?? p.amount,
    refundedAt: (done.refundedAt as Date).toISOString(),
    stockReturned: restock,
  };
}

async function restockWithRetry(ctx: PaymentContext, saleId: string, userId: string, qty: number, ref: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await returnSoldSeat(ctx.redis, saleId, userId, qty, ref);
      return;
    } catch (e) {
      if (attempt === 3) ctx.logger.error({ err: e, paymentId: ref, saleId }, 'refunded seat could not be returned to stock; the reconciler must');
      else await sleep(100 * attempt);
    }
  }
}
