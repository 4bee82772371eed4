import { Router } from 'express';
import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema } from '@stampede/contracts';
import { toSnapshot } from '../domain/sale';
import { reader } from '@stampede/chassis/clients/orm';
import { findSale } from '../store/sales';
import { idParam } from './common';
import type { Deps } from './deps';

/** If-None-Match (RFC 9110 13.1.2): weak comparison against a list of tags, or "*". */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

/**
 * Service-to-service routes. The gateway does not route /internal, and the chart's NetworkPolicy
 * admits only the entry and payment pods to this port, so these carry no user token.
 */
export function internalRoutes({ orm }: Deps): Router {
  const r = Router();

  // Entry caches the snapshot and revalidates with If-None-Match; an unchanged sale costs one
  // primary-key read and a 304 with no body.
  r.get('/internal/sales/:id/snapshot', async (req, res) => {
    const sale = await findSale(reader(orm), idParam(req.params.id, 'Sale'));
    if (!sale) throw new AppError('NOT_FOUND', 'Sale not found');
    const etag = `"v${sale.version}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (matches(req.header('if-none-match'), etag)) return void res.status(304).end();
    res.json(saleSnapshotSchema.parse(toSnapshot(sale)));
  });

  return r;
}
