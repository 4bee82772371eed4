import { z } from 'zod';
import { conditionsSchema } from '@stampede/contracts';
import { REQUEST_STATUSES, REWARD_TYPES } from '../domain/rewards';
import { isoDateTime, listOf, pageQuery } from './common';

export const rewardSchema = z
  .object({
    type: z.enum(REWARD_TYPES),
    name: z.string().trim().min(1).max(200),
    quantity: z.number().int().min(1).max(1_000_000).default(1),
  })
  .strict();

export const createEventSchema = z
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

export const listEventsQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  ...pageQuery,
});

export const listRequestsQuery = z.object({
  eventId: z.string().min(1).max(64).optional(),
  userId: z.string().min(1).max(64).optional(),
  status: listOf(REQUEST_STATUSES).optional(),
  ...pageQuery,
});

export const decisionSchema = z.object({ note: z.string().trim().max(500).optional() }).strict();
