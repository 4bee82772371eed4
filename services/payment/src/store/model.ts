import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import type { PaymentStatus } from '../domain/payment';

/** One payment per hold. Amounts are integer KRW from the sealed reservation. */
export interface Payment {
  id: string;
  orderId: string;
  holdId: string;
  saleId: string;
  userId: string;
  sku: string;
  qty: number;
  amount: number;
  status: PaymentStatus;
  pgProvider: string;
  /** The gateway's handle of the charge, needed to cancel it; never logged. */
  pgPaymentKey: string | null;
  /** The gateway's own view of the payment, as its webhooks last reported it. */
  pgStatus: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  attempts: number;
  claimedAt: Date | null;
  approvedAt: Date | null;
  confirmedAt: Date | null;
  voidedAt: Date | null;
  refundedAt: Date | null;
  refundAmount: number | null;
  stockReturned: boolean | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Subscription {
  id: string;
  userId: string;
  customerKey: string;
  plan: string;
  billingCycle: string;
  amount: number;
  status: 'PENDING_BILLING_KEY' | 'ACTIVE' | 'CANCELED';
  /** `{keyId}:{iv}:{authTag}:{data}`, AES-256-GCM; the plain billing key is never stored. */
  billingKeyEnc: string | null;
  cardMasked: string | null;
  createdAt: Date;
  activatedAt: Date | null;
}

const ts = (fieldName: string, nullable = false) => ({ type: 'Date', columnType: 'timestamptz', fieldName, nullable }) as const;

export const PaymentEntity = new EntitySchema<Payment>({
  name: 'Payment',
  tableName: 'payments',
  properties: {
    id: { type: 'uuid', primary: true },
    orderId: { type: 'text', fieldName: 'order_id' },
    holdId: { type: 'text', fieldName: 'hold_id' },
    saleId: { type: 'text', fieldName: 'sale_id' },
    userId: { type: 'text', fieldName: 'user_id' },
    sku: { type: 'text' },
    qty: { type: 'integer' },
    amount: { type: 'integer' },
    status: { type: 'text' },
    pgProvider: { type: 'text', fieldName: 'pg_provider' },
    pgPaymentKey: { type: 'text', fieldName: 'pg_payment_key', nullable: true, lazy: true },
    pgStatus: { type: 'text', fieldName: 'pg_status', nullable: true },
    failureCode: { type: 'text', fieldName: 'failure_code', nullable: true },
    failureMessage: { type: 'text', fieldName: 'failure_message', nullable: true },
    attempts: { type: 'integer' },
    claimedAt: ts('claimed_at', true),
    approvedAt: ts('approved_at', true),
    confirmedAt: ts('confirmed_at', true),
    voidedAt: ts('voided_at', true),
    refundedAt: ts('refunded_at', true),
    refundAmount: { type: 'integer', fieldName: 'refund_amount', nullable: true },
    stockReturned: { type: 'boolean', fieldName: 'stock_returned', nullable: true },
    createdAt: ts('created_at'),
    updatedAt: ts('updated_at'),
  },
});

export const SubscriptionEntity = new EntitySchema<Subscription>({
  name: 'Subscription',
  tableName: 'subscriptions',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'text', fieldName: 'user_id' },
    customerKey: { type: 'text', fieldName: 'customer_key' },
    plan: { type: 'text' },
    billingCycle: { type: 'text', fieldName: 'billing_cycle' },
    amount: { type: 'integer' },
    status: { type: 'text' },
    billingKeyEnc: { type: 'text', fieldName: 'billing_key_enc', nullable: true, lazy: true },
    cardMasked: { type: 'text', fieldName: 'card_masked', nullable: true },
    createdAt: ts('created_at'),
    activatedAt: ts('activated_at', true),
  },
});

class PaymentSchema extends Migration {
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

/** The sandbox gateway's own books: what a real PG would hold on its side. */
class SandboxGatewaySchema extends Migration {
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

/** The entities and the ordered migrations of the payment database. */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [PaymentEntity, SubscriptionEntity] as EntitySchema[],
  migrations: [
    { name: '0001-payments', class: PaymentSchema },
    { name: '0002-sandbox-gateway', class: SandboxGatewaySchema },
  ],
};
