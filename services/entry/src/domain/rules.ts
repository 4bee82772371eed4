import { AppError } from '@stampede/chassis/errors';
import { checkEligibility, type Principal, type SaleSnapshot } from '@stampede/contracts';
import type { AvailabilityView } from '@stampede/contracts/api';
import type { Inventory, ReserveResult } from '@stampede/ledger';

/** Why a sale cannot be entered right now, or undefined when it is open. Window is [opensAt, closesAt). */
export function notOpenReason(s: SaleSnapshot, now: number): string | undefined {
  if (s.status !== 'OPEN') return `sale is ${s.status}`;
  if (now < Date.parse(s.opensAt)) return 'sale has not opened yet';
  if (now >= Date.parse(s.closesAt)) return 'sale has closed';
  return undefined;
}

export type EntryOutcome = 'HELD' | 'SOLD_OUT' | 'ALREADY_ENTERED' | 'SALE_NOT_OPEN' | 'NOT_ELIGIBLE' | 'INVALID' | 'ERROR';

/** Which outcome an entry attempt is counted under, from the error it ended with. */
export function outcomeOf(e: unknown): EntryOutcome {
  if (!(e instanceof AppError)) return 'ERROR';
  switch (e.code) {
    case 'SOLD_OUT':
    case 'ALREADY_ENTERED':
    case 'SALE_NOT_OPEN':
    case 'NOT_ELIGIBLE':
      return e.code;
    case 'INVALID_INPUT':
    case 'NOT_FOUND':
      return 'INVALID';
    default:
      return 'ERROR';
  }
}

/** The checks made before touching Redis; throws the error the client sees. */
export function admit(s: SaleSnapshot, who: Principal, qty: number, now: number): void {
  const closed = notOpenReason(s, now);
  if (closed) throw new AppError('SALE_NOT_OPEN', `This sale cannot be entered: ${closed}`);
  const e = checkEligibility(s.conditions, who, now);
  if (!e.eligible) throw new AppError('NOT_ELIGIBLE', `You cannot enter this sale: ${e.reason}`, { reason: e.reason });
  if (qty > s.perUserLimit) throw new AppError('INVALID_INPUT', `qty must be at most ${s.perUserLimit}`, { fields: [{ field: 'qty', message: `at most ${s.perUserLimit}` }] });
}

/** A rejected reservation as the client sees it. */
export function rejection(r: Exclude<ReserveResult, { outcome: 'HELD' }>): AppError {
  switch (r.outcome) {
    case 'ALREADY_ENTERED':
      return new AppError('ALREADY_ENTERED', 'You already hold or own as many seats as this sale allows');
    case 'SOLD_OUT':
      return new AppError('SOLD_OUT', r.available > 0 ? `Only ${r.available} seat(s) left` : 'No seats left');
    case 'NOT_ARMED':
      return new AppError('SALE_NOT_OPEN', 'This sale cannot be entered: its inventory is not armed yet');
  }
}

/** A sale's public availability: what anyone may see, without auth (the API's AvailabilityView). */
export type Availability = AvailabilityView;

/** Open only when the snapshot says so and the inventory is armed; counts from Redis once armed. */
export function availabilityOf(sale: SaleSnapshot, inv: Inventory | undefined, now: number): Availability {
  return {
    saleId: sale.saleId,
    status: sale.status,
    open: notOpenReason(sale, now) === undefined && inv !== undefined,
    opensAt: sale.opensAt,
    closesAt: sale.closesAt,
    total: inv?.total ?? sale.stock,
    remaining: inv?.available ?? sale.stock,
  };
}
