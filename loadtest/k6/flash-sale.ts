/**
 * The flash-sale spike: arrivals ramp to PEAK_RATE entries per second and hold there, every
 * arrival a different shopper pressing "buy" on one sale. Thresholds: p99 of entries, share of
 * unexpected answers, no 5xx at all, and never more holds than seats (a double hold would show as
 * a 201 beyond the stock, or as a second 201 for one shopper). teardown() checks the sale's
 * invariant, available + held + sold = stock, through the operator API.
 *
 *   k6 run -e BASE_URL=https://stampede.example -e AUTH_URL=http://stampede-auth:8081 \
 *          -e ADMIN_PASSWORD=... -e STOCK=1000 -e SHOPPERS=20000 -e PEAK_RATE=5000 loadtest/k6/flash-sale.ts
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { enter, errorCode, openSale, operatorSession, prepareShoppers, saleStats, type Shopper } from './lib/api.ts';
import { config } from './lib/config.ts';

const held = new Counter('entries_held');
const soldOut = new Counter('entries_sold_out');
const alreadyEntered = new Counter('entries_already_entered');
const serverErrors = new Counter('server_errors');
const doubleHolds = new Counter('double_holds');
const invariantBroken = new Counter('invariant_broken');
const unexpected = new Rate('entries_unexpected');
const entryMs = new Trend('entry_duration', true);

// SOLD_OUT and ALREADY_ENTERED are 409s: expected answers in a sale, not failures.
http.setResponseCallback(http.expectedStatuses(201, 409));

const maxHolds = Math.min(config.stock, config.shoppers * config.perUserLimit);

export const options: Options = {
  setupTimeout: '30m',
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(config.maxVus, Math.max(50, Math.ceil(config.peakRate / 10))),
      maxVUs: config.maxVus,
      stages: [
        { target: config.peakRate, duration: `${config.rampSeconds}s` },
        { target: config.peakRate, duration: `${config.holdSeconds}s` },
        { target: 0, duration: '5s' },
      ],
      gracefulStop: '10s',
    },
  },
  thresholds: {
    'http_req_duration{name:enter}': [`p(99)<${config.p99Ms}`],
    entries_unexpected: [`rate<${config.maxErrorRate}`],
    server_errors: ['count==0'],
    double_holds: ['count==0'],
    invariant_broken: ['count==0'],
    entries_held: [`count<=${maxHolds}`],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

interface Data {
  saleId: string;
  operator: Shopper;
  shoppers: Shopper[];
}

export function setup(): Data {
  const tag = `${Date.now().toString(36)}`;
  const operator = operatorSession(tag);
  const saleId = config.saleId || openSale(operator, config.stock, config.perUserLimit, tag);
  const shoppers = prepareShoppers(config.shoppers, config.prepareBatch, tag);
  return { saleId, operator, shoppers };
}

/** Shoppers this VU saw win a seat: a second 201 for one of them is a double hold. */
const winners = new Set<string>();

export default function (data: Data): void {
  // Each arrival is the next shopper; past the last one, shoppers come back (and must be refused).
  const i = exec.scenario.iterationInTest;
  const shopper = data.shoppers[i % data.shoppers.length] as Shopper;
  const res = enter(data.saleId, shopper);
  entryMs.add(res.timings.duration);
  const code = res.status === 201 ? 'HELD' : errorCode(res);
  if (res.status >= 500 || res.status === 0) serverErrors.add(1);
  if (code === 'HELD') {
    held.add(1);
    if (winners.has(shopper.userId) && config.perUserLimit === 1) doubleHolds.add(1);
    winners.add(shopper.userId);
  } else if (code === 'SOLD_OUT') soldOut.add(1);
  else if (code === 'ALREADY_ENTERED') alreadyEntered.add(1);
  unexpected.add(!['HELD', 'SOLD_OUT', 'ALREADY_ENTERED'].includes(code));
  check(res, { 'entry answered 201 or 409': (r) => r.status === 201 || r.status === 409 });
}

export function teardown(data: Data): void {
  const s = saleStats(data.saleId, data.operator);
  const ok = s !== undefined && s.available !== null && s.held !== null && s.redisSold !== null && s.available + s.held + s.redisSold === s.stock && s.available >= 0;
  if (!check(s, { 'available + held + sold = stock': () => ok })) invariantBroken.add(1);
}
