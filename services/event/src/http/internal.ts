import { Router } from 'express';
import { AppError, saleSnapshotSchema } from '@stampede/chassis';
import { toSnapshot } from '../domain/sale';
import { readOnly } from '../store/db';
import { findSale } from '../store/sales';
import { idParam } from './common';
import type { Deps } from './deps';

/**
 * Service-to-service routes. The gateway does not route /internal, and the chart's NetworkPolicy
 * admits only the entry and payment pods to this port, so these carry no user token.
 */
export function internalRoutes({ orm }: Deps): Router {
  const r = Router();

  // Entry caches the snapshot and revalidates with If-None-Match; an unchanged sale costs one
  // primary-key read and a 304 with no body.
  r.get('/internal/sales/:id/snapshot', async (req, res) => {
    const sale = await findSale(readOnly(orm), idParam(req.params.id, 'Sale'));
    if (!sale) throw new AppError('NOT_FOUND', 'Sale not found');
    res.setHeader('ETag', `"v${sale.version}"`);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.fresh) return void res.status(304).end();
    res.json(saleSnapshotSchema.parse(toSnapshot(sale)));
  });

  return r;
}
