/**
 * What shoppers do through the gateway Service during the load phases: press "buy" (one entry),
 * and pay for a held seat the way a client app does (prepare, sandbox checkout with a test card,
 * confirm with an Idempotency-Key). A payer whose request fails on the network or with a 5xx
 * (a pod killed under it) retries the same step with the same key until it gets a final answer,
 * as a real client would: the platform must turn that into exactly one charge.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { Shot } from '../bench/lib/drive';
import { call, type Answer, CARDS } from '@stampede/devkit';
import { sleep } from './cluster';

/**
 * Keep-alive connections to the gateway Service, each used for a bounded number of requests:
 * a Service balances connections, not requests, so new connections are what reach pods the HPA
 * adds while the load runs.
 */
export const gatewayPool = (gateway: string, connections: number) =>
  new Pool(gateway, { connections, pipelining: 1, maxRequestsPerClient: 200, keepAliveTimeout: 10_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

/** POST /sales/:id/entries as shopper i; the outcome is HELD or the error code. */
export function entryShot(pool: Pool, saleId: string, tokens: string[], onHeld?: (i: number, reservationToken: string) => void): Shot {
  return async (i) => {
    const res = await pool.request({
      method: 'POST',
      path: `/sales/${saleId}/entries`,
      headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.body.json().catch(() => undefined)) as { reservationToken?: string; error?: { code?: string } } | undefined;
    if (res.statusCode === 201) {
      if (body?.reservationToken) onHeld?.(i, body.reservationToken);
      return { status: 201, outcome: 'HELD' };
    }
    // A service refusing a request while it drains closes the connection; an upstream's refusal
    // relayed by the gateway does not: the header tells which hop answered.
    const closed = res.statusCode >= 500 && res.headers.connection === 'close' ? ' (Connection: close)' : '';
    return { status: res.statusCode, outcome: `${body?.error?.code ?? `HTTP_${res.statusCode}`}${closed}` };
  };
}

export interface PayResult {
  /** The final answer's status (0: none within the time allowed). */
  status: number;
  code?: string;
  /** Requests sent again: no answer, a 5xx, a twin still in progress (409 CONFLICT) or a 429. */
  retries: number;
  ms: number;
}

// Worth sending again: no answer, a 5xx, a twin still in progress (409 CONFLICT), or a rate limit.
const again = (a: Answer) => a.status === 0 || a.status >= 500 || a.status === 429 || (a.status === 409 && a.body?.error?.code === 'CONFLICT');

/**
 * How long a client waits before sending a step again: after a 429 what the platform's
 * Retry-After says (the per-user limits, confirm 5 a minute, also count a client's retries);
 * otherwise 1, 2, 4... s, at most 16.
 */
function backoffMs(a: Answer, attempt: number): number {
  const retryAfter = Number(a.headers?.['retry-after']);
  if (a.status === 429 && Number.isFinite(retryAfter) && retryAfter >= 0) return Math.max(1, retryAfter) * 1_000;
  return Math.min(16_000, 1_000 * 2 ** attempt);
}

/** Sends one step until it has a final answer or the deadline passes. */
async function step(send: () => Promise<Answer>, deadline: number, count: { retries: number }): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    const a = await send().catch((e: unknown) => ({ status: 0, body: { error: { code: String((e as { code?: string }).code ?? e) } }, ms: 0 }));
    if (!again(a)) return a;
    const wait = backoffMs(a, attempt);
    if (Date.now() + wait > deadline) return a;
    count.retries++;
    await sleep(wait);
  }
}

/** Pays for one held seat with the sandbox's success card, retrying each step as a client would. */
export async function pay(gateway: string, accessToken: string, reservationToken: string, withinMs = 150_000): Promise<PayResult> {
  const t0 = performance.now();
  const deadline = Date.now() + withinMs;
  const count = { retries: 0 };
  const done = (a: Answer): PayResult => ({ status: a.status, code: a.body?.error?.code, retries: count.retries, ms: Math.round(performance.now() - t0) });
  const prepared = await step(() => call('POST', `${gateway}/payments/prepare`, { token: accessToken, body: { reservationToken } }), deadline, count);
  if (prepared.status !== 200 && prepared.status !== 201) return done(prepared);
  const { orderId, amount } = prepared.body as { orderId: string; amount: number };
  const checkout = await step(() => call('POST', `${gateway}/sandbox/pg/checkout`, { body: { orderId, amount, cardNumber: CARDS.success } }), deadline, count);
  if (checkout.status !== 200 && checkout.status !== 201) return done(checkout);
  const key = `cluster-test-${randomUUID()}`;
  const confirmed = await step(
    () =>
      call('POST', `${gateway}/payments/confirm`, {
        token: accessToken,
        headers: { 'idempotency-key': key },
        body: { reservationToken, paymentKey: checkout.body.paymentKey, amount },
      }),
    deadline,
    count,
  );
  return done(confirmed);
}
