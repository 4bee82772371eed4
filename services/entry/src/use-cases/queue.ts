import { AppError } from '@stampede/chassis/errors';
import { checkEligibility, type Principal, type SaleSnapshot } from '@stampede/contracts';
import type { AdmissionView, QueueView } from '@stampede/contracts/api';
import { indexRoom, joinQueue, queuePlace, type Place } from '@stampede/ledger';
import type { Deps } from '../deps';
import { estimatedWait, notJoinableReason, roomOf } from '../domain/room';
import { noSale } from './entries';

const OFF: QueueView = { ticket: null, status: 'OFF', position: 0, ahead: 0, estimatedWaitSeconds: null };
const SOLD_OUT: QueueView = { ticket: null, status: 'SOLD_OUT', position: 0, ahead: 0, estimatedWaitSeconds: null };

/** Sales this replica has put in the rooms index already (one SADD per sale and replica). */
const indexedHere = new Set<string>();

async function roomSale(d: Deps, saleId: string): Promise<SaleSnapshot> {
  const sale = await d.sales.snapshot(saleId);
  if (!sale) throw noSale();
  return sale;
}

function signer(d: Deps) {
  if (!d.signer) throw new AppError('UNAVAILABLE', 'The waiting room is unavailable');
  return d.signer;
}

/** The admission of an admitted place, signed for this sale and user until the place's expiry. */
export function admissionOf(d: Deps, saleId: string, userId: string, expiresAt: number): AdmissionView {
  return { token: signer(d).admission(saleId, userId, expiresAt), expiresAt: new Date(expiresAt).toISOString() };
}

/** A place as the API answers it. */
function viewOf(d: Deps, sale: SaleSnapshot, userId: string, p: Place): QueueView {
  const room = roomOf(sale);
  switch (p.status) {
    case 'SOLD_OUT':
      return SOLD_OUT;
    case 'ADMITTED':
      return { ticket: null, status: 'ADMITTED', position: 0, ahead: 0, estimatedWaitSeconds: 0, admission: admissionOf(d, sale.saleId, userId, p.expiresAt) };
    case 'WAITING': {
      const measured = d.rooms.latest(sale.saleId)?.state.measuredRate ?? 0;
      const expires = Date.now() + (room?.heartbeatTimeoutSeconds ?? 20) * 1000;
      return {
        ticket: signer(d).ticket(sale.saleId, userId, p.seq, expires),
        status: 'WAITING',
        position: p.ahead + 1,
        ahead: p.ahead,
        estimatedWaitSeconds: estimatedWait(p.ahead, measured, room),
      };
    }
    default:
      throw new AppError('NOT_FOUND', 'You have no place in this sale\'s queue: join it first');
  }
}

/**
 * Takes the caller's place in the sale's queue, or answers the one they have (one place per user,
 * by arrival at the sale's shard). The sale must be joinable and the caller eligible; a sale
 * without a room answers OFF: enter directly.
 */
export async function join(d: Deps, who: Principal, saleId: string): Promise<QueueView> {
  const sale = await roomSale(d, saleId);
  const now = Date.now();
  const closed = notJoinableReason(sale, now);
  if (closed) throw new AppError('SALE_NOT_OPEN', `This sale's queue cannot be joined: ${closed}`);
  const e = checkEligibility(sale.conditions, who, now);
  if (!e.eligible) throw new AppError('NOT_ELIGIBLE', `You cannot enter this sale: ${e.reason}`, { reason: e.reason });
  if (!roomOf(sale)) return OFF;
  signer(d);
  const place = await joinQueue(d.redis, saleId, who.userId);
  if (!indexedHere.has(saleId)) {
    await indexRoom(d.redis, saleId);
    indexedHere.add(saleId);
  }
  d.rooms.watch(saleId);
  return viewOf(d, sale, who.userId, place);
}

export type { Place, RoomState } from '@stampede/ledger';

/** A place as the room holds it (NONE when there is none); with `heartbeat`, a waiting place's heartbeat too. */
export const readPlace = (d: Deps, saleId: string, userId: string, heartbeat: boolean): Promise<Place> => queuePlace(d.redis, saleId, userId, heartbeat);

/** The caller's place (a heartbeat for a waiting one); 404 when they have none. */
export async function place(d: Deps, who: Principal, saleId: string): Promise<QueueView> {
  const sale = await roomSale(d, saleId);
  if (!roomOf(sale)) return OFF;
  return viewOf(d, sale, who.userId, await queuePlace(d.redis, saleId, who.userId, true));
}
