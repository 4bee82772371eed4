import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import type { HeldView } from '@stampede/contracts/api';
import { openReservation, parseReservationToken, releaseHold, reserveHold } from '@stampede/ledger';
import type { Deps } from '../deps';
import { admit, rejection } from '../domain/rules';

export const noSale = () => new AppError('NOT_FOUND', 'Sale not found');

/**
 * Holds `qty` seats of a sale for the user: the snapshot's status, window, eligibility and limit
 * first, then one atomic reserve on the sale's shard. Price and SKU come from the snapshot only.
 */
export async function enter(d: Deps, who: Principal, input: { saleId: string; qty: number }): Promise<HeldView> {
  const { saleId, qty } = input;
  const sale = await d.sales.snapshot(saleId);
  if (!sale) throw noSale();
  admit(sale, who, qty, Date.now());
  const r = await reserveHold(d.redis, { saleId, userId: who.userId, qty, sku: sale.sku, unitPrice: sale.unitPrice });
  if (r.expiredReleased > 0) d.metrics.holdsExpired.inc({ sale: saleId }, r.expiredReleased);
  if (r.outcome !== 'HELD') throw rejection(r);
  d.onHold(saleId);
  return { reservationToken: r.token, expiresAt: new Date(r.expiresAt).toISOString() };
}

/** Gives a held seat back at once; only its holder may, and never once it is paid. */
export async function cancel(d: Deps, who: Principal, token: string): Promise<void> {
  const opened = parseReservationToken(token) ? await openReservation(d.redis, token) : undefined;
  if (!opened) throw new AppError('NOT_FOUND', 'Reservation not found or no longer held');
  if (opened.userId !== who.userId) throw new AppError('FORBIDDEN', 'This reservation belongs to someone else');
  if (opened.consumedBy !== undefined) throw new AppError('CONFLICT', 'This reservation is already paid; ask for a refund instead');
  if (!(await releaseHold(d.redis, opened.saleId, opened.holdId))) {
    throw new AppError('CONFLICT', 'This reservation is no longer held');
  }
}
