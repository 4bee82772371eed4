/**
 * Promotions: a period, conditions and rewards, and the reward requests users make for them.
 * Clients know a promotion as an "event": the public paths are `/events`, `/events/:id`,
 * `/events/:id/rewards`, `/events/:id/request` and `/events/requests[/:id/approve|reject]`, the
 * responses name it `eventId`, and audit lines record it as entity type `event`.
 */
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import { checkEligibility } from '@stampede/contracts';
import type { Deps } from '../deps';
import { isStaff, type Actor } from '../domain/access';
import { paged, type Page } from '../domain/paging';
import { checkPeriod, promotionView } from '../domain/promotions';
import { canDecide, requestView, rewardView, type RequestStatus } from '../domain/rewards';
import { recordAudit } from '../store/audit';
import {
  findPromotion,
  insertPromotion,
  insertRequest,
  insertReward,
  listPromotions as findPromotions,
  listRequests,
  lockRequest,
  rewardsOf,
  type NewPromotion,
  type NewReward,
  type RequestFilters,
} from '../store/promotions';

const notFound = () => new AppError('NOT_FOUND', 'Event not found');

export async function createPromotion(d: Deps, actor: Actor, input: Omit<NewPromotion, 'createdBy'>) {
  return transaction(d.orm, async (em) => {
    const { promotion, rewards } = await insertPromotion(em, { ...input, createdBy: actor.userId });
    const view = promotionView(promotion, rewards, true);
    recordAudit(em, { actor, action: 'event.create', entityType: 'event', entityId: promotion.id, after: view });
    return view;
  });
}

/** `active`: only the promotions running now. */
export async function listPromotions(d: Deps, actor: Actor, input: { active: boolean } & Page) {
  const em = reader(d.orm);
  const [promotions, total] = await findPromotions(em, { activeAt: input.active ? new Date() : undefined }, input);
  const rewards = await rewardsOf(em, promotions.map((p) => p.id));
  const staff = isStaff(actor);
  return paged(promotions.map((p) => promotionView(p, rewards.get(p.id) ?? [], staff)), total, input);
}

export async function getPromotion(d: Deps, actor: Actor, id: string) {
  const em = reader(d.orm);
  const promotion = await findPromotion(em, id);
  if (!promotion) throw notFound();
  const rewards = await rewardsOf(em, [promotion.id]);
  return promotionView(promotion, rewards.get(promotion.id) ?? [], isStaff(actor));
}

export async function addReward(d: Deps, actor: Actor, input: { promotionId: string; reward: NewReward }) {
  return transaction(d.orm, async (em) => {
    if (!(await findPromotion(em, input.promotionId))) throw notFound();
    const created = rewardView(insertReward(em, input.promotionId, input.reward));
    recordAudit(em, { actor, action: 'event.reward.add', entityType: 'event', entityId: input.promotionId, after: created });
    return created;
  });
}

/** A user asks for a promotion's rewards: inside its period, meeting its conditions, once. */
export async function requestReward(d: Deps, actor: Actor, promotionId: string) {
  return transaction(d.orm, async (em) => {
    const promotion = await findPromotion(em, promotionId);
    if (!promotion) throw notFound();
    const period = checkPeriod(promotion);
    if (!period.open) throw new AppError('CONDITION_NOT_MET', `Condition not met: ${period.reason}`, { reason: period.reason });
    const eligible = checkEligibility(promotion.conditions, actor);
    if (!eligible.eligible) {
      throw new AppError('CONDITION_NOT_MET', `Condition not met: ${eligible.reason}`, { reason: eligible.reason });
    }
    const created = await insertRequest(em, promotionId, actor.userId);
    if (!created) throw new AppError('ALREADY_EXISTS', 'You have already requested the reward of this event');
    return requestView(created);
  });
}

export async function listRewardRequests(d: Deps, actor: Actor, input: RequestFilters & Page) {
  // A shopper's list is their own, whatever userId they ask for.
  const userId = isStaff(actor) ? input.userId : actor.userId;
  const [requests, total] = await listRequests(reader(d.orm), { ...input, userId }, input);
  return paged(requests.map(requestView), total, input);
}

export const DECISIONS = { approve: 'APPROVED', reject: 'REJECTED' } as const satisfies Record<string, RequestStatus>;

/** A pending request is approved or rejected once; the decision and its audit line commit together. */
export async function decideRewardRequest(d: Deps, actor: Actor, input: { id: string; decision: keyof typeof DECISIONS; note?: string | undefined }) {
  const status = DECISIONS[input.decision];
  return transaction(d.orm, async (em) => {
    const request = await lockRequest(em, input.id);
    if (!request) throw new AppError('NOT_FOUND', 'Reward request not found');
    if (!canDecide(request.status)) {
      throw new AppError('INVALID_TRANSITION', `This request is already ${request.status}`, { from: request.status, to: status });
    }
    const before = requestView(request);
    request.status = status;
    request.decidedBy = actor.userId;
    request.decidedAt = new Date();
    request.note = input.note ?? null;
    const after = requestView(request);
    recordAudit(em, { actor, action: `reward_request.${input.decision}`, entityType: 'reward_request', entityId: input.id, before, after });
    return after;
  });
}
