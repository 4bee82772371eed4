import { z } from 'zod';
import { conditionsSchema } from '../sale-snapshot';
import { instant, isoDateTime, listOf, pageOf, pageQuery } from './common';

// Promotions: a period, conditions and rewards. Clients know a promotion as an "event": the
// public paths are /events…, and answers name it `eventId`.

export const REWARD_TYPES = ['POINT', 'ITEM', 'COUPON', 'BADGE'] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

// Requests

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

// Responses

export const rewardView = z.strictObject({
  id: z.string(),
  type: z.enum(REWARD_TYPES),
  name: z.string(),
  /** Points granted, or number of items, coupons or badges. */
  quantity: z.number().int().positive(),
}).meta({ id: 'Reward' });
export type RewardView = z.infer<typeof rewardView>;

/** What every signed-in user reads; conditions and authorship are staff-only (an allow-list names other users). */
const publicPromotionShape = {
  id: z.string(),
  title: z.string(),
  description: z.string(),
  startsAt: instant,
  endsAt: instant,
  rewards: z.array(rewardView),
};
export const publicPromotionView = z.strictObject(publicPromotionShape).meta({ id: 'PublicEvent' });
export const staffPromotionView = z.strictObject({
  ...publicPromotionShape,
  conditions: conditionsSchema,
  createdBy: z.string(),
  createdAt: instant,
}).meta({ id: 'StaffEvent' });
export type PromotionView = z.infer<typeof publicPromotionView> | z.infer<typeof staffPromotionView>;
export const promotionView = z.union([staffPromotionView, publicPromotionView]);
export const promotionPage = pageOf(promotionView, 'EventPage');

/** A user's request for an event's rewards; at most one per user and event. */
export const rewardRequestView = z.strictObject({
  id: z.string(),
  eventId: z.string(),
  userId: z.string(),
  status: z.enum(REQUEST_STATUSES),
  decidedBy: z.string().nullable(),
  decidedAt: instant.nullable(),
  note: z.string().nullable(),
  createdAt: instant,
}).meta({ id: 'RewardRequest' });
export type RewardRequestView = z.infer<typeof rewardRequestView>;
export const rewardRequestPage = pageOf(rewardRequestView, 'RewardRequestPage');
