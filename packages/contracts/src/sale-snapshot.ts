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
  /** Increases on every change, so caches can revalidate cheaply. */
  version: z.number().int().nonnegative(),
});

export type SaleSnapshot = z.infer<typeof saleSnapshotSchema>;
