import { Router } from 'express';
import { principalOf, requireRoles } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { checkEligibility } from '@stampede/contracts';
import { checkPeriod, promotionView } from '../domain/promotions';
import { canDecide, requestView, rewardView, type RequestStatus } from '../domain/rewards';
import { recordAudit } from '../store/audit';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { findPromotion, insertPromotion, insertRequest, insertReward, listPromotions, listRequests, lockRequest, rewardsOf } from '../store/promotions';
import { idParam, isStaff, paged, parseInput, WRITERS } from './common';
import type { Deps } from './deps';
import { createEventSchema, decisionSchema, listEventsQuery, listRequestsQuery, rewardSchema } from './event-schemas';

const eventNotFound = () => new AppError('NOT_FOUND', 'Event not found');

/** Seed 001: events with conditions and periods, their rewards, and users' reward requests. */
export function eventsRoutes({ orm }: Deps): Router {
  const r = Router();

  r.post('/events', requireRoles(...WRITERS), async (req, res) => {
    const body = parseInput(createEventSchema, req.body);
    const actor = principalOf(req);
    const view = await transaction(orm, async (em) => {
      const { promotion: event, rewards } = await insertPromotion(em, {
        ...body,
        startsAt: new Date(body.startsAt),
        endsAt: new Date(body.endsAt),
        createdBy: actor.userId,
      });
      const v = promotionView(event, rewards, true);
      recordAudit(em, { actor, action: 'event.create', entityType: 'event', entityId: event.id, after: v, requestId: req.id });
      return v;
    });
    res.status(201).location(`/events/${view.id}`).json(view);
  });

  r.get('/events', async (req, res) => {
    const q = parseInput(listEventsQuery, req.query, 'query');
    const em = reader(orm);
    const [events, total] = await listPromotions(em, { activeAt: q.active === 'true' ? new Date() : undefined }, q);
    const rewards = await rewardsOf(em, events.map((e) => e.id));
    const staff = isStaff(principalOf(req));
    res.json(paged(events.map((e) => promotionView(e, rewards.get(e.id) ?? [], staff)), total, q));
  });

  // Before /events/:id, so "requests" is never read as an event id.
  r.get('/events/requests', async (req, res) => {
    const q = parseInput(listRequestsQuery, req.query, 'query');
    const who = principalOf(req);
    // A shopper's list is their own, whatever userId they ask for.
    const userId = isStaff(who) ? q.userId : who.userId;
    const [requests, total] = await listRequests(reader(orm), { promotionId: q.eventId, userId, status: q.status }, q);
    res.json(paged(requests.map(requestView), total, q));
  });

  for (const [verb, status] of [['approve', 'APPROVED'], ['reject', 'REJECTED']] as const) {
    r.post(`/events/requests/:id/${verb}`, requireRoles(...WRITERS), async (req, res) => {
      const { note } = parseInput(decisionSchema, req.body ?? {});
      const actor = principalOf(req);
      const id = idParam(req.params.id, 'Reward request');
      const decided = await transaction(orm, async (em) => {
        const request = await lockRequest(em, id);
        if (!request) throw new AppError('NOT_FOUND', 'Reward request not found');
        if (!canDecide(request.status)) {
          throw new AppError('INVALID_TRANSITION', `This request is already ${request.status}`, { from: request.status, to: status });
        }
        const before = requestView(request);
        request.status = status satisfies RequestStatus;
        request.decidedBy = actor.userId;
        request.decidedAt = new Date();
        request.note = note ?? null;
        const after = requestView(request);
        recordAudit(em, { actor, action: `reward_request.${verb}`, entityType: 'reward_request', entityId: id, before, after, requestId: req.id });
        return after;
      });
      res.json(decided);
    });
  }

  r.get('/events/:id', async (req, res) => {
    const em = reader(orm);
    const event = await findPromotion(em, idParam(req.params.id, 'Event'));
    if (!event) throw eventNotFound();
    const rewards = await rewardsOf(em, [event.id]);
    res.json(promotionView(event, rewards.get(event.id) ?? [], isStaff(principalOf(req))));
  });

  r.post('/events/:id/rewards', requireRoles(...WRITERS), async (req, res) => {
    const body = parseInput(rewardSchema, req.body);
    const actor = principalOf(req);
    const id = idParam(req.params.id, 'Event');
    const reward = await transaction(orm, async (em) => {
      if (!(await findPromotion(em, id))) throw eventNotFound();
      const created = rewardView(insertReward(em, id, body));
      recordAudit(em, { actor, action: 'event.reward.add', entityType: 'event', entityId: id, after: created, requestId: req.id });
      return created;
    });
    res.status(201).json(reward);
  });

  r.post('/events/:id/request', requireRoles('USER'), async (req, res) => {
    const who = principalOf(req);
    const id = idParam(req.params.id, 'Event');
    const request = await transaction(orm, async (em) => {
      const event = await findPromotion(em, id);
      if (!event) throw eventNotFound();
      const period = checkPeriod(event);
      if (!period.open) throw new AppError('CONDITION_NOT_MET', `Condition not met: ${period.reason}`, { reason: period.reason });
      const eligible = checkEligibility(event.conditions, who);
      if (!eligible.eligible) {
        throw new AppError('CONDITION_NOT_MET', `Condition not met: ${eligible.reason}`, { reason: eligible.reason });
      }
      const created = await insertRequest(em, id, who.userId);
      if (!created) throw new AppError('ALREADY_EXISTS', 'You have already requested the reward of this event');
      return created;
    });
    res.status(201).location(`/events/requests/${request.id}`).json(requestView(request));
  });

  return r;
}
