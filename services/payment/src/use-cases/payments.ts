import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import { consumeHold, expireHolds, holdIdOf, openReservation, type ConsumeResult } from '@stampede/ledger';
import { amountOf, type Reservation } from '../domain/payment';
import { confirmedEvent } from '../events';
import { PgError } from '../pg/gateway';
import type { Payment } from '../store/model';
import type { PaymentContext } from './context';
import { timed } from './gateway-call';

export interface ConfirmInput {
  reservationToken: string;
  paymentKey: string;
  amount: number;
}

export interface ConfirmResult {
  paymentId: string;
  orderId: string;
  status: 'CONFIRMED' | 'REFUNDING' | 'REFUNDED';
  saleId: string;
  sku: string;
  qty: number;
  amount: number;
  currency: 'KRW';
  confirmedAt: string;
}

const PAID = new Set(['CONFIRMED', 'REFUNDING', 'REFUNDED']);

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

/** Stable per payment and payment key: a retried gateway call is recognised by the gateway. */
const gatewayKey = (paymentId: string, paymentKey: string) =>
  `confirm-${paymentId}-${createHash('sha256').update(paymentKey).digest('hex').slice(0, 16)}`;

const holdExpired = () => new AppError('HOLD_EXPIRED', 'The reservation has expired; its seat went back on sale');

/**
 * Confirms a reservation: owner and amount checks against the sealed payload, one charge, the
 * hold turned into a sale, then the payment and its event in one transaction. A charge whose
 * hold expired before it could be consumed is cancelled at the gateway (410 HOLD_EXPIRED).
 */
export async function confirmPayment(ctx: PaymentContext, who: Principal, input: ConfirmInput, traceHeaders: Record<string, string>): Promise<ConfirmResult> {
  const holdId = holdIdOf(input.reservationToken);
  const reservation = await openReservation(ctx.redis, input.reservationToken);
  const existing = await ctx.payments.findByHold(holdId);

  if (!reservation) {
    // Released or expired long ago; a paid hold still answers with its payment.
    if (existing && existing.userId !== who.userId) throw forbidden(ctx, holdId, who);
    if (existing && PAID.has(existing.status)) return answerPaid(ctx, existing, input.amount);
    throw holdExpired();
  }
  if (reservation.userId !== who.userId) throw forbidden(ctx, holdId, who);
  const expected = amountOf(reservation);
  if (input.amount !== expected) {
    ctx.logger.warn({ holdId, saleId: reservation.saleId, expected, received: input.amount }, 'amount mismatch on confirm');
    throw new AppError('AMOUNT_MISMATCH', `The amount does not match the reservation (expected ${expected})`);
  }

  const { payment, created } = existing ? { payment: existing, created: false } : await ctx.payments.ensurePending(reservation, ctx.gateway.provider);
  if (created) ctx.metrics.paymentStatus('PENDING');
  if (PAID.has(payment.status)) return answerPaid(ctx, payment, input.amount);
  if (payment.status === 'VOIDED') throw holdExpired();
  // Not worth a charge that would be voided: the hold is over (Redis decides at consume anyway).
  // Overdue holds go back on sale now (by Redis time) rather than at the next sweep.
  if (!reservation.consumedBy && reservation.expiresAt <= Date.now()) {
    await expireHolds(ctx.redis, reservation.saleId, 16).catch(() => 0);
    throw holdExpired();
  }

  const claimed = await ctx.payments.claimCharge(payment.id, input.paymentKey, ctx.config.CLAIM_LEASE_MS);
  if (!claimed) {
    const now = await ctx.payments.findById(payment.id);
    if (now && PAID.has(now.status)) return answerPaid(ctx, now, input.amount);
    if (now?.status === 'VOIDED') throw holdExpired();
    throw new AppError('CONFLICT', 'Another confirmation of this reservation is in progress');
  }

  const charge = await chargeOrFail(ctx, claimed, input.paymentKey);
  const consumed = await consumeWithRetry(ctx, input.reservationToken, claimed.id);
  if (consumed.outcome === 'EXPIRED' || (consumed.outcome === 'ALREADY_CONSUMED' && consumed.paymentRef !== claimed.id)) {
    await voidCharge(ctx, claimed, input.paymentKey, reservation);
    throw holdExpired();
  }
  const confirmed = await ctx.payments.confirm(claimed.id, charge.approvedAt, (p, at) => confirmedEvent(p, at, traceHeaders));
  ctx.metrics.paymentStatus('CONFIRMED');
  ctx.logger.info({ paymentId: confirmed.id, holdId, saleId: confirmed.saleId, amount: confirmed.amount }, 'payment confirmed');
  return confirmResult(confirmed);
}

