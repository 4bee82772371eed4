/**
 * The full purchase journey, one shopper per iteration: log in through the gateway, look at the
 * sale, enter, and (PAY_SHARE of the winners) prepare, pay with the sandbox PG's success card and
 * confirm. Needs the sandbox routes (SANDBOX_ROUTES=true): the real PG cannot be load-tested.
 *
 *   k6 run -e BASE_URL=... -e AUTH_URL=... -e ADMIN_PASSWORD=... -e SHOPPERS=500 loadtest/k6/journey.ts
 */
import { check, group, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { enter, errorCode, login, openSale, operatorSession, pay, prepareShoppers, saleStats, type Shopper } from './lib/api.ts';
import { config } from './lib/config.ts';

const confirmed = new Counter('payments_confirmed');
const serverErrors = new Counter('server_errors');
const invariantBroken = new Counter('invariant_broken');

http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409));

export const options: Options = {
  setupTimeout: '30m',
  scenarios: {
    journey: {
      executor: 'shared-iterations',
      vus: Math.min(config.maxVus, 100),
      iterations: config.shoppers,
      maxDuration: '15m',
    },
  },
  thresholds: {
    'http_req_duration{name:enter}': [`p(99)<${config.p99Ms * 4}`],
    'http_req_duration{name:confirm}': ['p(99)<3000'],
    checks: ['rate>0.99'],
    server_errors: ['count==0'],
    invariant_broken: ['count==0'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

interface Data {
  saleId: string;
  operator: Shopper;
  shoppers: Shopper[];
  password: string;
}

export function setup(): Data {
  const tag = Date.now().toString(36);
  const operator = operatorSession(tag);
  const saleId = config.saleId || openSale(operator, config.stock, config.perUserLimit, tag);
  const shoppers = prepareShoppers(config.shoppers, config.prepareBatch, tag);
  return { saleId, operator, shoppers, password: `Pw-${tag}-k6-load-9` };
}

export default function (data: Data): void {
  const i = exec.scenario.iterationInTest;
  const prepared = data.shoppers[i % data.shoppers.length] as Shopper;
  const shopper = group('log in', () => login(config.baseUrl, prepared.email, data.password));
  group('look at the sale', () => {
    const r = http.get(`${config.baseUrl}/sales/${data.saleId}/availability`, { tags: { name: 'availability' } });
    check(r, { 'availability 200': (x) => x.status === 200 });
  });
  sleep(Math.random());
  const entered = group('enter', () => enter(data.saleId, shopper));
  if (entered.status >= 500) serverErrors.add(1);
  check(entered, { 'entry held or refused cleanly': (r) => r.status === 201 || ['SOLD_OUT', 'ALREADY_ENTERED'].includes(errorCode(r)) });
  if (entered.status !== 201 || Math.random() >= config.payShare) return;
  const token = (entered.json() as { reservationToken: string }).reservationToken;
  group('pay', () => {
    if (pay(shopper, token, `k6-${exec.vu.idInTest}-${i}`)) confirmed.add(1);
  });
}

export function teardown(data: Data): void {
  const s = saleStats(data.saleId, data.operator);
  const ok = s !== undefined && s.available !== null && s.held !== null && s.redisSold !== null && s.available + s.held + s.redisSold === s.stock;
  if (!check(s, { 'available + held + sold = stock': () => ok })) invariantBroken.add(1);
}
