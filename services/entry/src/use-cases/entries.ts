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
  // A sale this replica just saw sold out answers so without Redis for a moment: in a stampede
  // most shoppers arrive after the last seat went. A seat that comes back (an expiry, a cancel, a
  // refund) waits at most soldOutMemoMs for them.
  if (d.soldOut.has(saleId)) throw rejection({ outcome: 'SOLD_OUT', available: 0, expiredReleased: 0 });
  const r = await reserveHold(d.redis, { saleId, userId: who.userId, qty, sku: sale.sku, unitPrice: sale.unitPrice });
  if (r.expiredReleased > 0) d.metrics.holdsExpired.inc({ sale: saleId }, r.expiredReleased);
  if (r.outcome === 'SOLD_OUT' && r.available === 0) d.soldOut.set(saleId, true);
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
  // The seat is back: this replica stops answering SOLD_OUT from memory at once.
  d.soldOut.delete(opened.saleId);
}
