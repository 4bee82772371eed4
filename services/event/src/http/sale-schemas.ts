import { z } from 'zod';
import { conditionsSchema, SALE_STATUSES } from '@stampede/contracts';
import { REFUND_POLICIES } from '../domain/sale';
import { isoDateTime, listOf, pageQuery } from './common';

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

export const transitionSchema = z.object({ to: z.enum(SALE_STATUSES) }).strict();

export const listSalesQuery = z.object({
  status: listOf(SALE_STATUSES).optional(),
  sku: z.string().min(1).max(64).optional(),
  opensFrom: isoDateTime.optional(),
  opensUntil: isoDateTime.optional(),
  ...pageQuery,
});
