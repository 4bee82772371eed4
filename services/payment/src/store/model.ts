import { BigIntType, EntitySchema, type MigrationObject, type OptionalProps } from '@mikro-orm/core';
import type { Payment } from '../domain/payment';
import type { Subscription } from '../domain/subscription';
import { PaymentsMigration } from './migrations/0001-payments';
import { SandboxBooksMigration } from './migrations/0002-sandbox-gateway';
import { RetentionIndexesMigration } from './migrations/0003-retention-indexes';

// The entities map the tables exactly as the migrations create them (column names, defaults);
// the migrations, not the entities, define the schema.
const ts = (fieldName: string, nullable = false) => ({ type: 'Date', columnType: 'timestamptz', fieldName, nullable }) as const;
const createdAt = (fieldName: string) => ({ ...ts(fieldName), defaultRaw: 'now()' }) as const;
const serial = { type: new BigIntType('string'), primary: true, autoincrement: true } as const;

/** Columns the database fills in (defaults, serials): an insert may leave them out. */
type Defaults<T, K extends keyof T> = T & { [OptionalProps]?: K };

export type PaymentRecord = Defaults<Payment, 'attempts' | 'createdAt' | 'updatedAt'>;
export type SubscriptionRecord = Defaults<Subscription, 'createdAt'>;

export const PaymentEntity = new EntitySchema<PaymentRecord>({
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
    pspProvider: { type: 'text', fieldName: 'pg_provider' },
    // Lazy: read only where a charge is cancelled, so it is not in every loaded row.
    paymentKey: { type: 'text', fieldName: 'pg_payment_key', nullable: true, lazy: true },
    pspStatus: { type: 'text', fieldName: 'pg_status', nullable: true },
    failureCode: { type: 'text', fieldName: 'failure_code', nullable: true },
    failureMessage: { type: 'text', fieldName: 'failure_message', nullable: true },
    attempts: { type: 'integer', default: 0 },
    claimedAt: ts('claimed_at', true),
    approvedAt: ts('approved_at', true),
    confirmedAt: ts('confirmed_at', true),
    voidedAt: ts('voided_at', true),
    refundedAt: ts('refunded_at', true),
    refundAmount: { type: 'integer', fieldName: 'refund_amount', nullable: true },
    stockReturned: { type: 'boolean', fieldName: 'stock_returned', nullable: true },
    createdAt: createdAt('created_at'),
    updatedAt: createdAt('updated_at'),
  },
});

/** The provider's status changes of a payment, as its webhooks reported them. */
export interface PspStatusChange {
  [OptionalProps]?: 'id' | 'at';
  id: string;
  paymentId: string;
  source: string;
  fromStatus: string | null;
  toStatus: string;
  at: Date;
}

export const PspStatusChangeEntity = new EntitySchema<PspStatusChange>({
  name: 'PspStatusChange',
  tableName: 'payment_pg_events',
  properties: {
    id: serial,
    paymentId: { type: 'uuid', fieldName: 'payment_id' },
    source: { type: 'text' },
    fromStatus: { type: 'text', fieldName: 'from_status', nullable: true },
    toStatus: { type: 'text', fieldName: 'to_status' },
    at: createdAt('at'),
  },
});

export interface IdempotencyRecord {
  [OptionalProps]?: 'responseStatus' | 'responseBody' | 'createdAt' | 'completedAt';
  scope: string;
  principal: string;
  key: string;
  fingerprint: string;
  status: 'IN_PROGRESS' | 'DONE';
  responseStatus: number | null;
  responseBody: unknown;
  createdAt: Date;
  completedAt: Date | null;
}

export const IdempotencyRecordEntity = new EntitySchema<IdempotencyRecord>({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_keys',
  properties: {
    scope: { type: 'text', primary: true },
    principal: { type: 'text', primary: true },
    key: { type: 'text', primary: true },
    fingerprint: { type: 'text' },
    status: { type: 'text' },
    responseStatus: { type: 'integer', fieldName: 'response_status', nullable: true },
    // json, not jsonb: a replayed answer is byte-for-byte the first one (jsonb reorders keys).
    responseBody: { type: 'json', columnType: 'json', fieldName: 'response_body', nullable: true },
    createdAt: createdAt('created_at'),
    completedAt: ts('completed_at', true),
  },
});

