import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { Conditions } from '@stampede/contracts';
import type { Page } from '../domain/paging';
import type { Promotion } from '../domain/promotions';
import type { RequestStatus, Reward, RewardRequest, RewardType } from '../domain/rewards';
import { PromotionEntity, RewardEntity, RewardRequestEntity } from './entities';

export interface NewReward {
  type: RewardType;
  name: string;
  quantity: number;
}

export interface NewPromotion {
  title: string;
  description: string;
  conditions: Conditions;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  rewards: NewReward[];
}

export async function insertPromotion(em: Em, p: NewPromotion): Promise<{ promotion: Promotion; rewards: Reward[] }> {
  const now = new Date();
  const { rewards, ...fields } = p;
  const promotion = em.create(PromotionEntity, { id: randomUUID(), ...fields, createdAt: now, updatedAt: now });
  // The entities declare no relation, so the unit of work cannot order the inserts: the promotion
  // row goes first for the rewards' foreign key.
  await em.flush();
  return { promotion, rewards: rewards.map((r) => insertReward(em, promotion.id, r, now)) };
}

export function insertReward(em: Em, promotionId: string, r: NewReward, now = new Date()): Reward {
  return em.create(RewardEntity, { id: randomUUID(), promotionId, ...r, createdAt: now });
}

export const findPromotion = (em: Em, id: string) => em.findOne(PromotionEntity, { id });

/** The rewards of each promotion, oldest first (an empty list for one that has none). */
export async function rewardsOf(em: Em, promotionIds: string[]): Promise<Map<string, Reward[]>> {
  const byPromotion = new Map<string, Reward[]>(promotionIds.map((id) => [id, []]));
  if (promotionIds.length === 0) return byPromotion;
  const rows = await em.find(RewardEntity, { promotionId: { $in: promotionIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  for (const r of rows) byPromotion.get(r.promotionId)?.push(r);
  return byPromotion;
}

export async function listPromotions(em: Em, f: { activeAt?: Date | undefined }, page: Page): Promise<[Promotion[], number]> {
  const where: FilterQuery<Promotion> = f.activeAt ? { startsAt: { $lte: f.activeAt }, endsAt: { $gt: f.activeAt } } : {};
  return em.findAndCount(PromotionEntity, where, { orderBy: { startsAt: 'desc', id: 'asc' }, limit: page.limit, offset: page.offset });
}

/** Inserts a PENDING request, or returns undefined when this user already asked for this promotion. */
export async function insertRequest(em: Em, promotionId: string, userId: string): Promise<RewardRequest | undefined> {
  const request = em.create(RewardRequestEntity, { id: randomUUID(), promotionId, userId, status: 'PENDING', createdAt: new Date() });
  try {
    await em.flush();
    return request;
  } catch (e) {
    // The unique (user_id, event_id) key decides races between two clicks, not a prior read.
    if (e instanceof UniqueConstraintViolationException) return undefined;
    throw e;
  }
}

/** Inside a transaction: the request locked until commit, so two decisions apply one at a time. */
export const lockRequest = (em: Em, id: string) => em.findOne(RewardRequestEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });

export interface RequestFilters {
  promotionId?: string | undefined;
  userId?: string | undefined;
  status?: RequestStatus[] | undefined;
}

export async function listRequests(em: Em, f: RequestFilters, page: Page): Promise<[RewardRequest[], number]> {
  const where: FilterQuery<RewardRequest> = {};
  if (f.promotionId) where.promotionId = f.promotionId;
  if (f.userId) where.userId = f.userId;
  if (f.status) where.status = { $in: f.status };
  return em.findAndCount(RewardRequestEntity, where, {
    orderBy: { createdAt: 'desc', id: 'asc' },
    limit: page.limit,
    offset: page.offset,
  });
}
