/**
 * A login storm: the minutes before a sale, when every shopper logs in at once. Targets auth
 * directly by default (LOGIN_URL), because what is measured is auth's argon2id capacity; pointed
 * at the gateway instead it shows the per-address login limit answering 429 with Retry-After.
 *
 *   k6 run -e AUTH_URL=http://stampede-auth:8081 -e SHOPPERS=2000 -e PEAK_RATE=200 loadtest/k6/login-storm.ts
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { errorCode } from './lib/api.ts';
import { config } from './lib/config.ts';

const loginUrl = (__ENV.LOGIN_URL || config.authUrl).replace(/\/$/, '');
const password = 'Pw-k6-login-storm-9';
const serverErrors = new Counter('server_errors');
const throttled = new Counter('logins_throttled');

http.setResponseCallback(http.expectedStatuses(200, 429));

export const options: Options = {
  setupTimeout: '30m',
  scenarios: {
    storm: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(config.maxVus, Math.max(20, Math.ceil(config.peakRate / 5))),
      maxVUs: config.maxVus,
      stages: [
        { target: config.peakRate, duration: `${config.rampSeconds}s` },
        { target: config.peakRate, duration: `${config.holdSeconds}s` },
      ],
    },
  },
  thresholds: {
    'http_req_duration{name:login}': [`p(99)<${__ENV.LOGIN_P99_MS || 1000}`],
    'checks{check:login answered 200 or 429}': ['rate>0.999'],
    server_errors: ['count==0'],
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

export function setup(): { emails: string[] } {
  const tag = Date.now().toString(36);
  const emails = Array.from({ length: config.shoppers }, (_, i) => `k6-storm-${tag}-${i}@stampede.test`);
  for (let start = 0; start < emails.length; start += config.prepareBatch) {
    const batch = emails.slice(start, start + config.prepareBatch);
    http.batch(batch.map((email) => ({ method: 'POST', url: `${config.authUrl}/users`, body: JSON.stringify({ email, password }), params: { headers: { 'content-type': 'application/json' }, tags: { name: 'prepare_signup' } } })));
  }
  return { emails };
}

export default function (data: { emails: string[] }): void {
  const email = data.emails[exec.scenario.iterationInTest % data.emails.length] as string;
  const res = http.post(`${loginUrl}/auth/login`, JSON.stringify({ email, password }), { headers: { 'content-type': 'application/json' }, tags: { name: 'login' } });
  if (res.status >= 500 || res.status === 0) serverErrors.add(1);
  if (res.status === 429) throttled.add(1);
  check(res, {
    'login answered 200 or 429': (r) => r.status === 200 || r.status === 429,
    'a 429 says when to retry': (r) => r.status !== 429 || (errorCode(r) === 'RATE_LIMIT_EXCEEDED' && r.headers['Retry-After'] !== undefined),
  });
}
