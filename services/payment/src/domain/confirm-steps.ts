import { PAYMENT_STATUSES } from '@stampede/contracts/api';
import { amountOf, isPaid, type PaymentStatus, type Reservation } from './payment';

/**
 * One confirm, as an explicit state machine. The use case reads the payment row and the sealed
 * reservation, asks `nextStep` what to do, executes that one step (which changes what it knows),
 * and asks again, until a step answers the client. Every rule of a confirm is here, none in the
 * executor:
 *
 * - the reservation's owner and amount are checked before anything is written or charged;
 * - a paid hold answers with its stored payment (a repeat never charges again);
 * - a charge is taken only by the confirm that won the conditional claim (PENDING/FAILED →
 *   CHARGING), and never for a hold that has expired or whose seat went to another payment;
 * - once this confirm holds the claim, Redis decides whether the seat is still there (consume), so
 *   a charge that loses the race to expiry is voided, and the answer is 410.
 */

/**
 * What one confirm knows of the hold's payment: no row yet, a stored status it does not hold the
 * claim of, the claim lost to a concurrent confirm (CONTENDED), or, while this confirm holds the
 * CHARGING claim, how far its own charge got.
 */
export const PAYMENT_STATES = ['NONE', ...PAYMENT_STATUSES, 'CONTENDED', 'CLAIMED', 'CHARGED', 'DECLINED', 'PSP_DOWN'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/**
 * The reservation as this confirm sees it: still held (before its expiry), past its expiry but not
 * yet released, turned into a sale by this payment or by another payment reference, or missing
 * (unknown, released, expired long ago, or refused by Redis as expired at consume).
 */
export const RESERVATION_STATES = ['HELD', 'EXPIRED', 'CONSUMED_BY_THIS', 'CONSUMED_BY_OTHER', 'MISSING'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/** Steps that change what the confirm knows; the executor asks again after each. */
export const ACTION_STEPS = ['create-pending', 'claim-charge', 'charge', 'consume-hold', 'record-confirmed', 'void-charge'] as const;
/** Steps that end the confirm with its answer (some write first: a decline, a released claim). */
export const FINAL_STEPS = [
  'answer-paid',
  'reject-owner',
  'reject-amount',
  'reject-expired',
  'sweep-expired',
  'reject-busy',
  'record-declined',
  'release-claim',
  'abandon-claim',
] as const;
export type ConfirmStep = (typeof ACTION_STEPS)[number] | (typeof FINAL_STEPS)[number];

export interface PaymentFacts {
  state: Exclude<PaymentState, 'NONE'>;
  id: string;
  userId: string;
  amount: number;
}

export type ReservationFacts = Pick<Reservation, 'userId' | 'unitPrice' | 'qty' | 'expiresAt'> & { consumedBy?: string };

/** Who asks, and the amount the client says it pays (compared, never charged). */
export interface ConfirmRequest {
  userId: string;
  amount: number;
}

const paymentStateOf = (p: PaymentFacts | undefined): PaymentState => p?.state ?? 'NONE';

export function reservationStateOf(r: ReservationFacts | undefined, paymentId: string | undefined, now: number): ReservationState {
  if (!r) return 'MISSING';
  if (r.consumedBy !== undefined) return r.consumedBy === paymentId ? 'CONSUMED_BY_THIS' : 'CONSUMED_BY_OTHER';
  return r.expiresAt <= now ? 'EXPIRED' : 'HELD';
}

/**
 * A lost claim: a paid or voided payment answers as such; anything else means another confirm
 * of the same hold is charging right now.
 */
export const afterLostClaim = (status: PaymentStatus): PaymentState => (isPaid(status) || status === 'VOIDED' ? status : 'CONTENDED');

/** The one step to execute next. Pure: the same facts always give the same step. */
export function nextStep(payment: PaymentFacts | undefined, reservation: ReservationFacts | undefined, request: ConfirmRequest, now: number): ConfirmStep {
  const p = paymentStateOf(payment);
  const r = reservationStateOf(reservation, payment?.id, now);
  // The owner is the reservation's; once it is gone, the payment row (created from it) remembers.
  const owner = reservation?.userId ?? payment?.userId;
  if (owner === undefined) return 'reject-expired';
  if (owner !== request.userId) return 'reject-owner';
  if (reservation && request.amount !== amountOf(reservation)) return 'reject-amount';

  switch (p) {
    case 'CONFIRMED':
    case 'REFUNDING':
    case 'REFUNDED':
      return request.amount === payment?.amount ? 'answer-paid' : 'reject-amount';
    case 'VOIDED':
      return 'reject-expired';
    case 'CONTENDED':
      return 'reject-busy';
    case 'DECLINED':
      return 'record-declined';
    case 'PSP_DOWN':
      return 'release-claim';
    case 'CLAIMED':
      // Holding the claim: charge unless the seat is known to be gone (then nothing is charged).
      return r === 'CONSUMED_BY_OTHER' || r === 'MISSING' ? 'abandon-claim' : 'charge';
    case 'CHARGED':
      if (r === 'CONSUMED_BY_THIS') return 'record-confirmed';
      // Past its expiry by this replica's clock is not final: Redis decides at consume.
      if (r === 'HELD' || r === 'EXPIRED') return 'consume-hold';
      return 'void-charge';
    case 'NONE':
    case 'PENDING':
    case 'FAILED':
    case 'CHARGING':
      if (r === 'MISSING' || r === 'CONSUMED_BY_OTHER') return 'reject-expired';
      // Not worth a charge that would be voided; the overdue hold goes back on sale now.
      if (r === 'EXPIRED') return 'sweep-expired';
      // A CHARGING row is claimed again only when its claim's lease ran out (the store decides).
      return p === 'NONE' ? 'create-pending' : 'claim-charge';
  }
}
