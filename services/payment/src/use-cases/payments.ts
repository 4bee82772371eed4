import { createHash, randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import { reader, transaction, type Em } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole, type Principal } from '@stampede/contracts';
import type { PaymentView, PrepareResult, RefundResult } from '@stampede/contracts/api';
import { consumeHold, expireHolds, holdIdOf, openReservation, returnSoldSeat, type OpenedReservation } from '@stampede/ledger';
import { codeDetails, isVerdict, type Charge, type PspError } from '../clients/psp/psp';
import type { Deps } from '../deps';
import { afterLostClaim, nextStep, type PaymentFacts, type PaymentState } from '../domain/confirm-steps';
import { amountOf, confirmResult, orderNameFor, paymentView, type ConfirmResult, type Payment } from '../domain/payment';
import { confirmedEvent, refundedEvent } from '../domain/payment-events';
import { customerKeyOf } from '../store/customers';
import { enqueue } from '../store/outbox';
import * as payments from '../store/payments';

/**
 * What the payment widget needs, all from the sealed reservation: amount and order name are never
 * taken from the client. Preparing twice returns the same order.
 */
export async function preparePayment(deps: Deps, who: Principal, token: string): Promise<PrepareResult> {
  const r = await openReservation(deps.redis, token);
  if (!r || (!r.consumedBy && r.expiresAt <= Date.now())) throw new AppError('HOLD_EXPIRED', 'The reservation has expired');
  if (r.userId !== who.userId) throw new AppError('FORBIDDEN', 'This reservation belongs to another user');
  if (r.consumedBy) throw new AppError('INVALID_TRANSITION', 'This reservation is already paid');
  const { payment, created } = await transaction(deps.orm, (em) => payments.ensurePending(em, r, deps.psp.provider));
  if (created) deps.metrics.paymentStatus('PENDING');
  if (payment.status !== 'PENDING' && payment.status !== 'FAILED') {
    throw new AppError('INVALID_TRANSITION', `This reservation's payment is ${payment.status.toLowerCase()}`);
  }
  // The product's name reads better in the widget; the sku will do if the sale service is slow.
  const productName = await deps.sales.snapshot(r.saleId).then(
    (s) => s.productName,
    () => r.sku,
  );
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    amount: amountOf(r),
    orderName: orderNameFor(productName, r.qty),
    customerKey: await transaction(deps.orm, (em) => customerKeyOf(em, who.userId)),
    expiresAt: new Date(r.expiresAt).toISOString(),
  };
}

/** Payers see their own payments; admins, auditors and operators see any. Others see none. */
export async function getPayment(deps: Deps, who: Principal, id: string): Promise<PaymentView> {
  const p = await payments.findPayment(reader(deps.orm), { id });
  if (!p || (p.userId !== who.userId && !hasAnyRole(who, ['ADMIN', 'AUDITOR', 'OPERATOR']))) throw new AppError('NOT_FOUND', 'Payment not found');
  return paymentView(p);
}

export interface ConfirmInput {
  reservationToken: string;
  paymentKey: string;
  amount: number;
}

/** Stable per payment and payment key: a retried provider call is recognised by the provider. */
const pspKey = (paymentId: string, paymentKey: string) => `confirm-${paymentId}-${createHash('sha256').update(paymentKey).digest('hex').slice(0, 16)}`;

const holdExpired = () => new AppError('HOLD_EXPIRED', 'The reservation has expired; its seat went back on sale');

/** The longest legitimate walk is six steps (create, claim, charge, consume, record, answer). */
const MAX_STEPS = 16;

/** What one confirm knows as it goes: changed only by the steps it executes. */
interface Attempt {
  /** The hold's payment row as last read or written by this confirm. */
  row: Payment | null;
  /** This confirm's own view of the row: its claim and how far its charge got, or a lost claim. */
  own?: PaymentState;
  /** The sealed reservation; undefined once missing (or refused by Redis as expired). */
  reservation?: OpenedReservation;
  charge?: Charge;
  refusal?: PspError;
}

const factsOf = (a: Attempt): PaymentFacts | undefined =>
  a.row ? { state: (a.own ?? a.row.status) as PaymentFacts['state'], id: a.row.id, userId: a.row.userId, amount: a.row.amount } : undefined;

/**
 * Confirms a reservation by walking the confirm state machine (domain/confirm-steps.ts): owner and
 * amount checks against the sealed payload, one charge by the confirm that wins the claim, the
 * hold turned into a sale, then the payment and its event in one transaction. A charge whose hold
 * expired before it could be consumed is cancelled at the provider (410 HOLD_EXPIRED).
 */
