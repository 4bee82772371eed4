import { Migration } from '@mikro-orm/migrations';

/** The payment service's tables. Applied once; its name is recorded, so it never runs twice. */
export class PaymentsMigration extends Migration {
  override up(): void {
    this.addSql(`
      create table payments (
        id uuid primary key,
        order_id text not null unique,
        hold_id text not null unique,
        sale_id text not null,
        user_id text not null,
        sku text not null,
        qty integer not null check (qty > 0),
        amount integer not null check (amount >= 0),
        status text not null check (status in ('PENDING','CHARGING','FAILED','CONFIRMED','VOIDED','REFUNDING','REFUNDED')),
        pg_provider text not null,
        pg_payment_key text null,
        pg_status text null,
        failure_code text null,
        failure_message text null,
        attempts integer not null default 0,
        claimed_at timestamptz null,
        approved_at timestamptz null,
        confirmed_at timestamptz null,
        voided_at timestamptz null,
        refunded_at timestamptz null,
        refund_amount integer null,
        stock_returned boolean null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index payments_user_idx on payments (user_id)');
    this.addSql('create index payments_sale_status_idx on payments (sale_id, status)');
    this.addSql(`
      create table payment_pg_events (
        id bigserial primary key,
        payment_id uuid not null references payments (id),
        source text not null,
        from_status text null,
        to_status text not null,
        at timestamptz not null default now()
      )`);
    this.addSql(`
      create table idempotency_keys (
        scope text not null,
        principal text not null,
        key text not null,
        fingerprint text not null,
        status text not null check (status in ('IN_PROGRESS','DONE')),
        response_status integer null,
        -- json, not jsonb: a replayed answer is byte-for-byte the first one (jsonb reorders keys).
        response_body json null,
        created_at timestamptz not null default now(),
        completed_at timestamptz null,
        primary key (scope, principal, key)
      )`);
    this.addSql(`
      create table outbox (
        id bigserial primary key,
        event_id uuid not null unique,
        topic text not null,
        msg_key text not null,
        payload jsonb not null,
        headers jsonb not null default '{}',
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        attempts integer not null default 0,
        last_error text null
      )`);
    this.addSql('create index outbox_unsent_idx on outbox (id) where sent_at is null');
    this.addSql(`
      create table webhook_deliveries (
        delivery_id text primary key,
        event_type text not null,
        order_id text null,
        received_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table customers (
        user_id text primary key,
        customer_key text not null unique,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table subscriptions (
        id uuid primary key,
        user_id text not null,
        customer_key text not null,
        plan text not null,
        billing_cycle text not null,
        amount integer not null,
        status text not null check (status in ('PENDING_BILLING_KEY','ACTIVE','CANCELED')),
        billing_key_enc text null,
        card_masked text null,
        created_at timestamptz not null default now(),
        activated_at timestamptz null
      )`);
    this.addSql('create index subscriptions_user_idx on subscriptions (user_id)');
  }
}
