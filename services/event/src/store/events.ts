import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Conditions } from '@stampede/contracts';
import type { RequestStatus, Reward, RewardEvent, RewardRequest, RewardType } from '../domain/rewards';
import { EventEntity, RewardEntity, RewardRequestEntity } from './entities';
import type { Em } from '@stampede/chassis/clients/orm';
import type { Page } from '../domain/paging';

export interface NewEvent {
  title: string;
  description: string;
  conditions: Conditions;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  rewards: { type: RewardType; name: string; quantity: number }[];
}

export async function insertEvent(em: Em, e: NewEvent): Promise<{ event: RewardEvent; rewards: Reward[] }> {
  const now = new Date();
  const { rewards, ...fields } = e;
  const event = em.create(EventEntity, { id: randomUUID(), ...fields, createdAt: now, updatedAt: now });
  // The entities declare no relation, so the unit of work cannot order the inserts: the event row
  // goes first for the rewards' foreign key.
  await em.flush();
  return { event, rewards: rewards.map((r) => insertReward(em, event.id, r, now)) };
}

export function insertReward(em: Em, eventId: string, r: NewEvent['rewards'][number], now = new Date()): Reward {
  return em.create(RewardEntity, { id: randomUUID(), eventId, ...r, createdAt: now });
}

export const findEvent = (em: Em, id: string) => em.findOne(EventEntity, { id });

export async function rewardsOf(em: Em, eventIds: string[]): Promise<Map<string, Reward[]>> {
  const byEvent = new Map<string, Reward[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return byEvent;
  const rows = await em.find(RewardEntity, { eventId: { $in: eventIds } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  for (const r of rows) byEvent.get(r.eventId)?.push(r);
  return byEvent;
}

export async function listEvents(em: Em, f: { activeAt?: Date | undefined }, page: Page): Promise<[RewardEvent[], number]> {
  const where: FilterQuery<RewardEvent> = f.activeAt ? { startsAt: { $lte: f.activeAt }, endsAt: { $gt: f.activeAt } } : {};
  return em.findAndCount(EventEntity, where, { orderBy: { startsAt: 'desc', id: 'asc' }, limit: page.limit, offset: page.offset });
}

/** Inserts a PENDING request, or returns undefined when this user already asked for this event. */
export async function insertRequest(em: Em, eventId: string, userId: string): Promise<RewardRequest | undefined> {
  const request = em.create(RewardRequestEntity, { id: randomUUID(), eventId, userId, status: 'PENDING', createdAt: new Date() });
  try {
    await em.flush();
    return request;
  } catch (e) {
    // The unique (user_id, event_id) key decides races between two clicks, not a prior read.
    if (e instanceof UniqueConstraintViolationException) return undefined;
    throw e;
  }
}

export const lockRequest = (em: Em, id: string) => em.findOne(RewardRequestEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });

export interface RequestFilters {
  eventId?: string | undefined;
  userId?: string | undefined;
  status?: RequestStatus[] | undefined;
}

export async function listRequests(em: Em, f: RequestFilters, page: Page): Promise<[RewardRequest[], number]> {
  const where: FilterQuery<RewardRequest> = {};
  if (f.eventId) where.eventId = f.eventId;
  if (f.userId) where.userId = f.userId;
  if (f.status) where.status = { $in: f.status };
  return em.findAndCount(RewardRequestEntity, where, {
    orderBy: { createdAt: 'desc', id: 'asc' },
    limit: page.limit,
    offset: page.offset,
  });
}
