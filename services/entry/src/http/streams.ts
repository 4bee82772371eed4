import { AppError } from '@stampede/chassis/errors';
import { principalFrom } from '@stampede/chassis/auth';
import { parse, type FastRequest, type FastRoute } from '@stampede/chassis/http';
import { hasAnyRole, type SaleSnapshot } from '@stampede/contracts';
import { saleIdField, type CountersEvent, type StockEvent } from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { estimatedWait, positionFrom, roomOf } from '../domain/room';
import { noSale } from '../use-cases/entries';
import { admissionOf, readPlace, type Place, type RoomState } from '../use-cases/queue';
import { openStream, type EventStream } from './sse';

const SOLD_OUT_ID = 'sold-out';
const OPS_EVERY_MS = 1_000;

/** The id of the last event the client received (Last-Event-ID), if it sent a sane one. */
function lastEventId(req: FastRequest): string | undefined {
  const v = req.headers['last-event-id'];
  return typeof v === 'string' && v.length <= 128 ? v : undefined;
}

async function saleOf(d: Deps, req: FastRequest): Promise<SaleSnapshot> {
  const saleId = parse(saleIdField, req.params.id, 'sale id');
  const sale = await d.sales.snapshot(saleId);
  if (!sale) throw noSale();
  return sale;
}

/**
 * Every event carries an id derived from what it says (`p<ahead>`, `a<expiry>`, `sold-out`,
 * `s<remaining>`), so a reconnect with Last-Event-ID is not sent again what it already has, and
 * misses nothing: the stream starts from the current state.
 */
function emitter(stream: EventStream, last: string | undefined) {
  let sent = last;
  return (event: string, id: string, data: unknown) => {
    if (id === sent) return;
    sent = id;
    stream.send(event, id, data);
  };
}

/** A shopper's place, followed from the room's state each tick: position, admitted, sold-out. */
function followPlace(d: Deps, stream: EventStream, sale: SaleSnapshot, userId: string, first: Place, last: string | undefined): void {
  const emit = emitter(stream, last);
  const saleId = sale.saleId;
  let seq: number | undefined;
  /** A place only moves forward: an estimate above what was shown is held at it. */
  let shownAhead = Number.MAX_SAFE_INTEGER;
  let checking = false;
  let stopBeat = () => undefined as void;
  const show = (p: Place) => {
    switch (p.status) {
      case 'SOLD_OUT':
        emit('sold-out', SOLD_OUT_ID, {});
        stream.end();
        return;
      case 'ADMITTED':
        seq = undefined;
        stopBeat();
        emit('admitted', `a${p.expiresAt}`, admissionOf(d, saleId, userId, p.expiresAt));
        return;
      case 'WAITING': {
        // Exact here (the place's rank); from then on, estimated from each step's state.
        seq = p.seq;
        const wait = estimatedWait(p.ahead, d.rooms.latest(saleId)?.state.measuredRate ?? 0, roomOf(sale));
        shownAhead = p.ahead;
        emit('position', `p${p.ahead}`, { position: p.ahead + 1, ahead: p.ahead, estimatedWaitSeconds: wait });
        return;
      }
      default:
        // Dropped (no heartbeat for too long): the client joins again.
        stream.end();
    }
  };
  show(first);
  if (first.status === 'WAITING') stopBeat = d.rooms.beating(saleId, userId);
  const unlisten = d.rooms.listen(saleId, (state: RoomState, current: SaleSnapshot) => {
    if (state.closed) return show({ status: 'SOLD_OUT' });
    if (seq === undefined) return;
    if (seq > state.hwm) {
      const pos = positionFrom(Math.min(seq, state.hwm + 1 + shownAhead), state, roomOf(current));
      shownAhead = pos.ahead;
      emit('position', `p${pos.ahead}`, pos);
      return;
    }
    // Admitted (or dropped) since the last step: one read of this place, once.
    if (checking) return;
    checking = true;
    readPlace(d, saleId, userId, false).then(
      (p) => {
        checking = false;
        if (!stream.closed) show(p);
      },
      () => {
        checking = false;
      },
    );
  });
  stream.onClose(() => {
    unlisten();
    stopBeat();
  });
}

/** Seats left and sold-out, for anyone watching a sale. */
function followStock(d: Deps, stream: EventStream, saleId: string, last: string | undefined): void {
  const emit = emitter(stream, last);
  const show = (state: RoomState, sale: SaleSnapshot) => {
    const remaining = state.armed ? state.available : sale.stock;
    const stock: StockEvent = { status: sale.status, remaining, total: state.armed ? state.total : sale.stock };
    emit('stock', `s${remaining}`, stock);
    if ((state.armed && remaining <= 0) || state.closed) emit('sold-out', SOLD_OUT_ID, {});
  };
  const latest = d.rooms.latest(saleId);
  if (latest) show(latest.state, latest.sale);
  stream.onClose(d.rooms.listen(saleId, show));
}

/** The sale's counters for operators, about once a second. */
function followCounters(d: Deps, stream: EventStream, saleId: string): void {
  let prev: { holds: number; at: number } | undefined;
  let sentAt = 0;
  stream.onClose(
    d.rooms.listen(saleId, (s) => {
      const now = Date.now();
      if (now - sentAt < OPS_EVERY_MS) return;
      const perSecond = prev && now > prev.at ? ((s.holds - prev.holds) * 1000) / (now - prev.at) : 0;
      prev = { holds: s.holds, at: now };
      sentAt = now;
      const counters: CountersEvent = {
        available: s.available,
        held: s.held,
        sold: s.sold,
        entriesPerSecond: Math.max(0, Math.round(perSecond * 10) / 10),
        queueLength: s.waiting,
        admitted: s.admitted,
        abandoned: s.abandoned,
        admissionRatePerSecond: Math.round(s.measuredRate * 10) / 10,
        paymentsConfirmed: s.sold,
      };
      stream.send('counters', String(now), counters);
    }),
  );
}

/** The live streams (Server-Sent Events): a shopper's place, a sale's stock, an operator's counters. */
export function streamRoutes(d: Deps): FastRoute[] {
  return [
    {
      method: 'GET',
      path: '/sales/:id/queue/events',
      async handle(req) {
        const who = await principalFrom(d.verifier, req);
        if (!hasAnyRole(who, ['USER'])) throw new AppError('FORBIDDEN', 'You are not allowed to do this');
        const sale = await saleOf(d, req);
        if (!roomOf(sale)) throw new AppError('NOT_FOUND', 'This sale has no waiting room: enter directly');
        const last = lastEventId(req);
        // Opening the stream is a heartbeat; so is every moment it stays open.
        const first = await readPlace(d, sale.saleId, who.userId, true);
        if (first.status === 'NONE') throw new AppError('NOT_FOUND', 'You have no place in this sale\'s queue: join it first');
        // Sold-out was the last event this client received: 204 tells EventSource not to reconnect.
        if (first.status === 'SOLD_OUT' && last === SOLD_OUT_ID) return { status: 204 };
        followPlace(d, openStream(req.response), sale, who.userId, first, last);
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/sales/:id/live',
      async handle(req) {
        const sale = await saleOf(d, req);
        followStock(d, openStream(req.response), sale.saleId, lastEventId(req));
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/sales/:id/live/ops',
      async handle(req) {
        const who = await principalFrom(d.verifier, req);
        if (!hasAnyRole(who, ['OPERATOR', 'ADMIN', 'AUDITOR'])) throw new AppError('FORBIDDEN', 'You are not allowed to do this');
        const sale = await saleOf(d, req);
        followCounters(d, openStream(req.response), sale.saleId);
        return undefined;
      },
    },
  ];
}
