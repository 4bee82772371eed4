/**
 * Phase 5: pod kills mid-burst. Shoppers stampede a new sale and every winner pays at once (16
 * payments in flight); when half the seats are held one entry pod is deleted, and once payments
 * are under way one payment pod, both forcibly (--grace-period=0: no drain, in-flight requests
 * cut as by a crash). Shoppers and payers retry a request that got no answer or a 5xx, as client
 * apps do (entries up to 3 times; payments with the same Idempotency-Key until a final answer).
 * Afterwards the books must show no double charge, nothing oversold, no confirmed payment
 * without its order and no seat unaccounted for.
 */
import { closed, type Shot } from '../bench/lib/drive';
import { summarize, type Summary } from '../bench/lib/stats';
import { openSale } from '@stampede/devkit';
import { booksProblems, type SaleBooks } from './books';
import { kget, kubectl, note, sleep, until } from './cluster';
import { podStates } from './install';
import { entryShot, gatewayPool, pay, type PayResult } from './shop';
import { invariantSampler, settledBooks, type Ctx } from './stampede';

interface Kill {
  pod: string;
  /** Seconds since the burst started. */
  at: number;
  /** What was going on at that instant. */
  context: string;
  /** Seconds until the Deployment had all its replicas available again. */
  recoveredAfterS: number | null;
}

export interface FaultResult {
  saleId: string;
  shoppers: number;
  seats: number;
  burst: Summary;
  entryRetries: number;
  /** Shoppers whose last answer was still a 5xx or no answer after their retries. */
  entriesWithoutAnswer: number;
  kills: Kill[];
  payments: { attempted: number; confirmed: number; statuses: Record<string, number>; retries: number };
  invariant: { samples: number; violations: string[] };
  settleMs: number;
  books: SaleBooks;
}

const retriable = (status: number) => status === 0 || status >= 500;

/** An entry shot that tries again (after 200 ms) on no answer or a 5xx, up to `times` more. */
function withRetries(shot: Shot, times: number, count: { retries: number }): Shot {
  return async (i) => {
    for (let attempt = 0; ; attempt++) {
      const r = await shot(i).catch((e: unknown) => ({ status: 0, outcome: `NETWORK_${(e as { code?: string }).code ?? 'ERROR'}` }));
      if (!retriable(r.status) || attempt >= times) return r;
      count.retries++;
      await sleep(200);
    }
  };
}

async function deploymentAvailable(namespace: string, name: string): Promise<boolean> {
  const d = await kget<{ spec: { replicas: number }; status: { availableReplicas?: number; updatedReplicas?: number } }>(['-n', namespace, 'deployment', name]);
  return (d.status.availableReplicas ?? 0) >= d.spec.replicas;
}

async function killOne(c: Ctx, component: string, t0: number, context: string): Promise<Kill> {
  const pods = (await podStates(c.release.namespace, `app.kubernetes.io/component=${component}`)).filter((p) => p.ready && !p.terminating);
  const pod = pods[0]?.name;
  if (!pod) throw new Error(`no ready ${component} pod to delete`);
  await kubectl(['-n', c.release.namespace, 'delete', 'pod', pod, '--grace-period=0', '--force', '--wait=false']);
  const at = Math.round((performance.now() - t0) / 100) / 10;
  note(`faults: deleted ${pod} at ${at} s (${context})`);
  return { pod, at, context, recoveredAfterS: null };
}

