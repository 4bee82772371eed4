import type { Express } from 'express';
import { authenticate, requireRoles } from '@stampede/chassis/auth';
import {
  auditQuery,
  createPromotionSchema,
  createSaleSchema,
  decisionSchema,
  listPromotionsQuery,
  listRewardRequestsQuery,
  listSalesQuery,
  ordersQuery,
  rewardSchema,
  transitionSchema,
  updateSaleSchema,
} from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { READERS, WRITERS } from '../domain/access';
import { parseInput } from '../domain/input';
import { listAuditEntries } from '../use-cases/audit';
import { listOrders } from '../use-cases/orders';
import {
  addReward,
  createPromotion,
  decideRewardRequest,
  DECISIONS,
  getPromotion,
  listPromotions,
  listRewardRequests,
  requestReward,
} from '../use-cases/promotions';
import { armSale, createSale, getSale, listSales, saleStats, transitionSale, updateSale } from '../use-cases/sales';
import { saleSnapshot } from '../use-cases/snapshots';
import { actorOf, idParam, optionalDate } from './request';

/** If-None-Match (RFC 9110 13.1.2): weak comparison against a list of tags, or "*". */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function routes(app: Express, deps: Deps): void {
  // Service to service, before the token check: the gateway does not route /internal, and the
  // chart's NetworkPolicy admits only the entry and payment pods to this port. Entry caches the
  // snapshot and revalidates with If-None-Match; an unchanged sale costs one primary-key read and
  // a 304 with no body.
  app.get('/internal/sales/:id/snapshot', async (req, res) => {
    const snapshot = await saleSnapshot(deps, idParam(req.params.id, 'Sale'));
    const etag = `"v${snapshot.version}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (matches(req.header('if-none-match'), etag)) return void res.status(304).end();
    res.json(snapshot);
  });

  app.use(authenticate(deps.verifier));

  // Sales
  app.post('/sales', requireRoles(...WRITERS), async (req, res) => {
    const sale = await createSale(deps, actorOf(req), parseInput(createSaleSchema, req.body));
    res.status(201).location(`/sales/${sale.id}`).json(sale);
  });

  app.get('/sales', async (req, res) => {
    const q = parseInput(listSalesQuery, req.query, 'query');
    res.json(await listSales(deps, actorOf(req), { ...q, opensFrom: optionalDate(q.opensFrom), opensUntil: optionalDate(q.opensUntil) }));
  });

  app.get('/sales/:id', async (req, res) => {
    res.json(await getSale(deps, actorOf(req), idParam(req.params.id, 'Sale')));
  });

  app.patch('/sales/:id', requireRoles(...WRITERS), async (req, res) => {
    const patch = parseInput(updateSaleSchema, req.body);
    res.json(await updateSale(deps, actorOf(req), { id: idParam(req.params.id, 'Sale'), patch }));
  });

  app.post('/sales/:id/transition', requireRoles(...WRITERS), async (req, res) => {
    const { to } = parseInput(transitionSchema, req.body);
    res.json(await transitionSale(deps, actorOf(req), { id: idParam(req.params.id, 'Sale'), to }));
  });

  app.post('/sales/:id/arm', requireRoles(...WRITERS), async (req, res) => {
    res.json(await armSale(deps, actorOf(req), idParam(req.params.id, 'Sale')));
  });

  app.get('/sales/:id/stats', requireRoles(...READERS), async (req, res) => {
    res.json(await saleStats(deps, actorOf(req), idParam(req.params.id, 'Sale')));
  });

  // Promotions, public under /events (see use-cases/promotions.ts)
  app.post('/events', requireRoles(...WRITERS), async (req, res) => {
    const body = parseInput(createPromotionSchema, req.body);
    const promotion = await createPromotion(deps, actorOf(req), { ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) });
    res.status(201).location(`/events/${promotion.id}`).json(promotion);
  });

  app.get('/events', async (req, res) => {
    const q = parseInput(listPromotionsQuery, req.query, 'query');
    res.json(await listPromotions(deps, actorOf(req), { ...q, active: q.active === 'true' }));
  });

  // Before /events/:id, so "requests" is never read as an event id.
  app.get('/events/requests', async (req, res) => {
    const { eventId, ...q } = parseInput(listRewardRequestsQuery, req.query, 'query');
    res.json(await listRewardRequests(deps, actorOf(req), { ...q, promotionId: eventId }));
  });

  for (const decision of Object.keys(DECISIONS) as (keyof typeof DECISIONS)[]) {
    app.post(`/events/requests/:id/${decision}`, requireRoles(...WRITERS), async (req, res) => {
      const { note } = parseInput(decisionSchema, req.body ?? {});
      res.json(await decideRewardRequest(deps, actorOf(req), { id: idParam(req.params.id, 'Reward request'), decision, note }));
    });
  }

  app.get('/events/:id', async (req, res) => {
    res.json(await getPromotion(deps, actorOf(req), idParam(req.params.id, 'Event')));
  });

  app.post('/events/:id/rewards', requireRoles(...WRITERS), async (req, res) => {
    const reward = parseInput(rewardSchema, req.body);
    res.status(201).json(await addReward(deps, actorOf(req), { promotionId: idParam(req.params.id, 'Event'), reward }));
  });

  app.post('/events/:id/request', requireRoles('USER'), async (req, res) => {
    const request = await requestReward(deps, actorOf(req), idParam(req.params.id, 'Event'));
    res.status(201).location(`/events/requests/${request.id}`).json(request);
  });

  // Orders and audit
  app.get('/orders', async (req, res) => {
    res.json(await listOrders(deps, actorOf(req), parseInput(ordersQuery, req.query, 'query')));
  });

  app.get('/audit', requireRoles('AUDITOR', 'ADMIN'), async (req, res) => {
    const q = parseInput(auditQuery, req.query, 'query');
    res.json(await listAuditEntries(deps, actorOf(req), { ...q, since: optionalDate(q.since), until: optionalDate(q.until) }));
  });
}
