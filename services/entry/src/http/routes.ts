import { trace } from '@opentelemetry/api';
import type { Cluster } from 'ioredis';
import { authenticate, principalOf, requireRoles, type Verifier } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { parse } from '@stampede/chassis/http';
import { openReservation, parseReservationToken, readInventory, releaseHold, reserveHold } from '@stampede/ledger';
import type { Express, Request } from 'express';
import { admit, notOpenReason, rejection } from '../domain/rules';
import type { EntryMetrics } from '../metrics';
import type { SnapshotCache } from '../store/snapshots';
import { entryBody, saleIdParam } from './schemas';

export interface EntryDeps {
  redis: Cluster;
  verifier: Verifier;
  snapshots: SnapshotCache;
  metrics: EntryMetrics;
  availabilityCacheMs: number;
  /** Called for every new hold, so this replica's sweeper covers the sale at once. */
  onHold(saleId: string): void;
}

const noSale = () => new AppError('NOT_FOUND', 'Sale not found');

export function entryRoutes(app: Express, d: EntryDeps): void {
  const auth = authenticate(d.verifier);

  app.post('/sales/:id/entries', auth, requireRoles('USER'), async (req, res) => {
    try {
      const saleId = parse(saleIdParam, req.params.id, 'sale id');
      trace.getActiveSpan()?.setAttribute('stampede.sale_id', saleId);
      const { qty } = parse(entryBody, req.body ?? {});
      const who = principalOf(req);
      const sale = await d.snapshots.get(saleId);
      if (!sale) throw noSale();
      admit(sale, who, qty, Date.now());
      const r = await reserveHold(d.redis, { saleId, userId: who.userId, qty, sku: sale.sku, unitPrice: sale.unitPrice });
      if (r.expiredReleased > 0) d.metrics.holdsExpired.inc({ sale: saleId }, r.expiredReleased);
      if (r.outcome !== 'HELD') throw rejection(r);
      d.metrics.entry('HELD');
      d.onHold(saleId);
      res.status(201).setHeader('cache-control', 'no-store');
      res.json({ reservationToken: r.token, expiresAt: new Date(r.expiresAt).toISOString() });
    } catch (e) {
      d.metrics.entry(outcomeOf(e));
      throw e;
    }
  });

  app.delete('/entries/:token', auth, async (req, res) => {
    const token = String(req.params.token);
    maskToken(req, token);
    const who = principalOf(req);
    const opened = parseReservationToken(token) ? await openReservation(d.redis, token) : undefined;
    if (!opened) throw new AppError('NOT_FOUND', 'Reservation not found or no longer held');
    if (opened.userId !== who.userId) throw new AppError('FORBIDDEN', 'This reservation belongs to someone else');
    if (opened.consumedBy !== undefined) throw new AppError('CONFLICT', 'This reservation is already paid; ask for a refund instead');
    if (!(await releaseHold(d.redis, opened.saleId, opened.holdId))) {
      throw new AppError('CONFLICT', 'This reservation is no longer held');
    }
    res.status(204).end();
  });

  const availability = new Map<string, { at: number; body: unknown }>();
  app.get('/sales/:id/availability', async (req, res) => {
    const saleId = parse(saleIdParam, req.params.id, 'sale id');
    let cached = availability.get(saleId);
    if (!cached || Date.now() - cached.at >= d.availabilityCacheMs) {
      const sale = await d.snapshots.get(saleId);
      if (!sale) throw noSale();
      const inv = await readInventory(d.redis, saleId);
      const body = {
        saleId,
        status: sale.status,
        open: notOpenReason(sale, Date.now()) === undefined && inv !== undefined,
        opensAt: sale.opensAt,
        closesAt: sale.closesAt,
        total: inv?.total ?? sale.stock,
        remaining: inv?.available ?? sale.stock,
      };
      cached = { at: Date.now(), body };
      availability.set(saleId, cached);
      if (availability.size > 10_000) availability.delete(availability.keys().next().value as string);
    }
    res.setHeader('cache-control', `public, max-age=${Math.max(1, Math.ceil(d.availabilityCacheMs / 1000))}`);
    res.json(cached.body);
  });
}

function outcomeOf(e: unknown) {
  if (!(e instanceof AppError)) return 'ERROR' as const;
  switch (e.code) {
    case 'SOLD_OUT':
    case 'ALREADY_ENTERED':
    case 'SALE_NOT_OPEN':
    case 'NOT_ELIGIBLE':
      return e.code;
    case 'INVALID_INPUT':
    case 'NOT_FOUND':
      return 'INVALID' as const;
    default:
      return 'ERROR' as const;
  }
}

/** The request log prints the URL: a reservation token in the path must not reach it. */
function maskToken(req: Request, token: string): void {
  if (token) req.originalUrl = req.originalUrl.replace(encodeURIComponent(token), 'rt_[REDACTED]').replace(token, 'rt_[REDACTED]');
}