export async function faults(c: Ctx, o: { shoppers: number; seats: number; inFlight: number; payers: number }): Promise<FaultResult> {
  const saleId = await openSale(c.urls, c.operator, { stock: o.seats, unitPrice: 77_000, holdTtlSeconds: 1_800, perUserLimit: 1 });
  const shoppers = await c.mint(o.shoppers);
  const tokens = shoppers.map((s) => s.token);
  note(`faults: ${o.shoppers} shoppers on ${o.seats} seats (sale ${saleId}); one entry pod and one payment pod deleted mid-burst`);
  const pool = gatewayPool(c.urls.gateway, o.inFlight);
  const sampler = invariantSampler(c.redis, saleId);
  const t0 = performance.now();
  const kills: Array<Promise<Kill>> = [];
  const payments: Array<Promise<PayResult>> = [];
  let paying = 0;
  let paymentsStarted = 0;
  const waiting: Array<() => void> = [];
  const payLimit = 16;
  const startPayment = (i: number, reservationToken: string) => {
    if (paymentsStarted >= o.payers) return;
    paymentsStarted++;
    payments.push(
      (async () => {
        while (paying >= payLimit) await new Promise<void>((r) => waiting.push(r));
        paying++;
        try {
          return await pay(c.urls.gateway, tokens[i] as string, reservationToken);
        } finally {
          paying--;
          waiting.shift()?.();
        }
      })(),
    );
    if (paymentsStarted === Math.min(o.payers, 24)) kills.push(killOne(c, 'payment', t0, `${paymentsStarted} payments started, ${paying} in flight`));
  };
  let held = 0;
  const count = { retries: 0 };
  const onHeld = (i: number, token: string) => {
    held++;
    if (held === Math.floor(o.seats / 2)) kills.push(killOne(c, 'entry', t0, `${held} of ${o.seats} seats held`));
    startPayment(i, token);
  };
  const run = await closed(o.shoppers, o.inFlight, withRetries(entryShot(pool, saleId, tokens, onHeld), 3, count));
  await pool.close();
  const burst = summarize(run.samples, run.elapsedMs);
  note(`faults: burst done in ${burst.seconds} s, outcomes ${JSON.stringify(burst.outcomes)}, ${count.retries} entry retries`);
  const paid = await Promise.all(payments);
  const done = await Promise.all(kills);
  for (const k of done) {
    const component = k.pod.includes('-payment-') ? 'payment' : 'entry';
    const ok = await until(`${component} available again`, 180_000, 1_000, async () => ((await deploymentAvailable(c.release.namespace, `${c.release.fullname}-${component}`)) ? true : undefined)).catch(() => false);
    k.recoveredAfterS = ok ? Math.round((performance.now() - t0) / 1000 - k.at) : null;
  }
  const invariant = sampler.stop();
  const { books, settleMs } = await settledBooks(c, saleId);
  const statuses: Record<string, number> = {};
  for (const p of paid) statuses[p.code ?? String(p.status)] = (statuses[p.code ?? String(p.status)] ?? 0) + 1;
  const confirmed = paid.filter((p) => p.status === 200).length;
  const entriesWithoutAnswer = run.samples.filter((s) => retriable(s.status)).length;
  note(`faults: ${confirmed}/${paid.length} payments confirmed (${paid.reduce((n, p) => n + p.retries, 0)} retries); books ${JSON.stringify(books)}`);

  const ck = c.checks;
  const phase = 'faults';
  ck.equal(phase, 'an entry pod and a payment pod were deleted mid-burst', done.map((k) => k.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort(), [`${c.release.fullname}-entry`, `${c.release.fullname}-payment`]);
  ck.add(phase, 'both Deployments were whole again', done.every((k) => k.recoveredAfterS !== null), done.map((k) => `${k.pod}: ${k.recoveredAfterS} s`).join(', '));
  ck.equal(phase, 'every shopper got an answer (after at most 3 retries)', entriesWithoutAnswer, 0);
  const a = books.redis;
  ck.add(phase, 'every seat accounted for: Redis available 0, held + sold = S', a !== null && a.available === 0 && a.held + a.sold === o.seats, a ?? 'no inventory');
  ck.add(phase, 'holds answered ≤ seats held (a hold whose answer was lost stays held until it expires)', (burst.outcomes.HELD ?? 0) <= o.seats, `${burst.outcomes.HELD ?? 0} answered, ${o.seats} seats`);
  ck.add(phase, `the sale invariant held at every sample (${invariant.samples})`, invariant.samples > 0 && invariant.violations.length === 0, invariant.violations.slice(0, 3).join('; '));
  ck.equal(phase, 'every payer got a final answer: confirmed', confirmed, paid.length);
  ck.equal(phase, 'no order charged twice in the PSP ledger', books.ledger.chargedTwice, 0);
  ck.add(phase, 'books agree: one charge per confirmed payment, one order per confirmed payment, PostgreSQL = Redis, nothing oversold', booksProblems(books).length === 0, booksProblems(books).join('; ') || books);
  return {
    saleId,
    shoppers: o.shoppers,
    seats: o.seats,
    burst,
    entryRetries: count.retries,
    entriesWithoutAnswer,
    kills: done,
    payments: { attempted: paid.length, confirmed, statuses, retries: paid.reduce((n, p) => n + p.retries, 0) },
    invariant,
    settleMs,
    books,
  };
}
