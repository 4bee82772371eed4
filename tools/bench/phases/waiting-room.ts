/**
 * The waiting-room phase of the benchmark (`npm run bench -- --waiting-room`): U shoppers queue
 * for a sale of S seats before it opens, each with its live stream open through the gateways;
 * the sale opens; admitted shoppers enter with the token their stream delivered; everyone else
 * must learn "sold out" from the push, not by asking again. Prints and returns: admitted, holds,
 * the time from the last seat sold (the queue's close, Redis time) to the last shopper notified,
 * how many learned it by the push, and the platform's CPU per joined shopper.
 *
 * The shoppers run in child processes of a few thousand streams each: one process cannot hold
 * 20,000 sockets under the file-descriptor limit of this machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { call, expectStatus, type Session } from '@stampede/devkit';
import { readInventory, saleKeys } from '@stampede/ledger';
import { cpuBetween, snapshotCpu } from '../lib/cpu';
import type { SliceDone, SliceReady, SliceStart } from './waiting-room-shoppers';

export interface WaitingRoomOptions {
  gateways: string[];
  operator: Session;
  shoppers: Array<{ userId: string; token: string }>;
  seats: number;
  margin: number;
  /** Joins in flight per slice. */
  concurrency: number;
  /** Streams per child process. */
  perProcess: number;
  redis: Cluster;
  /** The platform's processes, for CPU accounting. */
  roots: Map<number, string>;
  log(line: string): void;
}

export interface WaitingRoomFigures {
  shoppers: number;
  seats: number;
  joined: number;
  streamsOpened: number;
  admitted: number;
  holds: number;
  unlucky: number;
  soldOutByPush: number;
  soldOutAtJoin: number;
  unsettled: number;
  failed: number;
  /** From the queue's close (the hold of the last seat, Redis time) to the last sold-out push received. */
  lastSoldToLastNotifiedMs: number;
  openToLastNotifiedMs: number;
  joinSeconds: number;
  /** Every process of the platform, idle ones included, over the whole phase. */
  cpuUsPerShopper: number;
  /** Only the processes the room's path runs through: gateways, entry replicas, Redis. */
  cpuPathUsPerShopper: number;
  cpuByProcess: Record<string, number>;
  entryOutcomes: Record<string, number>;
}

/** A sale whose line forms before it opens: created with its room on, scheduled and armed, not yet open. */
async function scheduledRoomSale(gateway: string, operator: Session, seats: number, margin: number): Promise<string> {
  const created = await call('POST', `${gateway}/sales`, {
    token: operator.accessToken,
    body: {
      name: 'Stampede waiting-room phase',
      product: { sku: `ROOM-${Date.now()}`, name: 'Floor seat' },
      unitPrice: 55_000,
      stock: seats,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      holdTtlSeconds: 600,
      waitingRoom: { enabled: true, margin, heartbeatTimeoutSeconds: 60 },
    },
  });
  expectStatus('create room sale', created, 201);
  const id = created.body.id as string;
  expectStatus('sale → SCHEDULED', await call('POST', `${gateway}/sales/${id}/transition`, { token: operator.accessToken, body: { to: 'SCHEDULED' } }), 200);
  expectStatus('arm sale', await call('POST', `${gateway}/sales/${id}/arm`, { token: operator.accessToken }), 200, 201);
  return id;
}

function message<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`a shopper process exited (${code}) before '${type}'`)));
  });
}

