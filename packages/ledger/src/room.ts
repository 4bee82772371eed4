import type { Cluster } from 'ioredis';
import { ROOM_SALES_KEY, saleKeys } from './layout';
import { BEAT, JOIN, PLACE, TICK } from './room-scripts';

/** A shopper's place in a sale's waiting room. Times in ms (Redis time). */
export type Place =
  | { status: 'WAITING'; seq: number; ahead: number }
  | { status: 'ADMITTED'; expiresAt: number }
  | { status: 'SOLD_OUT' }
  | { status: 'NONE' };

/** How the room admits, from the sale's settings. */
export interface AdmissionPolicy {
  /** Whether admission may happen now (sale open, room on). */
  admit: boolean;
  /** Whether the room is on: places without heartbeats are dropped even before the sale opens. */
  roomOn: boolean;
  /** Admissions per second; 0: as fast as seats allow. */
  ratePerSecond: number;
  margin: number;
  heartbeatTimeoutMs: number;
  admissionTtlMs: number;
  /** At most this many admissions per step. */
  maxBatch: number;
}

/** The room and the sale's seats after one admission step. */
export interface RoomState {
  closed: boolean;
  /** When the queue closed (ms), 0 while open. */
  closedAt: number;
  /** The highest arrival number admitted so far (every lower number was admitted or dropped). */
  hwm: number;
  /** The last arrival number given. */
  lastSeq: number;
  waiting: number;
  /** Admitted and not yet served by a hold. */
  unserved: number;
  admitted: number;
  abandoned: number;
  lapsed: number;
  served: number;
  /** Holds ever made on the sale (room on or off). */
  holds: number;
  /** Admissions per second over the last full second. */
  measuredRate: number;
  waitingAtClose: number;
  armed: boolean;
  available: number;
  held: number;
  sold: number;
  total: number;
}

type Scripted = Cluster & {
  stampedeJoin(...args: string[]): Promise<string[]>;
  stampedePlace(...args: string[]): Promise<string[]>;
  stampedeBeat(...args: string[]): Promise<number>;
  stampedeTick(...args: Array<string | number>): Promise<Array<string | number>>;
};

function scripted(redis: Cluster): Scripted {
  const r = redis as Scripted;
  if (typeof r.stampedeJoin !== 'function') {
    redis.defineCommand('stampedeJoin', { numberOfKeys: 6, lua: JOIN });
    redis.defineCommand('stampedePlace', { numberOfKeys: 6, lua: PLACE });
    redis.defineCommand('stampedeBeat', { numberOfKeys: 1, lua: BEAT });
    redis.defineCommand('stampedeTick', { numberOfKeys: 6, lua: TICK });
  }
  return r;
}

const roomKeys = (saleId: string) => {
  const k = saleKeys(saleId);
  return [k.queueSeq, k.queueWait, k.queueBeat, k.queueAdmitted, k.queueMeta, k.inventory];
};

function toPlace(reply: string[]): Place {
  switch (reply[0]) {
    case 'WAITING':
      return { status: 'WAITING', seq: Number(reply[1]), ahead: Number(reply[2]) };
    case 'ADMITTED':
      return { status: 'ADMITTED', expiresAt: Number(reply[1]) };
    case 'SOLD_OUT':
      return { status: 'SOLD_OUT' };
    default:
      return { status: 'NONE' };
  }
}

/**
 * Takes a place in the sale's queue (numbered by arrival), or answers the place the user already
 * has: one place per user. Counts as a heartbeat. The sale joins the index of rooms to run.
 */
export async function joinQueue(redis: Cluster, saleId: string, userId: string): Promise<Place> {
  return toPlace(await scripted(redis).stampedeJoin(...roomKeys(saleId), userId));
}

/** Adds the sale to the index of rooms every replica's admission worker runs. */
export async function indexRoom(redis: Cluster, saleId: string): Promise<void> {
  await redis.sadd(ROOM_SALES_KEY, saleId);
}

export async function roomSaleIds(redis: Cluster): Promise<string[]> {
  return redis.smembers(ROOM_SALES_KEY);
}

/** A closed room no longer needs admission steps. */
export async function unindexRoom(redis: Cluster, saleId: string): Promise<void> {
  await redis.srem(ROOM_SALES_KEY, saleId);
}

/** The user's place (NONE when they have none); with `heartbeat`, a waiting place's heartbeat too. */
export async function queuePlace(redis: Cluster, saleId: string, userId: string, heartbeat: boolean): Promise<Place> {
  return toPlace(await scripted(redis).stampedePlace(...roomKeys(saleId), userId, heartbeat ? '1' : '0'));
}

/** Heartbeats for these users' waiting places, in one step; returns how many were waiting. */
export async function heartbeat(redis: Cluster, saleId: string, userIds: string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  return scripted(redis).stampedeBeat(saleKeys(saleId).queueBeat, ...userIds);
}

/**
 * One admission step on the sale's shard and the room's state after it. Safe on every replica at
 * once: the script is atomic and the budget (rate credit, seats, margin) is kept in Redis.
 */
export async function admissionStep(redis: Cluster, saleId: string, p: AdmissionPolicy): Promise<RoomState> {
  const r = (await scripted(redis).stampedeTick(
    ...roomKeys(saleId),
    p.admit ? '2' : p.roomOn ? '1' : '0', p.ratePerSecond, p.margin, p.heartbeatTimeoutMs, p.admissionTtlMs, p.maxBatch,
  )).map(Number);
  const at = (i: number) => r[i] as number;
  return {
    closed: at(0) === 1,
    hwm: at(1),
    lastSeq: at(2),
    waiting: at(3),
    unserved: at(4),
    admitted: at(5),
    abandoned: at(6),
    lapsed: at(7),
    served: at(8),
    holds: at(9),
    measuredRate: at(10),
    available: at(11),
    held: at(12),
    sold: at(13),
    total: at(14),
    closedAt: at(15),
    waitingAtClose: at(16),
    armed: at(17) === 1,
  };
}
