import { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '@stampede/chassis/auth';
import { hasAnyRole } from '@stampede/contracts';
import type { FilterQuery } from '@mikro-orm/core';
import type { Order } from '../domain/orders';
import { OrderEntity } from '../store/entities';
import { reader } from '@stampede/chassis/clients/orm';
import { paged, pageQuery, parseInput } from './common';
import type { Deps } from './deps';

export const ordersQuery = z
  .object({
    saleId: z.string().min(1).max(64).optional(),
    status: z.enum(['CONFIRMED', 'CANCELLED']).optional(),
    ...pageQuery,
  })
  .strict();

/** What was sold, as recorded from payment events: a shopper sees their own, staff see all. */
export function ordersRoutes({ orm }: Deps): Router {
  const r = Router();
  r.get('/orders', async (req, res) => {
    const who = principalOf(req);
    const q = parseInput(ordersQuery, req.query, 'query');
    const where: FilterQuery<Order> = {};
    if (!hasAnyRole(who, ['OPERATOR', 'AUDITOR', 'ADMIN'])) where.userId = who.userId;
    if (q.saleId) where.saleId = q.saleId;
    if (q.status) where.status = q.status;
    const [orders, total] = await reader(orm).findAndCount(OrderEntity, where, {
      orderBy: { createdAt: 'desc' },
      limit: q.limit,
      offset: q.offset,
    });
    res.json(
      paged(
        orders.map((o) => ({
          id: o.id,
          paymentId: o.paymentId,
          orderId: o.orderId,
          saleId: o.saleId,
          userId: o.userId,
          sku: o.sku,
          qty: o.qty,
          amount: o.amount,
          status: o.status,
          confirmedAt: o.confirmedAt ?? null,
          refundedAt: o.refundedAt ?? null,
        })),
        total,
        q,
      ),
    );
  });
  return r;
}