export async function confirmPayment(deps: Deps, who: Principal, input: ConfirmInput, traceHeaders: Record<string, string>): Promise<ConfirmResult> {
  const { orm, logger, metrics, psp } = deps;
  const holdId = holdIdOf(input.reservationToken);
  const a: Attempt = {
    reservation: await openReservation(deps.redis, input.reservationToken),
    row: await payments.findPayment(reader(orm), { holdId }),
  };
  const row = () => a.row as Payment;
  const reread = async (em: Em) => {
    a.row = await payments.reloadPayment(em, row().id);
    a.own = undefined;
  };

  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const step = nextStep(factsOf(a), a.reservation, { userId: who.userId, amount: input.amount }, Date.now());
    switch (step) {
      case 'create-pending': {
        const { payment, created } = await transaction(orm, (em) => payments.ensurePending(em, a.reservation as OpenedReservation, psp.provider));
        if (created) metrics.paymentStatus('PENDING');
        a.row = payment;
        break;
      }
      case 'claim-charge':
        await transaction(orm, async (em) => {
          const won = await payments.claimCharge(em, row().id, input.paymentKey, deps.config.CLAIM_LEASE_MS);
          await reread(em);
          a.own = won ? 'CLAIMED' : afterLostClaim(row().status);
        });
        break;
      case 'charge':
        try {
          a.charge = await psp.confirm({ paymentKey: input.paymentKey, orderId: row().orderId, amount: row().amount, idempotencyKey: pspKey(row().id, input.paymentKey) });
          a.own = 'CHARGED';
        } catch (e) {
          if (isVerdict(e)) a.refusal = e;
          else logger.warn({ paymentId: row().id, pspCode: (e as Partial<PspError>).pspCode }, 'payment gateway unavailable on confirm');
          a.own = isVerdict(e) ? 'DECLINED' : 'PSP_DOWN';
        }
        break;
      case 'consume-hold': {
        const consumed = await consumeWithRetry(deps, input.reservationToken, row().id);
        a.reservation =
          consumed.outcome === 'EXPIRED'
            ? undefined
            : { ...(a.reservation as OpenedReservation), consumedBy: consumed.outcome === 'CONSUMED' ? row().id : consumed.paymentRef };
        break;
      }
      case 'record-confirmed': {
        const confirmedAt = new Date();
        const moved = await transaction(orm, async (em) => {
          const won = await payments.markConfirmed(em, row().id, (a.charge as Charge).approvedAt, confirmedAt);
          await reread(em);
          if (won) await enqueue(em, confirmedEvent(randomUUID(), row(), confirmedAt, traceHeaders));
          return won;
        });
        // A twin that confirmed first wrote the event: the loop answers from its row.
        if (moved) {
          metrics.paymentStatus('CONFIRMED');
          logger.info({ paymentId: row().id, holdId, saleId: row().saleId, amount: row().amount }, 'payment confirmed');
        }
        break;
      }
      case 'void-charge':
        await voidCharge(deps, row(), input.paymentKey);
        await transaction(orm, reread);
        break;

      case 'answer-paid':
        return confirmResult(row());
      case 'reject-owner':
        logger.warn({ holdId, userId: who.userId }, 'confirm with another user’s reservation token');
        throw new AppError('FORBIDDEN', 'This reservation belongs to another user');
      case 'reject-amount': {
        const expected = a.reservation ? amountOf(a.reservation) : row().amount;
        if (a.reservation) logger.warn({ holdId, saleId: a.reservation.saleId, expected, received: input.amount }, 'amount mismatch on confirm');
        throw new AppError('AMOUNT_MISMATCH', `The amount does not match the reservation (expected ${expected})`);
      }
      case 'reject-expired':
        throw holdExpired();
      case 'sweep-expired':
        // Overdue holds go back on sale now (by Redis time) rather than at the next sweep.
        await expireHolds(deps.redis, (a.reservation as OpenedReservation).saleId, 16).catch(() => 0);
        throw holdExpired();
      case 'reject-busy':
        throw new AppError('CONFLICT', 'Another confirmation of this reservation is in progress');
      case 'record-declined': {
        const e = a.refusal as PspError;
        await transaction(orm, (em) => payments.markDeclined(em, row().id, e.pspCode, e.message));
        metrics.paymentStatus('FAILED');
        logger.info({ paymentId: row().id, pspCode: e.pspCode, kind: e.kind }, 'payment declined');
        throw new AppError('PAYMENT_FAILED', e.message, { reason: e.kind, ...codeDetails(e) });
      }
      case 'release-claim':
        // The charge's outcome is unknown: a retry may charge again (the provider's key dedupes).
        await transaction(orm, (em) => payments.releaseCharge(em, row().id));
        throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
      case 'abandon-claim':
        await transaction(orm, (em) => payments.releaseCharge(em, row().id));
        throw holdExpired();
    }
  }
  logger.error({ holdId }, 'confirm did not settle');
  throw new AppError('CONFLICT', 'Another confirmation of this reservation is in progress');
}

