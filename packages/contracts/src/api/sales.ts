import { z } from 'zod';
import { conditionsSchema, SALE_STATUSES } from '../sale-snapshot';
import { instant, isoDateTime, krw, listOf, pageOf, pageQuery } from './common';

/** Whether a refunded seat goes back on sale. */
export const REFUND_POLICIES = ['RESTOCK', 'NO_RESTOCK'] as const;
export type RefundPolicy = (typeof REFUND_POLICIES)[number];

// Requests. A sale's rules hold for a new sale and for a patched draft alike: the event service
// checks the merged draft against createSaleSchema again, under the sale's row lock.

/** What a valid sale is, field by field. */
const fields = {
  name: z.string().trim().min(1).max(200),
  product: z
    .object({
      sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, dot, dash or underscore'),
      name: z.string().trim().min(1).max(200),
    })
    .strict(),
  unitPrice: z.number().int('must be an integer amount of KRW').min(0, 'must not be negative').max(100_000_000),
  stock: z.number().int().min(1, 'must be at least 1').max(1_000_000),
  perUserLimit: z.number().int().min(1, 'must be at least 1').max(100),
  opensAt: isoDateTime,
  closesAt: isoDateTime,
  holdTtlSeconds: z.number().int().min(30, 'must be between 30 and 3600 seconds').max(3600, 'must be between 30 and 3600 seconds'),
  conditions: conditionsSchema,
  refundPolicy: z.enum(REFUND_POLICIES),
};

type SaleInput = {
  opensAt: string;
  closesAt: string;
  perUserLimit: number;
  stock: number;
};

/** Rules across fields, reported on the field to fix. */
function crossChecks(s: SaleInput, ctx: z.RefinementCtx) {
  if (Date.parse(s.closesAt) <= Date.parse(s.opensAt)) {
    ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'must be after opensAt' });
  }
  if (s.stock >= 1 && s.perUserLimit > s.stock) {
    ctx.addIssue({ code: 'custom', path: ['perUserLimit'], message: 'must not exceed stock' });
  }
}

/** A new sale. Unknown fields (status, sold, version...) are refused, never silently dropped. */
export const createSaleSchema = z
  .object({
    ...fields,
    perUserLimit: fields.perUserLimit.default(1),
    holdTtlSeconds: fields.holdTtlSeconds.default(300),
    conditions: conditionsSchema.default({}),
    refundPolicy: fields.refundPolicy.default('RESTOCK'),
  })
  .strict()
  .superRefine(crossChecks);

export type CreateSale = z.infer<typeof createSaleSchema>;

/** A change to a draft: any subset of the fields; the merged result is checked like a new sale. */
export const updateSaleSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'expected at least one field to change');

export type UpdateSale = z.infer<typeof updateSaleSchema>;

export const transitionSchema = z.object({ to: z.enum(SALE_STATUSES) }).strict();

export const listSalesQuery = z.object({
  status: listOf(SALE_STATUSES).optional(),
  sku: z.string().min(1).max(64).optional(),
  opensFrom: isoDateTime.optional(),
  opensUntil: isoDateTime.optional(),
  ...pageQuery,
});

// Responses

/** What any signed-in shopper may read. Conditions stay private: an allow-list names other users. */
export const publicSaleView = z.strictObject({
  id: z.string(),
  name: z.string(),
  product: z.strictObject({ sku: z.string(), name: z.string() }),
  unitPrice: krw,
  stock: z.number().int().positive(),
  perUserLimit: z.number().int().positive(),
  opensAt: instant,
  closesAt: instant,
  holdTtlSeconds: z.number().int().positive(),
  status: z.enum(SALE_STATUSES),
}).meta({ id: 'PublicSale' });
export type PublicSaleView = z.infer<typeof publicSaleView>;

/** The full record, for operators, auditors and the audit log. */
export const staffSaleView = publicSaleView.extend({
  conditions: conditionsSchema,
  refundPolicy: z.enum(REFUND_POLICIES),
  /** Seats sold according to recorded orders. */
  sold: z.number().int().nonnegative(),
  /** Increases on every change a shopper or the entry service could notice. */
  version: z.number().int().nonnegative(),
  armedAt: instant.nullable(),
  createdBy: z.string(),
  createdAt: instant,
  updatedAt: instant,
}).meta({ id: 'StaffSale' });
export type StaffSaleView = z.infer<typeof staffSaleView>;

/** Staff read the full record, shoppers the public one. */
export const saleView = z.union([staffSaleView, publicSaleView]);
export const salePage = pageOf(saleView, 'SalePage');

/** A sale's counters in Redis, once armed. */
export const inventoryView = z.strictObject({
  total: z.number().int(),
  available: z.number().int(),
  held: z.number().int(),
  sold: z.number().int(),
  /** Seats per user. */
  limit: z.number().int(),
  holdTtlSeconds: z.number().int(),
  /** When the inventory was written, in epoch milliseconds. */
  armedAt: z.number().int(),
}).meta({ id: 'Inventory' });

export const armResult = z.strictObject({
  saleId: z.string(),
  /** Whether this call wrote the inventory (false: it already was). */
  armedNow: z.boolean(),
  armedAt: instant.nullable(),
  /** Absent when Redis no longer holds it. */
  inventory: inventoryView.optional(),
}).meta({ id: 'ArmResult' });
export type ArmResult = z.infer<typeof armResult>;

/** What was sold (PostgreSQL, the record) next to what Redis holds live (null until armed). */
export const saleStats = z.strictObject({
  saleId: z.string(),
  status: z.enum(SALE_STATUSES),
  stock: z.number().int(),
  sold: z.number().int(),
  held: z.number().int().nullable(),
  available: z.number().int().nullable(),
  revenue: krw,
  armed: z.boolean(),
  redisSold: z.number().int().nullable(),
}).meta({ id: 'SaleStats' });
export type SaleStats = z.infer<typeof saleStats>;
