import { z } from 'zod';
import { conditionsSchema, SALE_STATUSES } from '@stampede/contracts';
import { AUDIT_ENTITY_TYPES } from '../domain/audit';
import { isoDateTime } from '../domain/input';
import { ORDER_STATUSES } from '../domain/orders';
import { REQUEST_STATUSES, REWARD_TYPES } from '../domain/rewards';

// The request schemas of every public route (the OpenAPI document is generated from them).
// A sale's own rules live in domain/: a patched draft is checked against them again.
export { createSaleSchema, updateSaleSchema } from '../domain/sale-input';

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
};

/** `a,b,c` in a query string, each one of `values`. */
const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

// Sales

export const transitionSchema = z.object({ to: z.enum(SALE_STATUSES) }).strict();

export const listSalesQuery = z.object({
  status: listOf(SALE_STATUSES).optional(),
  sku: z.string().min(1).max(64).optional(),
  opensFrom: isoDateTime.optional(),
  opensUntil: isoDateTime.optional(),
  ...pageQuery,
});

// Promotions (public paths /events…; `eventId` is the name clients know)

export const rewardSchema = z
  .object({
    type: z.enum(REWARD_TYPES),
    name: z.string().trim().min(1).max(200),
    quantity: z.number().int().min(1).max(1_000_000).default(1),
  })
  .strict();

export const createPromotionSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5_000).default(''),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
    conditions: conditionsSchema.default({}),
    rewards: z.array(rewardSchema).min(1).max(20),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (Date.parse(e.endsAt) <= Date.parse(e.startsAt)) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    }
  });

export const listPromotionsQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  ...pageQuery,
});

export const listRewardRequestsQuery = z.object({
  eventId: z.string().min(1).max(64).optional(),
  userId: z.string().min(1).max(64).optional(),
  status: listOf(REQUEST_STATUSES).optional(),
  ...pageQuery,
});

export const decisionSchema = z.object({ note: z.string().trim().max(500).optional() }).strict();

// Orders and audit

export const ordersQuery = z
  .object({
    saleId: z.string().min(1).max(64).optional(),
    status: z.enum(ORDER_STATUSES).optional(),
    ...pageQuery,
  })
  .strict();

export const auditQuery = z.object({
  entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
  entityId: z.string().min(1).max(64).optional(),
  actorId: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  ...pageQuery,
});
