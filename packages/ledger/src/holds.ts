import type { Cluster } from 'ioredis';
import { CONSUME, EXPIRE, OPEN, RELEASE, RESERVE, RETURN_SOLD } from './hold-scripts';
import { saleKeys } from './layout';
import { holdIdOf, newReservationToken, parseReservationToken } from './token';

/** What a reservation token stands for: sealed in Redis, never sent to the client. Times in ms. */
export interface ReservationPayload {
  holdId: string;
  userId: string;
  saleId: string;
  sku: string;
  unitPrice: number;
  qty: number;
  issuedAt: number;
  expiresAt: number;
}

/** An opened token: its payload, plus the payment reference once the hold became a sale. */
export type OpenedReservation = ReservationPayload & { consumedBy?: string };

export interface ReserveRequest {
  saleId: string;
  userId: string;
  qty: number;
  sku: string;
  unitPrice: number;
  /** The sale's waiting room is on: the user needs a live admission, and the hold consumes it. */
  admission?: boolean;
}

export type ReserveResult = { expiredReleased: number } & (
  | { outcome: 'HELD'; token: string; holdId: string; expiresAt: number }
  | { outcome: 'ALREADY_ENTERED' }
  | { outcome: 'SOLD_OUT'; available: number }
  | { outcome: 'NOT_ARMED' }
  | { outcome: 'ADMISSION_REQUIRED' }
);

export type ConsumeResult =
  | { outcome: 'CONSUMED' }
  | { outcome: 'ALREADY_CONSUMED'; paymentRef: string }
  | { outcome: 'EXPIRED' };

/** How long a token outlives its hold, so a late payer learns "expired" rather than "unknown". */
const TOKEN_GRACE_MS = 10 * 60_000;
/** How long a consumed hold and its token stay readable, for idempotent confirms and audits. */
const CONSUMED_KEEP_MS = 24 * 3_600_000;

type Reply = Array<number | string>;
type Scripted = Cluster & {
  stampedeReserve(...args: Array<string | number>): Promise<Reply>;
  stampedeOpen(...args: string[]): Promise<[string, string, string] | null>;
  stampedeConsume(...args: Array<string | number>): Promise<Reply>;
  stampedeRelease(...args: string[]): Promise<number>;
  stampedeExpire(...args: Array<string | number>): Promise<number>;
  stampedeReturnSold(...args: Array<string | number>): Promise<number>;
};

const SCRIPTS: Array<[keyof Scripted & string, number, string]> = [
  ['stampedeReserve', 7, RESERVE],
  ['stampedeOpen', 2, OPEN],
  ['stampedeConsume', 5, CONSUME],
  ['stampedeRelease', 3, RELEASE],
  ['stampedeExpire', 3, EXPIRE],
  ['stampedeReturnSold', 3, RETURN_SOLD],
];

