import { randomUUID } from 'node:crypto';
import { LockMode, raw, type EntityData } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import { amountOf, orderIdFor, type Payment, type PaymentStatus, type Reservation } from '../domain/payment';
import { PaymentEntity, PspStatusChangeEntity } from './model';

/**
 * Payment rows. Every status change is a conditional update (`where status = ...`) whose count
 * says whether this caller moved it, so of two replicas racing on the same payment exactly one
 * wins; the other reads what the winner wrote. Callers pass the em of their transaction: reads
 * see that transaction's own writes.
 */

const now = () => raw('now()');

export const findPayment = (em: Em, where: { id: string } | { holdId: string } | { orderId: string }): Promise<Payment | null> =>
  em.findOne(PaymentEntity, where);

/** The row as it is now in the database, even if this em loaded it before. */
export const reloadPayment = (em: Em, id: string): Promise<Payment> => em.findOneOrFail(PaymentEntity, { id }, { refresh: true });

export async function paymentKeyOf(em: Em, id: string): Promise<string | null> {
  const p = await em.findOne(PaymentEntity, { id }, { populate: ['paymentKey'] });
  return p?.paymentKey ?? null;
}

/**
 * The hold's payment, created PENDING on first sight (prepare or confirm, whichever comes first).
 * Insert-if-absent on the unique hold id: concurrent callers all get the one row, and only the
 * one whose insert landed is told it created it.
 */
export async function ensurePending(em: Em, r: Reservation, provider: string): Promise<{ payment: Payment; created: boolean }> {
  const inserted = await em
    .qb(PaymentEntity)
    .insert({
      id: randomUUID(),
      orderId: orderIdFor(r.holdId),
      holdId: r.holdId,
      saleId: r.saleId,
      userId: r.userId,
      sku: r.sku,
      qty: r.qty,
      amount: amountOf(r),
      status: 'PENDING',
      pspProvider: provider,
    })
    .onConflict('holdId')
    .ignore()
    .execute('run');
  const payment = await em.findOneOrFail(PaymentEntity, { holdId: r.holdId }, { refresh: true });
  return { payment, created: inserted.affectedRows > 0 };
}

/**
 * Takes the right to charge: from PENDING or FAILED, or from a CHARGING claim older than the
 * lease (its replica died mid-way; the provider's idempotency key makes the repeat harmless).
 * The database's clock judges the lease, so replicas with skewed clocks agree.
 */
export async function claimCharge(em: Em, id: string, paymentKey: string, leaseMs: number): Promise<boolean> {
  const moved = await em.nativeUpdate(
    PaymentEntity,
    {
      id,
      $or: [{ status: { $in: ['PENDING', 'FAILED'] } }, { status: 'CHARGING', claimedAt: { $lt: raw(`now() - (? * interval '1 millisecond')`, [leaseMs]) } }],
    },
    {
      status: 'CHARGING',
      paymentKey,
      claimedAt: now(),
      attempts: raw('attempts + 1'),
      failureCode: null,
      failureMessage: null,
      updatedAt: now(),
    },
  );
  return moved > 0;
}

/** A conditional status change: true only for the caller that moved the row. */
async function movePayment(em: Em, id: string, from: PaymentStatus, to: PaymentStatus, extra: EntityData<Payment> = {}): Promise<boolean> {
  return (await em.nativeUpdate(PaymentEntity, { id, status: from }, { ...extra, status: to, updatedAt: now() })) > 0;
}

export const markDeclined = (em: Em, id: string, code: string, message: string) => movePayment(em, id, 'CHARGING', 'FAILED', { failureCode: code, failureMessage: message });

/** The provider's answer is unknown, or the seat is gone before any charge: hand the claim back. */
export const releaseCharge = (em: Em, id: string) => movePayment(em, id, 'CHARGING', 'PENDING');

export const markVoided = (em: Em, id: string, code: string) =>
  movePayment(em, id, 'CHARGING', 'VOIDED', {
    voidedAt: now(),
    failureCode: code,
    failureMessage: 'The hold expired before the seat could be sold; the charge was cancelled',
  });

export const markConfirmed = (em: Em, id: string, approvedAt: Date, confirmedAt: Date) =>
  movePayment(em, id, 'CHARGING', 'CONFIRMED', { approvedAt, confirmedAt });

export const claimRefund = (em: Em, id: string) => movePayment(em, id, 'CONFIRMED', 'REFUNDING');

export const releaseRefund = (em: Em, id: string) => movePayment(em, id, 'REFUNDING', 'CONFIRMED');

export const markRefunded = (em: Em, id: string, refundedAt: Date, refundAmount: number, stockReturned: boolean) =>
  movePayment(em, id, 'REFUNDING', 'REFUNDED', { refundedAt, refundAmount, stockReturned });

/**
 * Records the provider's reported status and its history; a repeat of the current status changes
 * nothing. The row is locked first, so two deliveries of different statuses are recorded in turn.
 * Returns whether it changed.
 */
export async function applyPspStatus(em: Em, orderId: string, status: string, source: string): Promise<boolean> {
  const row = await em.findOne(PaymentEntity, { orderId }, { fields: ['id', 'pspStatus'], lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!row || row.pspStatus === status) return false;
  await em.nativeUpdate(PaymentEntity, { id: row.id }, { pspStatus: status, updatedAt: now() });
  await em.insert(PspStatusChangeEntity, { paymentId: row.id, source, fromStatus: row.pspStatus, toStatus: status });
  return true;
}