/** consumeHold is idempotent for the same payment ref, so a lost reply is safely retried. */
function consumeWithRetry(deps: Deps, token: string, paymentId: string) {
  return pRetry(() => consumeHold(deps.redis, token, paymentId), { retries: 2, minTimeout: 50, factor: 2 }).catch((e: unknown) => {
    // The charge stands and the claim stays: a retry (or the claim lease) finishes the job.
    deps.logger.error({ err: e, paymentId }, 'could not consume the hold after charging');
    throw new AppError('UNAVAILABLE', 'The payment is being finalised; retry with the same Idempotency-Key');
  });
}

/** A charge without a seat goes back; if the provider will not take it back, an operator must. */
async function voidCharge(deps: Deps, p: Payment, paymentKey: string): Promise<void> {
  const reason = 'Reservation expired before payment completed';
  const voided = await pRetry(() => deps.psp.cancel({ paymentKey, amount: p.amount, reason, idempotencyKey: `void-${p.id}` }), {
    retries: 2,
    minTimeout: 100,
    factor: 2,
  }).then(
    () => true,
    (e: unknown) => {
      deps.metrics.voidFailures.inc();
      deps.logger.error({ err: e, paymentId: p.id }, 'charge without a seat could not be voided; operator action needed');
      return false;
    },
  );
  await transaction(deps.orm, (em) => payments.markVoided(em, p.id, voided ? 'HOLD_EXPIRED' : 'VOID_FAILED'));
  if (voided) {
    deps.metrics.paymentStatus('VOIDED');
    deps.logger.warn({ paymentId: p.id, holdId: p.holdId, saleId: p.saleId }, 'charge voided: the hold expired first');
  }
}

/**
 * Refunds a confirmed payment in full: the provider first, then the payment and its
 * `payment.refunded` event in one transaction, then the seat back on sale if the sale's policy
 * says so (returnSoldSeat with the payment as refund reference: at most once, even when retried).
 */
export async function refundPayment(deps: Deps, who: Principal, paymentId: string, reason: string, traceHeaders: Record<string, string>): Promise<RefundResult> {
  const { orm } = deps;
  const p = await payments.findPayment(reader(orm), { id: paymentId });
  if (!p) throw new AppError('NOT_FOUND', 'Payment not found');
  if (p.userId !== who.userId && !hasAnyRole(who, ['ADMIN'])) throw new AppError('FORBIDDEN', 'Only the payer or an admin may refund this payment');
  if (p.status === 'REFUNDED' || p.status === 'REFUNDING') throw new AppError('ALREADY_REFUNDED', 'This payment was already refunded');
  if (p.status !== 'CONFIRMED') throw new AppError('INVALID_TRANSITION', `A ${p.status.toLowerCase()} payment cannot be refunded`);

  // Read the policy before any money moves: if the sale service is down, nothing changes.
  const { refundPolicy } = await deps.sales.snapshot(p.saleId);
  const claim = await transaction(orm, async (em) => ((await payments.claimRefund(em, p.id)) ? { paymentKey: await payments.paymentKeyOf(em, p.id) } : undefined));
  if (!claim) throw new AppError('ALREADY_REFUNDED', 'This payment was already refunded');

  try {
    await deps.psp.cancel({ paymentKey: claim.paymentKey ?? '', amount: p.amount, reason: reason || 'Customer request', idempotencyKey: `refund-${p.id}` });
  } catch (e) {
    await transaction(orm, (em) => payments.releaseRefund(em, p.id));
    if (isVerdict(e)) throw new AppError('PAYMENT_FAILED', 'The payment gateway refused the refund', codeDetails(e));
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
  }

  const restock = refundPolicy === 'RESTOCK';
  const refundedAt = new Date();
  const done = await transaction(orm, async (em) => {
    const moved = await payments.markRefunded(em, p.id, refundedAt, p.amount, restock);
    const row = await payments.reloadPayment(em, p.id);
    if (moved) await enqueue(em, refundedEvent(randomUUID(), row, refundedAt, p.amount, traceHeaders));
    return row;
  });
  deps.metrics.paymentStatus('REFUNDED');
  if (restock) await restockWithRetry(deps, p, p.id);
  deps.logger.info({ paymentId: p.id, saleId: p.saleId, refundPolicy, by: who.userId }, 'payment refunded');
  return {
    paymentId: done.id,
    status: 'REFUNDED',
    refundAmount: done.refundAmount ?? p.amount,
    refundedAt: (done.refundedAt as Date).toISOString(),
    stockReturned: restock,
  };
}

async function restockWithRetry(deps: Deps, p: Payment, ref: string): Promise<void> {
  await pRetry(() => returnSoldSeat(deps.redis, p.saleId, p.userId, p.qty, ref), { retries: 2, minTimeout: 100, factor: 2 }).catch((e: unknown) => {
    deps.logger.error({ err: e, paymentId: ref, saleId: p.saleId }, 'refunded seat could not be returned to stock; the reconciler must');
  });
}
