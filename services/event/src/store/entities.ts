import { EntitySchema } from '@mikro-orm/core';
import type { Sale } from '../domain/sale';
import type { Promotion } from '../domain/promotions';
import type { Reward, RewardRequest } from '../domain/rewards';
import type { Order } from '../domain/orders';
import type { AuditEntry } from '../domain/audit';

// Columns follow the default underscore naming (perUserLimit → per_user_limit) of the
// hand-written migrations. Promotions keep the table and column names clients and dashboards
// already know (`events`, `event_id`).

export const SaleEntity = new EntitySchema<Sale>({
  name: 'Sale',
  tableName: 'sales',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    sku: { type: 'string' },
    productName: { type: 'string' },
    unitPrice: { type: 'integer' },
    stock: { type: 'integer' },
    perUserLimit: { type: 'integer' },
    opensAt: { type: 'Date' },
    closesAt: { type: 'Date' },
    holdTtlSeconds: { type: 'integer' },
    conditions: { type: 'json' },
    refundPolicy: { type: 'string' },
    waitingRoom: { type: 'json' },
    status: { type: 'string' },
    sold: { type: 'integer' },
    version: { type: 'integer' },
    armedAt: { type: 'Date', nullable: true },
    createdBy: { type: 'string' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export const OrderEntity = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: { type: 'string', primary: true },
    paymentId: { type: 'string', unique: true },
    orderId: { type: 'string' },
    saleId: { type: 'string' },
    holdId: { type: 'string' },
    userId: { type: 'string' },
    sku: { type: 'string' },
    qty: { type: 'integer' },
    amount: { type: 'integer' },
    status: { type: 'string' },
    confirmedAt: { type: 'Date', nullable: true },
    refundedAt: { type: 'Date', nullable: true },
    refundAmount: { type: 'integer', nullable: true },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export const PromotionEntity = new EntitySchema<Promotion>({
  name: 'Promotion',
  tableName: 'events',
  properties: {
    id: { type: 'string', primary: true },
    title: { type: 'string' },
    description: { type: 'string' },
    conditions: { type: 'json' },
    startsAt: { type: 'Date' },
    endsAt: { type: 'Date' },
    createdBy: { type: 'string' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export const RewardEntity = new EntitySchema<Reward>({
  name: 'Reward',
  tableName: 'rewards',
  properties: {
    id: { type: 'string', primary: true },
    promotionId: { type: 'string', fieldName: 'event_id' },
    type: { type: 'string' },
    name: { type: 'string' },
    quantity: { type: 'integer' },
    createdAt: { type: 'Date' },
  },
});

export const RewardRequestEntity = new EntitySchema<RewardRequest>({
  name: 'RewardRequest',
  tableName: 'reward_requests',
  properties: {
    id: { type: 'string', primary: true },
    promotionId: { type: 'string', fieldName: 'event_id' },
    userId: { type: 'string' },
    status: { type: 'string' },
    decidedBy: { type: 'string', nullable: true },
    decidedAt: { type: 'Date', nullable: true },
    note: { type: 'string', nullable: true },
    createdAt: { type: 'Date' },
  },
});

export const AuditEntity = new EntitySchema<AuditEntry>({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: { type: 'string', primary: true },
    actorId: { type: 'string' },
    actorRoles: { type: 'json' },
    action: { type: 'string' },
    entityType: { type: 'string' },
    entityId: { type: 'string' },
    before: { type: 'json', nullable: true },
    after: { type: 'json', nullable: true },
    requestId: { type: 'string', nullable: true },
    at: { type: 'Date' },
  },
});
