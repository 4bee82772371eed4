import { randomUUID } from 'node:crypto';
import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import { orderIdFor, amountOf, type PaymentStatus, type Reservation } from '../domain/payment';
import { PaymentEntity, type Payment } from './model';
import { enqueue, type OutboxMessage } from './outbox';

/**
 * Payment rows. Every status change is a conditional UPDATE (`where status = ...`), so of two
 * replicas racing on the same payment exactly one moves it; the other re-reads and answers from
 * what the winner wrote.
 */
export class PaymentStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly knex: Knex,
  ) {}

  findById(id: string): Promise<Payment | null> {
    return this.orm.em.fork().findOne(PaymentEntity, { id });
  }

  findByHold(holdId: string): Promise<Payment | null> {
    return this.orm.em.fork().findOne(PaymentEntity, { holdId });
  }

  findByOrder(orderId: string): Promise<Payment | null> {
    return this.orm.em.fork().findOne(PaymentEntity, { orderId });
  }

  async paymentKeyOf(id: string): Promise<string | null> {
    const row = (await this.knex('payments').select('pg_payment_key').where({ id }).first()) as { pg_payment_key: string | null } | undefined;
    return row?.pg_payment_key ?? null;
  }

  /** The hold's payment, created PENDING on first sight (prepare or confirm, whichever comes first). */
  async ensurePending(r: Reservation, provider: string): Promise<{ payment: Payment; created: boolean }> {
    const inserted = (await this.knex('payments')
      .insert({
        id: randomUUID(),
        order_id: orderIdFor(r.holdId),
        hold_id: r.holdId,
        sale_id: r.saleId,
        user_id: r.userId,
        sku: r.sku,
        qty: r.qty,
        amount: amountOf(r),
        status: 'PENDING',
        pg_provider: provider,
      })
      .onConflict('hold_id')
      .ignore()
      .returning('id')) as unknown[];
    const payment = await this.findByHold(r.holdId);
    if (!payment) throw new Error('payment vanished after insert');
    return { payment, created: inserted.length > 0 };
  }

  /**
   * Takes the right to charge: from PENDING or FAILED, or from a CHARGING claim older than the
   * lease (its replica died mid-way; the gateway's idempotency key makes the repeat harmless).
   */
  async claimCharge(id: string, paymentKey: string, leaseMs: number): Promise<Payment | null> {
    const rows = (await this.knex('payments')
      .where({ id })
      .andWhere((q) =>
        q.whereIn('status', ['PENDING', 'FAILED']).orWhere((s) =>
          s.where('status', 'CHARGING').andWhere('claimed_at', '<', this.knex.raw(`now() - (? * interval '1 millisecond')`, [leaseMs])),
        ),
      )
      .update({
        status: 'CHARGING',
        pg_payment_key: paymentKey,
        claimed_at: this.knex.fn.now(),
        attempts: this.knex.raw('attempts + 1'),
        failure_code: null,
        failure_message: null,
        updated_at: this.knex.fn.now(),
      })
      .returning('id')) as unknown[];
    return rows.length ? this.findById(id) : null;
  }

  async markFailed(id: string, code: string, message: string): Promise<void> {
    await this.move(id, 'CHARGING', 'FAILED', { failure_code: code, failure_message: message });
  }

  /** The gateway's answer is unknown: hand the claim back so a retry may charge (idempotently). */
  async releaseCharge(id: string): Promise<void> {
    await this.move(id, 'CHARGING', 'PENDING', {});
  }

  async markVoided(id: string, code: string): Promise<void> {
    await this.move(id, 'CHARGING', 'VOIDED', { voided_at: this.knex.fn.now(), failure_code: code, failure_message: 'The hold expired before the seat could be sold; the charge was cancelled' });
  }

  /** CHARGING → CONFIRMED and the `payment.confirmed` outbox row, in one transaction. */
  async confirm(id: string, approvedAt: Date, event: (p: Payment, confirmedAt: Date) => OutboxMessage): Promise<Payment> {
    await this.knex.transaction(async (trx) => {
      const confirmedAt = new Date();
      const moved = await trx('payments')
        .where({ id, status: 'CHARGING' })
        .update({ status: 'CONFIRMED', approved_at: approvedAt, confirmed_at: confirmedAt, updated_at: confirmedAt });
      if (moved === 0) return; // a twin already confirmed it (and wrote the event)
      const payment = (await this.findById(id)) as Payment;
      await enqueue(trx, event({ ...payment, status: 'CONFIRMED', confirmedAt }, confirmedAt));
    });
    return (await this.findById(id)) as Payment;
  }

  async claimRefund(id: string): Promise<boolean> {
    return (await this.move(id, 'CONFIRMED', 'REFUNDING', {})) > 0;
  }

  async releaseRefund(id: string): Promise<void> {
    await this.move(id, 'REFUNDING', 'CONFIRMED', {});
  }

  /** REFUNDING → REFUNDED and the `payment.refunded` outbox row, in one transaction. */
  async refunded(id: string, refundAmount: number, stockReturned: boolean, event: (p: Payment) => OutboxMessage): Promise<Payment> {
    await this.knex.transaction(async (trx) => {
      const refundedAt = new Date();
      const moved = await trx('payments')
        .where({ id, status: 'REFUNDING' })
        .update({ status: 'REFUNDED', refunded_at: refundedAt, refund_amount: refundAmount, stock_returned: stockReturned, updated_at: refundedAt });
      if (moved === 0) return;
      const payment = (await this.findById(id)) as Payment;
      await enqueue(trx, event({ ...payment, status: 'REFUNDED', refundedAt, refundAmount, stockReturned }));
    });
    return (await this.findById(id)) as Payment;
  }

  /**
   * Records the gateway's reported status; a repeat of the current status changes nothing.
   * Returns whether it changed.
   */
  async applyPgStatus(trx: Knex.Transaction, orderId: string, status: string, source: string): Promise<boolean> {
    const row = (await trx('payments').select('id', 'pg_status').where({ order_id: orderId }).forUpdate().first()) as
      | { id: string; pg_status: string | null }
      | undefined;
    if (!row || row.pg_status === status) return false;
    await trx('payments').where({ id: row.id }).update({ pg_status: status, updated_at: trx.fn.now() });
    await trx('payment_pg_events').insert({ payment_id: row.id, source, from_status: row.pg_status, to_status: status });
    return true;
  }

  private async move(id: string, from: PaymentStatus, to: PaymentStatus, extra: Record<string, unknown>): Promise<number> {
    return this.knex('payments').where({ id, status: from }).update({ status: to, ...extra, updated_at: this.knex.fn.now() });
  }
}