export interface OutboxRecord {
  [OptionalProps]?: 'id' | 'createdAt' | 'sentAt' | 'attempts' | 'lastError';
  id: string;
  eventId: string;
  topic: string;
  msgKey: string;
  payload: unknown;
  headers: Record<string, string>;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export const OutboxEntity = new EntitySchema<OutboxRecord>({
  name: 'OutboxRecord',
  tableName: 'outbox',
  properties: {
    id: serial,
    eventId: { type: 'uuid', fieldName: 'event_id' },
    topic: { type: 'text' },
    msgKey: { type: 'text', fieldName: 'msg_key' },
    payload: { type: 'json', columnType: 'jsonb' },
    headers: { type: 'json', columnType: 'jsonb' },
    createdAt: createdAt('created_at'),
    sentAt: ts('sent_at', true),
    attempts: { type: 'integer', default: 0 },
    lastError: { type: 'text', fieldName: 'last_error', nullable: true },
  },
});

export interface WebhookDelivery {
  [OptionalProps]?: 'receivedAt';
  deliveryId: string;
  eventType: string;
  orderId: string | null;
  receivedAt: Date;
}

export const WebhookDeliveryEntity = new EntitySchema<WebhookDelivery>({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    deliveryId: { type: 'text', primary: true, fieldName: 'delivery_id' },
    eventType: { type: 'text', fieldName: 'event_type' },
    orderId: { type: 'text', fieldName: 'order_id', nullable: true },
    receivedAt: createdAt('received_at'),
  },
});

export interface Customer {
  [OptionalProps]?: 'createdAt';
  userId: string;
  customerKey: string;
  createdAt: Date;
}

export const CustomerEntity = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    userId: { type: 'text', primary: true, fieldName: 'user_id' },
    customerKey: { type: 'text', fieldName: 'customer_key' },
    createdAt: createdAt('created_at'),
  },
});

export const SubscriptionEntity = new EntitySchema<SubscriptionRecord>({
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
    createdAt: createdAt('created_at'),
    activatedAt: ts('activated_at', true),
  },
});

/** A payment session at the sandbox provider: opened by its checkout, charged once by a confirm. */
export interface SandboxSession {
  [OptionalProps]?: 'createdAt' | 'approvedAt' | 'canceledAt' | 'cancelReason';
  paymentKey: string;
  orderId: string;
  amount: number;
  cardMasked: string;
  outcome: string;
  status: 'READY' | 'DONE' | 'DECLINED' | 'CANCELED';
  createdAt: Date;
  approvedAt: Date | null;
  canceledAt: Date | null;
  cancelReason: string | null;
}

export const SandboxSessionEntity = new EntitySchema<SandboxSession>({
  name: 'SandboxSession',
  tableName: 'sandbox_pg_payments',
  properties: {
    paymentKey: { type: 'text', primary: true, fieldName: 'payment_key' },
    orderId: { type: 'text', fieldName: 'order_id' },
    amount: { type: 'integer' },
    cardMasked: { type: 'text', fieldName: 'card_masked' },
    outcome: { type: 'text' },
    status: { type: 'text' },
    createdAt: createdAt('created_at'),
    approvedAt: ts('approved_at', true),
    canceledAt: ts('canceled_at', true),
    cancelReason: { type: 'text', fieldName: 'cancel_reason', nullable: true },
  },
});

export interface SandboxLedgerEntry {
  [OptionalProps]?: 'id' | 'at';
  id: string;
  paymentKey: string;
  orderId: string;
  kind: 'CHARGE' | 'DECLINE' | 'CANCEL';
  amount: number;
  at: Date;
}

export const SandboxLedgerEntity = new EntitySchema<SandboxLedgerEntry>({
  name: 'SandboxLedgerEntry',
  tableName: 'sandbox_pg_ledger',
  properties: {
    id: serial,
    paymentKey: { type: 'text', fieldName: 'payment_key' },
    orderId: { type: 'text', fieldName: 'order_id' },
    kind: { type: 'text' },
    amount: { type: 'integer' },
    at: createdAt('at'),
  },
});

/** The entities and the ordered migrations of the payment database (names are recorded: never rename). */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [
    PaymentEntity,
    PspStatusChangeEntity,
    IdempotencyRecordEntity,
    OutboxEntity,
    WebhookDeliveryEntity,
    CustomerEntity,
    SubscriptionEntity,
    SandboxSessionEntity,
    SandboxLedgerEntity,
  ] as EntitySchema[],
  migrations: [
    { name: '0001-payments', class: PaymentsMigration },
    { name: '0002-sandbox-gateway', class: SandboxBooksMigration },
    { name: '0003-retention-indexes', class: RetentionIndexesMigration },
  ],
};
