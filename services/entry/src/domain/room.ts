import type { SaleSnapshot, WaitingRoom } from '@stampede/contracts';
import type { PositionEvent } from '@stampede/contracts/api';
import type { AdmissionPolicy, RoomState } from '@stampede/ledger';
import { notOpenReason } from './rules';

/** The sale's room settings, or undefined when shoppers enter directly. */
export const roomOf = (sale: SaleSnapshot): WaitingRoom | undefined => (sale.waitingRoom?.enabled ? sale.waitingRoom : undefined);

/** Statuses in which shoppers may take a place: before opening too, so the line forms early. */
const JOINABLE = new Set(['SCHEDULED', 'OPEN', 'PAUSED']);

/** Why the sale's queue cannot be joined now, or undefined. */
export function notJoinableReason(sale: SaleSnapshot, now: number): string | undefined {
  if (!JOINABLE.has(sale.status)) return `sale is ${sale.status}`;
  if (now >= Date.parse(sale.closesAt)) return 'sale has closed';
  return undefined;
}

/** How an admission step treats the sale now: it admits only while the sale is open and its room on. */
export function admissionPolicy(sale: SaleSnapshot, now: number, maxBatch: number): AdmissionPolicy {
  const room = roomOf(sale);
  return {
    admit: room !== undefined && notOpenReason(sale, now) === undefined,
    roomOn: room !== undefined,
    ratePerSecond: room?.admissionRatePerSecond ?? 0,
    margin: room?.margin ?? 0,
    heartbeatTimeoutMs: (room?.heartbeatTimeoutSeconds ?? 20) * 1000,
    admissionTtlMs: (room?.admissionTtlSeconds ?? 60) * 1000,
    maxBatch,
  };
}

/**
 * Seconds until `ahead` places before the caller are admitted, at the measured admission rate
 * (the operator's rate until one is measured); null while no rate is known.
 */
export function estimatedWait(ahead: number, measuredRate: number, room: WaitingRoom | undefined): number | null {
  if (ahead === 0) return 0;
  const rate = measuredRate > 0 ? measuredRate : (room?.admissionRatePerSecond ?? 0);
  return rate > 0 ? Math.ceil(ahead / rate) : null;
}

/**
 * A waiting place's position from the room's state alone (no read per place): every number up to
 * `hwm` was admitted or dropped, so at most `seq - hwm - 1` places are ahead, and never more than
 * the others still waiting. Exact unless places ahead were dropped since the last step.
 */
export function positionFrom(seq: number, state: RoomState, room: WaitingRoom | undefined): PositionEvent {
  const ahead = Math.max(0, Math.min(seq - state.hwm - 1, state.waiting - 1));
  return { position: ahead + 1, ahead, estimatedWaitSeconds: estimatedWait(ahead, state.measuredRate, room) };
}