function forbidden(ctx: PaymentContext, holdId: string, who: Principal): AppError {
  ctx.logger.warn({ holdId, userId: who.userId }, 'confirm with another user’s reservation token');
  return new AppError('FORBIDDEN', 'This reservation belongs to another user');
}

function answerPaid(_ctx: PaymentContext, p: Payment, amount: number): ConfirmResult {
  if (amount !== p.amount) throw new AppError('AMOUNT_MISMATCH', `The amount does not match the reservation (expected ${p.amount})`);
  return confirmResult(p);
}

async function chargeOrFail(ctx: PaymentContext, p: Payment, paymentKey: string) {
  try {
    return await timed(ctx.metrics, 'confirm', () =>
      ctx.gateway.confirm({ paymentKey, orderId: p.orderId, amount: p.amount, idempotencyKey: gatewayKey(p.id, paymentKey) }),
    );
  } catch (e) {
    if (!(e instanceof PgError) || e.kind === 'UNAVAILABLE') {
      await ctx.payments.releaseCharge(p.id);
      ctx.logger.warn({ paymentId: p.id, pgCode: e instanceof PgError ? e.pgCode : undefined }, 'payment gateway unavailable on confirm');
      throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
    }
    await ctx.payments.markFailed(p.id, e.pgCode, e.message);
    ctx.metrics.paymentStatus('FAILED');
    ctx.logger.info({ paymentId: p.id, pgCode: e.pgCode, kind: e.kind }, 'payment declined');
    throw new AppError('PAYMENT_FAILED', e.message, { reason: e.kind, pgCode: e.pgCode });
  }
}

/** consumeHold is idempotent for the same payment ref, so a lost reply is safely retried. */
async function consumeWithRetry(ctx: PaymentContext, token: string, paymentId: string): Promise<ConsumeResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await consumeHold(ctx.redis, token, paymentId);
    } catch (e) {
      if (attempt >= 3) {
        // The charge stands and the claim stays: a retry (or the claim lease) finishes the job.
        ctx.logger.error({ err: e, paymentId }, 'could not consume the hold after charging');
        throw new AppError('UNAVAILABLE', 'The payment is being finalised; retry with the same Idempotency-Key');
      }
      await sleep(50 * attempt);
    }
  }
}

async function voidCharge(ctx: PaymentContext, p: Payment, paymentKey: string, r: Reservation): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await timed(ctx.metrics, 'cancel', () =>
        ctx.gateway.cancel({ paymentKey, amount: p.amount, reason: 'Reservation expired before payment completed', idempotencyKey: `void-${p.id}` }),
      );
      await ctx.payments.markVoided(p.id, 'HOLD_EXPIRED');
      ctx.metrics.paymentStatus('VOIDED');
      ctx.logger.warn({ paymentId: p.id, holdId: r.holdId, saleId: r.saleId }, 'charge voided: the hold expired first');
      return;
    } catch (e) {
      if (attempt === 3) {
        ctx.metrics.voidFailures.inc();
        ctx.logger.error({ err: e, paymentId: p.id }, 'charge without a seat could not be voided; operator action needed');
        await ctx.payments.markVoided(p.id, 'VOID_FAILED');
        return;
      }
      await sleep(100 * attempt);
    }
  }
}
