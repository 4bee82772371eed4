import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from '@mikro-orm/postgresql';
import { cardOutcome, maskCard } from '../domain/sandbox-cards';
import { PgError, type CancelRequest, type Charge, type ChargeRequest, type PaymentGateway } from './gateway';

interface SandboxRow {
  payment_key: string;
  order_id: string;
  amount: number;
  outcome: string;
  status: string;
  approved_at: Date | null;
}

export interface LedgerEntry {
  orderId: string;
  kind: 'CHARGE' | 'DECLINE' | 'CANCEL';
  amount: number;
  at: Date;
}

/**
 * The sandbox payment gateway. Its books live in the payment database (tables sandbox_pg_*), so
 * every replica sees the same charges and tests can count them. `checkout` stands in for the
 * payment widget: the client "enters" a test card and gets a paymentKey, as with Toss.
 */
export class SandboxGateway implements PaymentGateway {
  readonly provider = 'sandbox';

  constructor(
    private readonly knex: Knex,
    private readonly latencyMs = 0,
  ) {}

  async checkout(req: { orderId: string; amount: number; cardNumber: string }): Promise<{ paymentKey: string }> {
    const paymentKey = `sbx_${randomBytes(18).toString('base64url')}`;
    await this.knex('sandbox_pg_payments').insert({
      payment_key: paymentKey,
      order_id: req.orderId,
      amount: req.amount,
      card_masked: maskCard(req.cardNumber),
      outcome: cardOutcome(req.cardNumber),
      status: 'READY',
    });
    return { paymentKey };
  }

  async confirm(req: ChargeRequest): Promise<Charge> {
    if (this.latencyMs) await sleep(this.latencyMs);
    // The decline is committed to the books before it is reported.
    const result = await this.knex.transaction(async (trx): Promise<Charge | { declined: string }> => {
      const row = (await trx('sandbox_pg_payments').where({ payment_key: req.paymentKey }).forUpdate().first()) as SandboxRow | undefined;
      if (!row) throw new PgError('REJECTED', 'NOT_FOUND_PAYMENT_SESSION', 'The payment session was not found');
      if (row.order_id !== req.orderId || row.amount !== req.amount) {
        throw new PgError('REJECTED', 'INVALID_REQUEST', 'The order or amount does not match the payment session');
      }
      // A repeated confirm of a charged payment answers the same approval: never a second charge.
      if (row.status === 'DONE') return { approvedAt: row.approved_at as Date, status: 'DONE' };
      if (row.status !== 'READY') throw new PgError('REJECTED', 'ALREADY_PROCESSED_PAYMENT', 'The payment was already processed');
      const entry = { payment_key: row.payment_key, order_id: row.order_id, amount: row.amount };
      if (row.outcome !== 'APPROVED') {
        await trx('sandbox_pg_payments').where({ payment_key: row.payment_key }).update({ status: 'DECLINED' });
        await trx('sandbox_pg_ledger').insert({ ...entry, kind: 'DECLINE' });
        return { declined: row.outcome };
      }
      const approvedAt = new Date();
      await trx('sandbox_pg_payments').where({ payment_key: row.payment_key }).update({ status: 'DONE', approved_at: approvedAt });
      await trx('sandbox_pg_ledger').insert({ ...entry, kind: 'CHARGE' });
      return { approvedAt, status: 'DONE' };
    });
    if ('declined' in result) {
      if (result.declined === 'INSUFFICIENT_FUNDS') throw new PgError('INSUFFICIENT_FUNDS', 'NOT_ENOUGH_BALANCE', 'The card has insufficient funds');
      throw new PgError('DECLINED', 'REJECT_CARD_PAYMENT', 'The card was declined by the issuer');
    }
    return result;
  }

  async cancel(req: CancelRequest): Promise<{ canceledAt: Date }> {
    return this.knex.transaction(async (trx) => {
      const row = (await trx('sandbox_pg_payments').where({ payment_key: req.paymentKey }).forUpdate().first()) as
        | (SandboxRow & { canceled_at: Date | null })
        | undefined;
      if (!row) throw new PgError('REJECTED', 'NOT_FOUND_PAYMENT', 'The payment was not found');
      if (row.status === 'CANCELED') return { canceledAt: row.canceled_at as Date };
      if (row.status !== 'DONE') throw new PgError('REJECTED', 'NOT_CANCELABLE_PAYMENT', 'The payment cannot be cancelled');
      const canceledAt = new Date();
      await trx('sandbox_pg_payments')
        .where({ payment_key: row.payment_key })
        .update({ status: 'CANCELED', canceled_at: canceledAt, cancel_reason: req.reason.slice(0, 200) });
      await trx('sandbox_pg_ledger').insert({ payment_key: row.payment_key, order_id: row.order_id, amount: req.amount, kind: 'CANCEL' });
      return { canceledAt };
    });
  }

  async issueBillingKey(_req: { authKey: string; customerKey: string }) {
    return { billingKey: `bk_sbx_${randomBytes(24).toString('base64url')}`, cardMasked: '****0000' };
  }

  /** The sandbox's ledger for one order: what tests and operators inspect. */
  async ledger(orderId: string): Promise<LedgerEntry[]> {
    const rows = (await this.knex('sandbox_pg_ledger').where({ order_id: orderId }).orderBy('id')) as Array<{
      order_id: string;
      kind: LedgerEntry['kind'];
      amount: number;
      at: Date;
    }>;
    return rows.map((r) => ({ orderId: r.order_id, kind: r.kind, amount: r.amount, at: r.at }));
  }
}