export async function waitingRoomPhase(o: WaitingRoomOptions): Promise<WaitingRoomFigures> {
  const U = o.shoppers.length;
  const saleId = await scheduledRoomSale(o.gateways[0] as string, o.operator, o.seats, o.margin);
  const slices = Math.ceil(U / o.perProcess);
  o.log(`waiting room: ${U} shoppers join sale ${saleId} (${o.seats} seats, margin ${o.margin}) before it opens, streams open, ${slices} shopper processes`);
  const children = Array.from({ length: slices }, () =>
    fork(join(__dirname, 'waiting-room-shoppers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    const before = snapshotCpu(o.roots);
    const joinStart = Date.now();
    const ready = children.map((c) => message<SliceReady>(c, 'ready'));
    const done = children.map((c) => message<SliceDone>(c, 'done'));
    // A child that dies rejects both; the first await reports it, the other must not go unhandled.
    for (const d of done) d.catch(() => undefined);
    children.forEach((c, k) => {
      const start: SliceStart = {
        type: 'start',
        gateways: o.gateways,
        saleId,
        shoppers: o.shoppers.slice(k * o.perProcess, (k + 1) * o.perProcess),
        concurrency: o.concurrency,
      };
      c.send(start);
    });
    const readies = await Promise.all(ready);
    const joinSeconds = (Date.now() - joinStart) / 1000;
    const joined = readies.reduce((n, r) => n + r.joined, 0);
    const streamsOpened = readies.reduce((n, r) => n + r.streams, 0);
    const reasons: Record<string, number> = {};
    for (const r of readies) for (const [k, v] of Object.entries(r.failureReasons)) reasons[k] = (reasons[k] ?? 0) + v;
    o.log(`  ${joined} joined and ${streamsOpened} streams open in ${joinSeconds.toFixed(1)} s (${readies.reduce((n, r) => n + r.failures, 0)} failures ${JSON.stringify(reasons)}); opening the sale`);

    const openedAt = Date.now();
    expectStatus('sale → OPEN', await call('POST', `${o.gateways[0]}/sales/${saleId}/transition`, { token: o.operator.accessToken, body: { to: 'OPEN' } }), 200);
    const results = await Promise.all(done);
    const cpu = cpuBetween(before, snapshotCpu(o.roots));

    const meta = await o.redis.hgetall(saleKeys(saleId).queueMeta);
    const inv = await readInventory(o.redis, saleId);
    const closedAt = Number(meta.closed ?? 0);
    const lastPushAt = Math.max(...results.map((r) => r.lastPushAt));
    const held = results.reduce((n, r) => n + r.held, 0);
    const entryOutcomes: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.entryOutcomes)) entryOutcomes[k] = (entryOutcomes[k] ?? 0) + v;
    const cpuTotal = [...cpu.values()].reduce((a, b) => a + b, 0);
    const figures: WaitingRoomFigures = {
      shoppers: U,
      seats: o.seats,
      joined,
      streamsOpened,
      admitted: Number(meta.admitted ?? 0),
      holds: inv?.held ?? 0,
      unlucky: U - held,
      soldOutByPush: results.reduce((n, r) => n + r.soldOutByPush, 0),
      soldOutAtJoin: readies.reduce((n, r) => n + r.joinedSoldOut, 0),
      unsettled: results.reduce((n, r) => n + r.unsettled, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      lastSoldToLastNotifiedMs: closedAt && lastPushAt ? lastPushAt - closedAt : -1,
      openToLastNotifiedMs: lastPushAt ? lastPushAt - openedAt : -1,
      joinSeconds,
      cpuUsPerShopper: Math.round(cpuTotal / U),
      cpuPathUsPerShopper: Math.round([...cpu.entries()].filter(([k]) => /^(gateway|entry|redis)/.test(k)).reduce((a, [, v]) => a + v, 0) / U),
      cpuByProcess: Object.fromEntries([...cpu.entries()].map(([k, v]) => [k, Math.round(v / U)])),
      entryOutcomes,
    };
    o.log(`  admitted ${figures.admitted}, holds ${figures.holds} (shoppers holding: ${held}), entries ${JSON.stringify(entryOutcomes)}`);
    o.log(`  unlucky ${figures.unlucky}: ${figures.soldOutByPush} learned "sold out" from the push, ${figures.soldOutAtJoin} at join, ${figures.unsettled} never told, ${figures.failed} failed to join or stream`);
    o.log(`  last seat sold → last shopper notified: ${figures.lastSoldToLastNotifiedMs} ms (sale opened → last notified: ${figures.openToLastNotifiedMs} ms)`);
    o.log(`  CPU per joined shopper: ${figures.cpuUsPerShopper} µs the whole platform, ${figures.cpuPathUsPerShopper} µs gateways + entry + Redis ${JSON.stringify(figures.cpuByProcess)}`);
    return figures;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}
