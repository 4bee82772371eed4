import { AppError } from '@stampede/chassis/errors';
import type { SaleStatus } from '@stampede/contracts';

/**
 * The sale lifecycle. CLOSED and CANCELLED are final; PAUSED is a stop inside an OPEN sale that
 * can resume, close for good or be called off.
 */
const SALE_TRANSITIONS: Readonly<Record<SaleStatus, readonly SaleStatus[]>> = {
  DRAFT: ['SCHEDULED', 'CANCELLED'],
  SCHEDULED: ['OPEN', 'CANCELLED'],
  OPEN: ['PAUSED', 'CLOSED'],
  PAUSED: ['OPEN', 'CLOSED', 'CANCELLED'],
  CLOSED: [],
  CANCELLED: [],
};

export const canTransition = (from: SaleStatus, to: SaleStatus): boolean => SALE_TRANSITIONS[from].includes(to);

export function assertTransition(from: SaleStatus, to: SaleStatus): void {
  if (canTransition(from, to)) return;
  const allowed = SALE_TRANSITIONS[from];
  throw new AppError(
    'INVALID_TRANSITION',
    `A ${from} sale cannot become ${to}` + (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`),
    { from, to, allowed },
  );
}

/** Only a draft may still be edited: once scheduled, shoppers and the entry service rely on it. */
export const isEditable = (status: SaleStatus) => status === 'DRAFT';

/** Inventory may be written once the sale is scheduled and until it ends. */
export const ARMABLE: readonly SaleStatus[] = ['SCHEDULED', 'OPEN', 'PAUSED'];

/** Statuses a shopper may see; drafts and cancelled sales stay among staff. */
export const PUBLIC_STATUSES: readonly SaleStatus[] = ['SCHEDULED', 'OPEN', 'PAUSED', 'CLOSED'];
