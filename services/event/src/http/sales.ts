import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Cluster } from 'ioredis';
import { principalOf, requireRoles } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { armSale, readInventory } from '@stampede/ledger';
import { ARMABLE, assertTransition, isEditable, PUBLIC_STATUSES } from '../domain/sale-status';
import { publicView, staffView, type Sale } from '../domain/sale';
import { recordAudit } from '../store/audit';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { findSale, insertSale, listSales, lockSale, saleRevenue, touch } from '../store/sales';
import { idParam, isStaff, paged, parseInput, READERS, WRITERS } from './common';
import type { Deps } from './deps';
import { createSaleSchema, listSalesQuery, transitionSchema, updateSaleSchema, type CreateSale } from './sale-schemas';

const notFound = () => new AppError('NOT_FOUND', 'Sale not found');

/** The sale's editable fields in the request shape, so a patch is merged and re-validated whole. */
const asInput = (s: Sale): CreateSale => ({
  name: s.name,
  product: { sku: s.sku, name: s.productName },
  unitPrice: s.unitPrice,
  stock: s.stock,
  perUserLimit: s.perUserLimit,
  opensAt: s.opensAt.toISOString(),
  closesAt: s.closesAt.toISOString(),
  holdTtlSeconds: s.holdTtlSeconds,
  conditions: s.conditions,
  refundPolicy: s.refundPolicy,
});

function apply(s: Sale, v: CreateSale): void {
  s.name = v.name;
  s.sku = v.product.sku;
  s.productName = v.product.name;
  s.unitPrice = v.unitPrice;
  s.stock = v.stock;
  s.perUserLimit = v.perUserLimit;
  s.opensAt = new Date(v.opensAt);
  s.closesAt = new Date(v.closesAt);
  s.holdTtlSeconds = v.holdTtlSeconds;
  s.conditions = v.conditions;
  s.refundPolicy = v.refundPolicy;
}

const arm = (redis: Cluster, s: Sale) =>
  armSale(redis, { saleId: s.id, total: s.stock, limit: s.perUserLimit, holdTtlSeconds: s.holdTtlSeconds });

