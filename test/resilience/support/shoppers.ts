import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, CARDS, type Answer, type Session } from '@stampede/devkit';

export interface Failure {
  at: number;
  step: string;
  /** HTTP status, or the transport error's code when no answer came. */
  status: number | string;
  code?: string;
}

export type Outcome =
  | { kind: 'PAID'; paymentId: string; orderId: string; user: string }
  | { kind: 'NO_SEAT'; code: string }
  | { kind: 'GAVE_UP'; step: string; last: number | string };

const transient = (a: Answer) =>
  a.status >= 500 || a.status === 429 || (a.status === 409 && a.body?.error?.code === 'CONFLICT');

/**
 * A shopper's client as a real app would be: every call goes through one of the gateways (the
 * next one after a failure, as a load balancer would), transient answers (5xx, 429, a confirm
 * still in progress, no answer at all) are retried with backoff until a deadline, and a confirm
 * is always retried with the same Idempotency-Key. Every failed attempt is recorded with its time,
 * so a test can measure how long errors lasted.
 */
export class RetryingClient {
  readonly failures: Failure[] = [];
  private turn = 0;

  constructor(
    private readonly gateways: string[],
    private readonly deadlineMs = 90_000,
  ) {}

  /** Gateways that refused a connection, and until when they are skipped. */
  private readonly down = new Map<string, number>();

  /** The next gateway, skipping one that refused a connection lately (a load balancer's health check). */
  private gateway(): string {
    for (let i = 0; i < this.gateways.length; i++) {
      const g = this.gateways[this.turn++ % this.gateways.length] as string;
      if ((this.down.get(g) ?? 0) < Date.now()) return g;
    }
    return this.gateways[this.turn++ % this.gateways.length] as string;
  }

  async send(step: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const deadline = Date.now() + this.deadlineMs;
    let delay = 250;
    let last: Answer | undefined;
    for (;;) {
      const gateway = this.gateway();
      try {
        last = await call(method, `${gateway}${path}`, opts);
        if (!transient(last)) return last;
        this.failures.push({ at: Date.now(), step, status: last.status, code: last.body?.error?.code });
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'NO_ANSWER';
        if (code === 'ECONNREFUSED') this.down.set(gateway, Date.now() + 10_000);
        this.failures.push({ at: Date.now(), step, status: code });
        last = { status: 0, body: { error: { code } }, ms: 0 };
      }
      if (Date.now() > deadline) return last;
      // A rate limit resets within its window; waiting a few seconds is what a polite client does.
      await sleep(last.status === 429 ? 5_000 : delay);
      delay = Math.min(delay * 2, 4_000);
    }
  }

  /** Seconds from the first failed attempt to the last (0 when nothing failed). */
  errorWindowSeconds(): number {
    if (this.failures.length === 0) return 0;
    const times = this.failures.map((f) => f.at);
    return (Math.max(...times) - Math.min(...times)) / 1000;
  }

  /** Failed attempts by status (and code), for the printed figures. */
  failureSummary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.failures) {
      const k = `${f.status}${f.code ? ' ' + f.code : ''}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }

  /** Enter, prepare, pay with the sandbox widget, confirm: one shopper's whole purchase. */
  async buy(s: Session, saleId: string, card = CARDS.success): Promise<Outcome> {
    const entry = await this.send('enter', 'POST', `/sales/${saleId}/entries`, { token: s.accessToken, body: {} });
    if (entry.status !== 201) {
      // ALREADY_ENTERED after a retry: an earlier attempt held a seat whose answer was lost;
      // that seat goes back at expiry.
      return entry.status === 409 || entry.status === 410 ? { kind: 'NO_SEAT', code: entry.body?.error?.code } : { kind: 'GAVE_UP', step: 'enter', last: entry.status };
    }
    return this.pay(s, entry.body.reservationToken as string, card);
  }

  async pay(s: Session, reservationToken: string, card = CARDS.success): Promise<Outcome> {
    const prepared = await this.send('prepare', 'POST', '/payments/prepare', { token: s.accessToken, body: { reservationToken } });
    if (prepared.status !== 200 && prepared.status !== 201) return { kind: 'GAVE_UP', step: 'prepare', last: prepared.status };
    const { orderId, amount } = prepared.body as { orderId: string; amount: number };
    const checkout = await this.send('checkout', 'POST', '/sandbox/pg/checkout', { body: { orderId, amount, cardNumber: card } });
    if (checkout.status !== 200 && checkout.status !== 201) return { kind: 'GAVE_UP', step: 'checkout', last: checkout.status };
    const key = `confirm-${randomUUID()}`;
    const confirmed = await this.send('confirm', 'POST', '/payments/confirm', {
      token: s.accessToken,
      headers: { 'idempotency-key': key },
      body: { reservationToken, paymentKey: checkout.body.paymentKey, amount },
    });
    if (confirmed.status !== 200) return { kind: 'GAVE_UP', step: 'confirm', last: `${confirmed.status} ${confirmed.body?.error?.code ?? ''}` };
    return { kind: 'PAID', paymentId: confirmed.body.paymentId as string, orderId, user: s.userId };
  }
}

/** Starts `fn` for each item `spacingMs` apart (a burst that lasts long enough to fault in). */
export async function staggered<T, R>(items: T[], spacingMs: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map(async (item, i) => {
    await sleep(i * spacingMs);
    return fn(item, i);
  }));
}
