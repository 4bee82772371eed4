import { z } from 'zod';
import { ROLES } from './identity';

/**
 * What the event service tells the entry and payment services about a sale
 * (GET /internal/sales/:id/snapshot on event). Entry caches it and revalidates by `version`.
 */
export const SALE_STATUSES = ['DRAFT', 'SCHEDULED', 'OPEN', 'PAUSED', 'CLOSED', 'CANCELLED'] as const;
export type SaleStatus = (typeof SALE_STATUSES)[number];

export const conditionsSchema = z
  .object({
    /** The user must hold one of these roles. */
    roles: z.array(z.enum(ROLES)).min(1).optional(),
    /** The account must be at least this many days old (from the token's account-created claim). */
    minAccountAgeDays: z.number().int().min(0).max(36_500).optional(),
    /** Only these user ids may enter. */
    allowList: z.array(z.string().min(1).max(64)).min(1).max(100_000).optional(),
  })
  .strict();

export type Conditions = z.infer<typeof conditionsSchema>;

/**
 * A sale's waiting room: shoppers queue by arrival and are admitted to enter in that order.
 * `admissionRatePerSecond` 0 lets the platform admit as fast as seats allow; at no time are more
 * shoppers admitted-but-unserved than seats left plus `margin`. A waiting place without a
 * heartbeat for `heartbeatTimeoutSeconds` is dropped; an admission is good for `admissionTtlSeconds`.
 */
export const waitingRoomSchema = z
  .object({
    enabled: z.boolean(),
    admissionRatePerSecond: z.number().int().min(0).max(100_000),
    margin: z.number().int().min(0).max(100_000),
    heartbeatTimeoutSeconds: z.number().int().min(2, 'must be between 2 and 600 seconds').max(600, 'must be between 2 and 600 seconds'),
    admissionTtlSeconds: z.number().int().min(5, 'must be between 5 and 3600 seconds').max(3600, 'must be between 5 and 3600 seconds'),
  })
  .strict();

export type WaitingRoom = z.infer<typeof waitingRoomSchema>;

export const WAITING_ROOM_DEFAULTS: WaitingRoom = {
  enabled: true,
  admissionRatePerSecond: 0,
  margin: 10,
  heartbeatTimeoutSeconds: 20,
  admissionTtlSeconds: 60,
};

export const saleSnapshotSchema = z.object({
  saleId: z.string(),
  status: z.enum(SALE_STATUSES),
  opensAt: z.string().datetime(),
  closesAt: z.string().datetime(),
  sku: z.string(),
  productName: z.string(),
  /** Integer KRW. */
  unitPrice: z.number().int().nonnegative(),
  stock: z.number().int().positive(),
  perUserLimit: z.number().int().positive(),
  holdTtlSeconds: z.number().int().min(1),
  conditions: conditionsSchema,
  /** Whether a refunded seat goes back on sale. */
  refundPolicy: z.enum(['RESTOCK', 'NO_RESTOCK']),
  /** Absent from a snapshot of a sale without a room: shoppers enter directly. */
  waitingRoom: waitingRoomSchema.optional(),
  /** Increases on every change, so caches can revalidate cheaply. */
  version: z.number().int().nonnegative(),
});

export type SaleSnapshot = z.infer<typeof saleSnapshotSchema>;