export function salesRoutes({ orm, redis, metrics }: Deps): Router {
  const r = Router();

  r.post('/sales', requireRoles(...WRITERS), async (req, res) => {
    const body = parseInput(createSaleSchema, req.body);
    const actor = principalOf(req);
    const sale = await transaction(orm, async (em) => {
      const s = insertSale(em, {
        id: randomUUID(),
        name: body.name,
        sku: body.product.sku,
        productName: body.product.name,
        unitPrice: body.unitPrice,
        stock: body.stock,
        perUserLimit: body.perUserLimit,
        opensAt: new Date(body.opensAt),
        closesAt: new Date(body.closesAt),
        holdTtlSeconds: body.holdTtlSeconds,
        conditions: body.conditions,
        refundPolicy: body.refundPolicy,
        status: 'DRAFT',
        createdBy: actor.userId,
      });
      recordAudit(em, { actor, action: 'sale.create', entityType: 'sale', entityId: s.id, after: staffView(s), requestId: req.id });
      return s;
    });
    res.status(201).location(`/sales/${sale.id}`).json(staffView(sale));
  });

  r.get('/sales', async (req, res) => {
    const q = parseInput(listSalesQuery, req.query, 'query');
    const staff = isStaff(principalOf(req));
    // Shoppers only ever see scheduled-or-later sales, whatever they filter on.
    const status = staff ? q.status : (q.status ?? [...PUBLIC_STATUSES]).filter((s) => PUBLIC_STATUSES.includes(s));
    const [sales, total] = await listSales(
      reader(orm),
      { status, sku: q.sku, opensFrom: q.opensFrom ? new Date(q.opensFrom) : undefined, opensUntil: q.opensUntil ? new Date(q.opensUntil) : undefined },
      q,
    );
    res.json(paged(sales.map(staff ? staffView : publicView), total, q));
  });

  r.get('/sales/:id', async (req, res) => {
    const sale = await findSale(reader(orm), idParam(req.params.id, 'Sale'));
    if (!sale) throw notFound();
    if (isStaff(principalOf(req))) return void res.json(staffView(sale));
    if (!PUBLIC_STATUSES.includes(sale.status)) throw notFound();
    res.json(publicView(sale));
  });

  r.patch('/sales/:id', requireRoles(...WRITERS), async (req, res) => {
    const patch = parseInput(updateSaleSchema, req.body);
    const actor = principalOf(req);
    const id = idParam(req.params.id, 'Sale');
    const sale = await transaction(orm, async (em) => {
      const s = await lockSale(em, id);
      if (!s) throw notFound();
      if (!isEditable(s.status)) throw new AppError('CONFLICT', `Only a DRAFT sale can be changed; this one is ${s.status}`);
      const before = staffView(s);
      apply(s, parseInput(createSaleSchema, { ...asInput(s), ...patch }));
      touch(s);
      recordAudit(em, { actor, action: 'sale.update', entityType: 'sale', entityId: s.id, before, after: staffView(s), requestId: req.id });
      return s;
    });
    res.json(staffView(sale));
  });

  r.post('/sales/:id/transition', requireRoles(...WRITERS), async (req, res) => {
    const { to } = parseInput(transitionSchema, req.body);
    const actor = principalOf(req);
    const id = idParam(req.params.id, 'Sale');
    const sale = await transaction(orm, async (em) => {
      const s = await lockSale(em, id);
      if (!s) throw notFound();
      assertTransition(s.status, to);
      const before = staffView(s);
      // Opening arms the inventory if the operator has not yet: an open sale with no seats in Redis
      // would turn every shopper away. Arming is idempotent, so a retry after a failed commit is safe.
      if (to === 'OPEN' && !s.armedAt) {
        metrics.armed.inc({ result: (await arm(redis, s)) ? 'armed' : 'already_armed' });
        s.armedAt = new Date();
      }
      s.status = to;
      touch(s);
      recordAudit(em, { actor, action: 'sale.transition', entityType: 'sale', entityId: s.id, before, after: staffView(s), requestId: req.id });
      return s;
    });
    res.json(staffView(sale));
  });

  r.post('/sales/:id/arm', requireRoles(...WRITERS), async (req, res) => {
    const actor = principalOf(req);
    const id = idParam(req.params.id, 'Sale');
    const result = await transaction(orm, async (em) => {
      const s = await lockSale(em, id);
      if (!s) throw notFound();
      if (!ARMABLE.includes(s.status)) {
        throw new AppError('CONFLICT', `A ${s.status} sale cannot be armed (allowed: ${ARMABLE.join(', ')})`);
      }
      const before = staffView(s);
      const armedNow = await arm(redis, s);
      metrics.armed.inc({ result: armedNow ? 'armed' : 'already_armed' });
      if (!s.armedAt) {
        s.armedAt = new Date();
        s.updatedAt = s.armedAt;
      }
      recordAudit(em, {
        actor,
        action: 'sale.arm',
        entityType: 'sale',
        entityId: s.id,
        before,
        after: { ...staffView(s), armedNow },
        requestId: req.id,
      });
      return { sale: s, armedNow };
    });
    const inventory = await readInventory(redis, id);
    res.json({ saleId: id, armedNow: result.armedNow, armedAt: result.sale.armedAt?.toISOString() ?? null, inventory });
  });

  r.get('/sales/:id/stats', requireRoles(...READERS), async (req, res) => {
    const id = idParam(req.params.id, 'Sale');
    const em = reader(orm);
    const sale = await findSale(em, id);
    if (!sale) throw notFound();
    const [revenue, inventory] = await Promise.all([saleRevenue(em, id), readInventory(redis, id)]);
    res.json({
      saleId: id,
      status: sale.status,
      stock: sale.stock,
      // PostgreSQL's count of recorded orders: the record of what was sold.
      sold: sale.sold,
      // Redis's live view; null until the sale is armed.
      held: inventory ? inventory.held : null,
      available: inventory ? inventory.available : null,
      revenue,
      armed: inventory !== undefined,
      redisSold: inventory ? inventory.sold : null,
    });
  });

  return r;
}
