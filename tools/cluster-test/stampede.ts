/**
 * Phase 3: a stampede through the gateway Service. N shoppers press "buy" once on a sale of S
 * seats (closed loop, C requests in flight) while the sale's invariant is read from Redis every
 * 100 ms; then some winners pay; then the books of every store must agree: exactly S holds,
 * one order per confirmed payment recorded from Kafka, PostgreSQL and Redis on the same figure,
 * one charge per order.
 */
import type { Cluster } from 'ioredis';
import { auditSale, pool as inParallel, openSale, type Session, type Urls } from '@stampede/devkit';
import { closed } from '../bench/lib/drive';
import { summarize, type Summary } from '../bench/lib/stats';
import { booksProblems, saleBooks, type SaleBooks } from './books';
import type { Checks } from './checks';
import { note, until } from './cluster';
import type { Release } from './reach';
import { entryShot, gatewayPool, pay, type PayResult } from './shop';
import type { Mint } from './shoppers';

export interface Ctx {
  release: Release;
  urls: Urls;
  operator: Session;
  redis: Cluster;
  mint: Mint;
  checks: Checks;
}

/** Samples the sale's invariant from Redis until stopped: violations and sample count. */
export function invariantSampler(redis: Cluster, saleId: string, everyMs = 100) {
  const violations: string[] = [];
  let samples = 0;
  const timer = setInterval(() => {
    void auditSale(redis, saleId)
      .then((a) => {
        if (!a) return;
        samples++;
        if (a.available + a.held + a.sold !== a.total || a.available < 0 || a.held < 0 || a.sold < 0 || a.heldSeats !== a.held || a.maxPerUser > a.limit) {
          violations.push(JSON.stringify(a));
        }
      })
      .catch(() => undefined);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { samples, violations };
    },
  };
}

/** Waits until the event service has recorded an order for every confirmed payment of the sale. */
export async function settledBooks(c: Ctx, saleId: string, withinMs = 120_000): Promise<{ books: SaleBooks; settleMs: number }> {
  const t0 = performance.now();
  let books = await saleBooks(c.release, c.redis, c.urls.gateway, c.operator, saleId);
  await until('orders recorded for every confirmed payment', withinMs, 1_000, async () => {
    books = await saleBooks(c.release, c.redis, c.urls.gateway, c.operator, saleId);
    const inFlight = (books.payments.CHARGING ?? 0) + (books.payments.REFUNDING ?? 0);
    return inFlight === 0 && books.orders.api === (books.payments.CONFIRMED ?? 0) && books.postgres.sold === (books.payments.CONFIRMED ?? 0) ? true : undefined;
  }).catch(() => undefined);
  return { books, settleMs: Math.round(performance.now() - t0) };
}

export interface StampedeResult {
  saleId: string;
  shoppers: number;
  seats: number;
  inFlight: number;
  burst: Summary;
  invariant: { samples: number; violations: string[] };
  payments: { attempted: number; confirmed: number; statuses: Record<string, number>; retries: number; p50Ms: number; p99Ms: number };
  settleMs: number;
  books: SaleBooks;
}

export async function stampede(c: Ctx, o: { shoppers: number; seats: number; inFlight: number; payers: number }): Promise<StampedeResult> {
  const saleId = await openSale(c.urls, c.operator, { stock: o.seats, unitPrice: 55_000, holdTtlSeconds: 1_800, perUserLimit: 1 });
  const shoppers = await c.mint(o.shoppers);
  const tokens = shoppers.map((s) => s.token);
  note(`stampede: ${o.shoppers} shoppers on ${o.seats} seats (sale ${saleId}), ${o.inFlight} in flight through the gateway Service`);
  const pool = gatewayPool(c.urls.gateway, o.inFlight);
  const winners: Array<{ i: number; token: string }> = [];
  const sampler = invariantSampler(c.redis, saleId);
  const run = await closed(o.shoppers, o.inFlight, entryShot(pool, saleId, tokens, (i, token) => winners.push({ i, token })));
  await pool.close();
  const burst = summarize(run.samples, run.elapsedMs);
  const afterBurst = await auditSale(c.redis, saleId);
  note(`stampede: ${burst.perSecond} entries/s, p50 ${burst.p50} p99 ${burst.p99} ms, outcomes ${JSON.stringify(burst.outcomes)}`);

  const payers = winners.slice(0, o.payers);
  const paid: PayResult[] = await inParallel(payers, 8, (w) => pay(c.urls.gateway, tokens[w.i] as string, w.token));
  const invariant = sampler.stop();
  const { books, settleMs } = await settledBooks(c, saleId);
  const statuses: Record<string, number> = {};
  for (const p of paid) statuses[p.code ?? String(p.status)] = (statuses[p.code ?? String(p.status)] ?? 0) + 1;
  const ms = paid.map((p) => p.ms).sort((a, b) => a - b);
  const confirmed = paid.filter((p) => p.status === 200).length;
  note(`stampede: ${confirmed}/${payers.length} payments confirmed; books ${JSON.stringify(books)}`);

  const ck = c.checks;
  const phase = 'stampede';
  ck.equal(phase, 'exactly S entries answered 201 (held)', burst.outcomes.HELD ?? 0, o.seats);
  ck.equal(phase, 'Redis held S seats right after the burst', afterBurst?.held, o.seats);
  ck.equal(phase, 'every other shopper was told SOLD_OUT', burst.outcomes.SOLD_OUT ?? 0, o.shoppers - o.seats);
  ck.add(phase, 'no 5xx or network error in the burst', Object.keys(burst.status).every((s) => Number(s) > 0 && Number(s) < 500), burst.status);
  ck.add(phase, `the sale invariant held at every sample (${invariant.samples})`, invariant.samples > 0 && invariant.violations.length === 0, invariant.violations.slice(0, 3).join('; '));
  ck.equal(phase, 'every payer confirmed', confirmed, payers.length);
  ck.add(phase, 'books agree: orders recorded from Kafka, PostgreSQL = Redis, nothing oversold, one charge per order', booksProblems(books).length === 0, booksProblems(books).join('; ') || books);
  return {
    saleId,
    shoppers: o.shoppers,
    seats: o.seats,
    inFlight: o.inFlight,
    burst,
    invariant,
    payments: {
      attempted: payers.length,
      confirmed,
      statuses,
      retries: paid.reduce((n, p) => n + p.retries, 0),
      p50Ms: ms[Math.floor(ms.length / 2)] ?? 0,
      p99Ms: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] ?? 0,
    },
    settleMs,
    books,
  };
}
