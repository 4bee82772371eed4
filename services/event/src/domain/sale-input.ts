import { z } from 'zod';
import { conditionsSchema } from '@stampede/contracts';
import { isoDateTime } from './input';
import { REFUND_POLICIES, type Sale } from './sale';

/** What a valid sale is, field by field (the same rules for a new sale and a patched draft). */
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

/** The sale's editable fields in the request shape, so a patch is merged and re-validated whole. */
export const asInput = (s: Sale): CreateSale => ({
  name: s.name,
  product: { sku: s.sku, name: s.productName },
  unitPrice: s.unitPrice,
  stock: s.stock,
  perUserLimit: s.perUserLimit,
  opensAt: s.opensAt.toISOString(),
  closesAt: s.closesAt.toISOString(),
  holdTtlSeconds: s.holdTtlSeconds,
  conditions: s.conditions,
  refundPolicy: s.refundPolicy,
});

/** The stored fields of a sale from a valid input. */
export const saleFields = (v: CreateSale) => ({
  name: v.name,
  sku: v.product.sku,
  productName: v.product.name,
  unitPrice: v.unitPrice,
  stock: v.stock,
  perUserLimit: v.perUserLimit,
  opensAt: new Date(v.opensAt),
  closesAt: new Date(v.closesAt),
  holdTtlSeconds: v.holdTtlSeconds,
  conditions: v.conditions,
  refundPolicy: v.refundPolicy,
});
