import type { RequestStatus, RewardRequestView, RewardType, RewardView } from '@stampede/contracts/api';

export type { RequestStatus, RewardType };

/** One reward a promotion grants. */
export interface Reward {
  id: string;
  promotionId: string;
  type: RewardType;
  name: string;
  /** Points granted, or number of items/coupons/badges. */
  quantity: number;
  createdAt: Date;
}

/** A user's request for a promotion's rewards; at most one per (user, promotion). */
export interface RewardRequest {
  id: string;
  promotionId: string;
  userId: string;
  status: RequestStatus;
  decidedBy?: string | null;
  decidedAt?: Date | null;
  note?: string | null;
  createdAt: Date;
}

/** Only a pending request can be decided, and only once. */
export const canDecide = (status: RequestStatus) => status === 'PENDING';

/** Clients name the promotion `eventId` (the public paths are /events). */
export const requestView = (r: RewardRequest): RewardRequestView => ({
  id: r.id,
  eventId: r.promotionId,
  userId: r.userId,
  status: r.status,
  decidedBy: r.decidedBy ?? null,
  decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
  note: r.note ?? null,
  createdAt: r.createdAt.toISOString(),
});

export const rewardView = (r: Reward): RewardView => ({ id: r.id, type: r.type, name: r.name, quantity: r.quantity });
