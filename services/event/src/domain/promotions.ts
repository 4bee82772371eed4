import type { Conditions } from '@stampede/contracts';
import type { PromotionView } from '@stampede/contracts/api';
import { rewardView, type Reward } from './rewards';

/**
 * A promotion: a period, conditions a user must meet, and the rewards it grants to the users
 * whose reward request an operator approves. Clients know it as an "event" (`/events`, audit
 * entity type `event`, table `events`); in code it is a promotion, so it is never mistaken for
 * a payment event or for the service itself.
 */
export interface Promotion {
  id: string;
  title: string;
  description: string;
  conditions: Conditions;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type PeriodCheck = { open: true } | { open: false; reason: string };

/** A request counts only inside the promotion's period [startsAt, endsAt); the reasons say "event", the name clients know. */
export function checkPeriod(p: Pick<Promotion, 'startsAt' | 'endsAt'>, now = Date.now()): PeriodCheck {
  if (now < p.startsAt.getTime()) return { open: false, reason: `the event starts at ${p.startsAt.toISOString()}` };
  if (now >= p.endsAt.getTime()) return { open: false, reason: `the event ended at ${p.endsAt.toISOString()}` };
  return { open: true };
}

/** Conditions and authorship are staff-only: an allow-list names other users. */
export function promotionView(p: Promotion, rewards: Reward[], staff: boolean): PromotionView {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    rewards: rewards.map(rewardView),
    ...(staff ? { conditions: p.conditions, createdBy: p.createdBy, createdAt: p.createdAt.toISOString() } : {}),
  };
}
