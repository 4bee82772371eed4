import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { SaleSnapshot } from '@stampede/contracts';
import { admissionStep, heartbeat, roomSaleIds, unindexRoom, type RoomState } from '@stampede/ledger';
import { admissionPolicy } from '../domain/room';

export interface RoomsOptions {
  tickMs: number;
  maxBatch: number;
  logger: Logger;
  snapshot(saleId: string): Promise<SaleSnapshot | undefined>;
  /** Called after every step of a sale this replica runs (metrics). */
  onState?(saleId: string, state: RoomState, sale: SaleSnapshot): void;
}

/** What a live stream of this replica hears about a sale, once per tick. */
type Listener = (state: RoomState, sale: SaleSnapshot) => void;

export interface Rooms {
  /** Runs the sale's room from now on (a join on this replica), before the index is next read. */
  watch(saleId: string): void;
  /** Hears every step of the sale's room; the sale is stepped while anyone listens. Returns the unsubscribe. */
  listen(saleId: string, listener: Listener): () => void;
  /** Sends this user's waiting place a heartbeat with every beat of the sale, until the returned stop. */
  beating(saleId: string, userId: string): () => void;
  /** The latest state of a sale this replica steps, if any. */
  latest(saleId: string): { state: RoomState; sale: SaleSnapshot } | undefined;
  stop(): Promise<void>;
}

interface SaleRoom {
  listeners: Set<Listener>;
  beaters: Map<string, number>;
  lastBeat: number;
  latest?: { state: RoomState; sale: SaleSnapshot };
}

const INDEX_REFRESH_MS = 1_000;
const ENDED = new Set(['CLOSED', 'CANCELLED']);

/**
 * The admission worker every replica runs, and the fan-out of the rooms to this replica's live
 * streams. Each tick, for every room in the index and every sale someone here listens to: one
 * admission step on the sale's shard (atomic, its budget kept in Redis, so every replica may run
 * it) whose answer is the room's state, handed to every local stream of the sale: one Redis call
 * per sale per replica per tick, however many streams are open. Heartbeats of the waiting places
 * whose streams are open here go in one call per sale, a few times per heartbeat timeout.
 */
export function startRooms(redis: Cluster, o: RoomsOptions): Rooms {
  const rooms = new Map<string, SaleRoom>();
  let indexed = new Set<string>();
  let indexedAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastError = 0;

  const room = (saleId: string): SaleRoom => {
    let r = rooms.get(saleId);
    if (!r) rooms.set(saleId, (r = { listeners: new Set(), beaters: new Map(), lastBeat: 0 }));
    return r;
  };

  const step = async (saleId: string) => {
    const sale = await o.snapshot(saleId);
    const r = rooms.get(saleId);
    if (!sale) {
      if (indexed.delete(saleId)) await unindexRoom(redis, saleId);
      if (r && r.listeners.size === 0) rooms.delete(saleId);
      return;
    }
    const policy = admissionPolicy(sale, Date.now(), o.maxBatch);
    const state = await admissionStep(redis, saleId, policy);
    // A closed room, or the room of a sale that ended, needs no more steps; streams still
    // listening keep their sale stepped here.
    if ((state.closed || ENDED.has(sale.status)) && indexed.has(saleId)) {
      indexed.delete(saleId);
      await unindexRoom(redis, saleId);
    }
    o.onState?.(saleId, state, sale);
    const here = room(saleId);
    here.latest = { state, sale };
    // Streams first: a sold-out reaches them before anything else this tick does.
    for (const listener of here.listeners) {
      try {
        listener(state, sale);
      } catch (err) {
        o.logger.warn({ err, saleId }, 'live stream listener failed');
      }
    }
    const beatEvery = Math.max(250, policy.heartbeatTimeoutMs / 4);
    if (!state.closed && here.beaters.size > 0 && Date.now() - here.lastBeat >= beatEvery) {
      here.lastBeat = Date.now();
      await heartbeat(redis, saleId, [...here.beaters.keys()]);
    }
    if (here.listeners.size === 0 && here.beaters.size === 0 && !indexed.has(saleId)) rooms.delete(saleId);
  };

  const tick = async () => {
    if (Date.now() - indexedAt > INDEX_REFRESH_MS) {
      indexed = new Set(await roomSaleIds(redis));
      indexedAt = Date.now();
    }
    const sales = new Set([...indexed, ...[...rooms.entries()].filter(([, r]) => r.listeners.size > 0 || r.beaters.size > 0).map(([id]) => id)]);
    await Promise.all(
      [...sales].map((saleId) =>
        step(saleId).catch((err: unknown) => {
          // Redis or the event service hiccups repeat every tick: log at most once a minute.
          if (Date.now() - lastError > 60_000) o.logger.warn({ err, saleId }, 'waiting room step failed; retrying');
          lastError = Date.now();
        }),
      ),
    );
  };

  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, o.tickMs);
      });
  };
  timer = setTimeout(loop, o.tickMs);

  return {
    watch(saleId) {
      indexed.add(saleId);
      room(saleId);
    },
    listen(saleId, listener) {
      const r = room(saleId);
      r.listeners.add(listener);
      return () => void r.listeners.delete(listener);
    },
    beating(saleId, userId) {
      const r = room(saleId);
      r.beaters.set(userId, (r.beaters.get(userId) ?? 0) + 1);
      return () => {
        const n = (r.beaters.get(userId) ?? 1) - 1;
        if (n <= 0) r.beaters.delete(userId);
        else r.beaters.set(userId, n);
      };
    },
    latest: (saleId) => rooms.get(saleId)?.latest,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
