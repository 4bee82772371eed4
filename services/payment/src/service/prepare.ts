import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import { openReservation } from '@stampede/ledger';
import { amountOf, orderNameFor } from '../domain/payment';
import { customerKeyOf } from '../store/customers';
import type { PaymentContext } from './context';

export interface PrepareResult {
  paymentId: string;
  orderId: string;
  amount: number;
  orderName: string;
  customerKey: string;
  expiresAt: string;
}

/**
 * What the payment widget needs, all from the sealed reservation: amount and order name are never
 * taken from the client. Preparing twice returns the same order.
 */
export async function preparePayment(ctx: PaymentContext, who: Principal, token: string): Promise<PrepareResult> {
  const r = await openReservation(ctx.redis, token);
  if (!r || (!r.consumedBy && r.expiresAt <= Date.now())) throw new AppError('HOLD_EXPIRED', 'The reservation has expired');
  if (r.userId !== who.userId) throw new AppError('FORBIDDEN', 'This reservation belongs to another user');
  if (r.consumedBy) throw new AppError('INVALID_TRANSITION', 'This reservation is already paid');
  const { payment, created } = await ctx.payments.ensurePending(r, ctx.gateway.provider);
  if (created) ctx.metrics.paymentStatus('PENDING');
  if (payment.status !== 'PENDING' && payment.status !== 'FAILED') {
    throw new AppError('INVALID_TRANSITION', `This reservation's payment is ${payment.status.toLowerCase()}`);
  }
  // The product's name reads better in the widget; the sku will do if the sale service is slow.
  const productName = await ctx.snapshots.get(r.saleId).then(
    (s) => s.productName,
    () => r.sku,
  );
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: amountOf(r),
    orderName: orderNameFor(productName, r.qty),
    customerKey: await customerKeyOf(ctx.knex, who.userId),
    expiresAt: new Date(r.expiresAt).toISOString(),
  };
}
