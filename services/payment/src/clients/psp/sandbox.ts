import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { cardOutcome, maskCard } from '../../domain/sandbox-cards';
import { addLedgerEntry, ledgerOf, lockSession, openSession, updateSession } from '../../store/sandbox-books';
import { PspError, type CancelRequest, type Charge, type ChargeRequest, type Psp } from './psp';

export interface LedgerEntry {
  orderId: string;
  kind: 'CHARGE' | 'DECLINE' | 'CANCEL';
  amount: number;
  at: Date;
}

/**
 * The sandbox payment service provider. Its books live in the payment database (tables
 * sandbox_pg_*), so every replica sees the same charges and tests can count them. `checkout`
 * stands in for the payment widget: the client "enters" a test card and gets a paymentKey, as
 * with Toss.
 */
export class SandboxPsp implements Psp {
  readonly provider = 'sandbox';

  constructor(
    private readonly orm: MikroORM,
    private readonly latencyMs = 0,
  ) {}

  async checkout(req: { orderId: string; amount: number; cardNumber: string }): Promise<{ paymentKey: string }> {
    const paymentKey = `sbx_${randomBytes(18).toString('base64url')}`;
    const session = { paymentKey, orderId: req.orderId, amount: req.amount, cardMasked: maskCard(req.cardNumber), outcome: cardOutcome(req.cardNumber) };
    await transaction(this.orm, (em) => openSession(em, session));
    return { paymentKey };
  }

  async confirm(req: ChargeRequest): Promise<Charge> {
    if (this.latencyMs) await sleep(this.latencyMs);
    // The decline is committed to the books before it is reported.
    const result = await transaction(this.orm, async (em): Promise<Charge | { declined: string }> => {
      const s = await lockSession(em, req.paymentKey);
      if (!s) throw new PspError('REJECTED', 'NOT_FOUND_PAYMENT_SESSION', 'The payment session was not found');
      if (s.orderId !== req.orderId || s.amount !== req.amount) {
        throw new PspError('REJECTED', 'INVALID_REQUEST', 'The order or amount does not match the payment session');
      }
      // A repeated confirm of a charged payment answers the same approval: never a second charge.
      if (s.status === 'DONE') return { approvedAt: s.approvedAt as Date, status: 'DONE' };
      if (s.status !== 'READY') throw new PspError('REJECTED', 'ALREADY_PROCESSED_PAYMENT', 'The payment was already processed');
      const entry = { paymentKey: s.paymentKey, orderId: s.orderId, amount: s.amount };
      if (s.outcome !== 'APPROVED') {
        await updateSession(em, s.paymentKey, { status: 'DECLINED' });
        await addLedgerEntry(em, { ...entry, kind: 'DECLINE' });
        return { declined: s.outcome };
      }
      const approvedAt = new Date();
      await updateSession(em, s.paymentKey, { status: 'DONE', approvedAt });
      await addLedgerEntry(em, { ...entry, kind: 'CHARGE' });
      return { approvedAt, status: 'DONE' };
    });
    if ('declined' in result) {
      if (result.declined === 'INSUFFICIENT_FUNDS') throw new PspError('INSUFFICIENT_FUNDS', 'NOT_ENOUGH_BALANCE', 'The card has insufficient funds');
      throw new PspError('DECLINED', 'REJECT_CARD_PAYMENT', 'The card was declined by the issuer');
    }
    return result;
  }

  async cancel(req: CancelRequest): Promise<{ canceledAt: Date }> {
    return transaction(this.orm, async (em) => {
      const s = await lockSession(em, req.paymentKey);
      if (!s) throw new PspError('REJECTED', 'NOT_FOUND_PAYMENT', 'The payment was not found');
      if (s.status === 'CANCELED') return { canceledAt: s.canceledAt as Date };
      if (s.status !== 'DONE') throw new PspError('REJECTED', 'NOT_CANCELABLE_PAYMENT', 'The payment cannot be cancelled');
      const canceledAt = new Date();
      await updateSession(em, s.paymentKey, { status: 'CANCELED', canceledAt, cancelReason: req.reason.slice(0, 200) });
      await addLedgerEntry(em, { paymentKey: s.paymentKey, orderId: s.orderId, amount: req.amount, kind: 'CANCEL' });
      return { canceledAt };
    });
  }

  async issueBillingKey(_req: { authKey: string; customerKey: string }) {
    return { billingKey: `bk_sbx_${randomBytes(24).toString('base64url')}`, cardMasked: '****0000' };
  }

  /** The sandbox's ledger for one order: what tests and operators inspect. */
  async ledger(orderId: string): Promise<LedgerEntry[]> {
    const rows = await ledgerOf(reader(this.orm), orderId);
    return rows.map((r) => ({ orderId: r.orderId, kind: r.kind, amount: r.amount, at: r.at }));
  }
}