function scripted(redis: Cluster): Scripted {
  const r = redis as Scripted;
  if (typeof r.stampedeReserve !== 'function') {
    for (const [name, numberOfKeys, lua] of SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
  }
  return r;
}

/**
 * One atomic step on the sale's shard: per-user limit, stock, decrement, hold with expiry, sealed
 * payload under a fresh 256-bit token. The caller has already checked the sale is open and the
 * user eligible; the per-user limit and the hold TTL come from the armed inventory.
 */
export async function reserveHold(redis: Cluster, req: ReserveRequest): Promise<ReserveResult> {
  const k = saleKeys(req.saleId);
  const token = newReservationToken(req.saleId);
  const holdId = holdIdOf(token);
  const [code, expiredReleased, value] = (await scripted(redis).stampedeReserve(
    k.inventory, k.holds, k.users, k.hold(holdId), k.token(token), k.queueAdmitted, k.queueMeta,
    k.prefix, holdId, token, req.userId, req.qty, req.sku, req.unitPrice, req.saleId, TOKEN_GRACE_MS, req.admission ? '1' : '0',
  )) as [number, number, number];
  switch (code) {
    case 1:
      return { outcome: 'HELD', token, holdId, expiresAt: value, expiredReleased };
    case -2:
      return { outcome: 'ALREADY_ENTERED', expiredReleased };
    case -3:
      return { outcome: 'SOLD_OUT', available: value, expiredReleased };
    case -4:
      return { outcome: 'ADMISSION_REQUIRED', expiredReleased };
    default:
      return { outcome: 'NOT_ARMED', expiredReleased };
  }
}

/** The sealed payload behind a token, or undefined for a malformed, unknown, released or expired token. */
export async function openReservation(redis: Cluster, token: string): Promise<OpenedReservation | undefined> {
  const parsed = parseReservationToken(token);
  if (!parsed) return undefined;
  const k = saleKeys(parsed.saleId);
  const reply = await scripted(redis).stampedeOpen(k.token(token), k.hold(holdIdOf(token)));
  if (!reply) return undefined;
  const [payload, state, ref] = reply;
  const opened = JSON.parse(payload) as OpenedReservation;
  if (state === 'C') opened.consumedBy = ref;
  return opened;
}

/**
 * Turns a hold into a sale (held-1, sold+1) and consumes its token, atomically. The same
 * paymentRef again gets ALREADY_CONSUMED with that ref; a different one gets the ref that won, so
 * its caller knows to void its charge. A hold released, or past its expiry, gives EXPIRED (and an
 * overdue hold is released there and then): the caller voids the charge.
 */
export async function consumeHold(redis: Cluster, token: string, paymentRef: string): Promise<ConsumeResult> {
  const parsed = parseReservationToken(token);
  if (!parsed) return { outcome: 'EXPIRED' };
  if (!paymentRef) throw new Error('consumeHold needs a payment reference');
  const k = saleKeys(parsed.saleId);
  const holdId = holdIdOf(token);
  const [outcome, ref] = await scripted(redis).stampedeConsume(
    k.inventory, k.holds, k.users, k.hold(holdId), k.token(token),
    k.prefix, holdId, paymentRef, CONSUMED_KEEP_MS,
  );
  if (outcome === 'CONSUMED') return { outcome };
  if (outcome === 'ALREADY_CONSUMED') return { outcome, paymentRef: String(ref) };
  return { outcome: 'EXPIRED' };
}

/** Returns a held hold's seats to stock (cancel, expiry). True only for the call that released it. */
export async function releaseHold(redis: Cluster, saleId: string, holdId: string): Promise<boolean> {
  const k = saleKeys(saleId);
  return (await scripted(redis).stampedeRelease(k.inventory, k.holds, k.users, k.prefix, holdId)) > 0;
}

/**
 * Releases up to `max` holds of a sale whose expiry (Redis time) has passed. Safe to run from every
 * replica at once: each hold is released by exactly one call. Returns how many this call released.
 */
export async function expireHolds(redis: Cluster, saleId: string, max = 500): Promise<number> {
  const k = saleKeys(saleId);
  return scripted(redis).stampedeExpire(k.inventory, k.holds, k.users, k.prefix, max);
}

/**
 * A refunded sale under the RESTOCK policy: sold-qty, available+qty, and the user may enter again.
 * With a refundRef, a retried refund returns its seats once. False when nothing changed.
 */
export async function returnSoldSeat(
  redis: Cluster,
  saleId: string,
  userId: string,
  qty: number,
  refundRef = '',
): Promise<boolean> {
  const k = saleKeys(saleId);
  return (await scripted(redis).stampedeReturnSold(k.inventory, k.users, `${k.prefix}ret:${refundRef}`, userId, qty, refundRef)) === 1;
}

/** Active holds of a sale (for the holds gauge). */
export async function activeHolds(redis: Cluster, saleId: string): Promise<number> {
  return redis.zcard(saleKeys(saleId).holds);
}
