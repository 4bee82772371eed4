import type { Conditions } from '@stampede/contracts';

export const REWARD_TYPES = ['POINT', 'ITEM', 'COUPON', 'BADGE'] as const;
export type RewardType = (typeof REWARD_TYPES)[number];

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Seed 001's event: a period, conditions a user must meet, and the rewards it grants. */
export interface RewardEvent {
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

export interface Reward {
  id: string;
  eventId: string;
  type: RewardType;
  name: string;
  /** Points granted, or number of items/coupons/badges. */
  quantity: number;
  createdAt: Date;
}

export interface RewardRequest {
  id: string;
  eventId: string;
  userId: string;
  status: RequestStatus;
  decidedBy?: string | null;
  decidedAt?: Date | null;
  note?: string | null;
  createdAt: Date;
}

export type PeriodCheck = { open: true } | { open: false; reason: string };

/** A request counts only inside the event's period [startsAt, endsAt). */
export function checkPeriod(e: Pick<RewardEvent, 'startsAt' | 'endsAt'>, now = Date.now()): PeriodCheck {
  if (now < e.startsAt.getTime()) return { open: false, reason: `the event starts at ${e.startsAt.toISOString()}` };
  if (now >= e.endsAt.getTime()) return { open: false, reason: `the event ended at ${e.endsAt.toISOString()}` };
  return { open: true };
}

/** Only a pending request can be decided, and only once. */
export const canDecide = (status: RequestStatus) => status === 'PENDING';

export const requestView = (r: RewardRequest) => ({
  id: r.id,
  eventId: r.eventId,
  userId: r.userId,
  status: r.status,
  decidedBy: r.decidedBy ?? null,
  decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
  note: r.note ?? null,
  createdAt: r.createdAt.toISOString(),
});

export const rewardView = (r: Reward) => ({ id: r.id, type: r.type, name: r.name, quantity: r.quantity });

export function eventView(e: RewardEvent, rewards: Reward[], staff: boolean) {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    startsAt: e.startsAt.toISOString(),
    endsAt: e.endsAt.toISOString(),
    rewards: rewards.map(rewardView),
    ...(staff ? { conditions: e.conditions, createdBy: e.createdBy, createdAt: e.createdAt.toISOString() } : {}),
  };
}
