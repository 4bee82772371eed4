import { Migration } from '@mikro-orm/migrations';

/** The sandbox provider's own books: what a real payment service provider would hold on its side. */
export class SandboxBooksMigration extends Migration {
  override up(): void {
    this.addSql(`
      create table sandbox_pg_payments (
        payment_key text primary key,
        order_id text not null,
        amount integer not null,
        card_masked text not null,
        outcome text not null,
        status text not null check (status in ('READY','DONE','DECLINED','CANCELED')),
        created_at timestamptz not null default now(),
        approved_at timestamptz null,
        canceled_at timestamptz null,
        cancel_reason text null
      )`);
    this.addSql(`
      create table sandbox_pg_ledger (
        id bigserial primary key,
        payment_key text not null,
        order_id text not null,
        kind text not null check (kind in ('CHARGE','DECLINE','CANCEL')),
        amount integer not null,
        at timestamptz not null default now()
      )`);
    this.addSql('create index sandbox_pg_ledger_order_idx on sandbox_pg_ledger (order_id)');
  }
}
