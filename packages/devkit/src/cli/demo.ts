/**
 * `npm run demo`: a whole flash sale against the running local platform (./scripts/up.sh).
 * An operator creates and arms a sale, a few hundred shoppers rush it through the gateway, some
 * pay, some let their holds expire, one tries another's token; then an outcome table.
 *
 *   npm run demo -- --users 300 --seats 100 --pay 0.6
 */
import { parseArgs } from 'node:util';
import { call, closeClient, percentile, pool } from '../shoppers/client';
import { CARDS, createOperator, enter, login, openSale, pay, prepareShoppers, type Urls } from '../shoppers/flows';
import { sleep } from '../infra/processes';
import { runningStack, STACK_DIR } from './stack-state';

async function main() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '300' },
      seats: { type: 'string', default: '100' },
      pay: { type: 'string', default: '0.6' },
      'hold-ttl': { type: 'string', default: '30' },
    },
  });
  const users = Number(values.users);
  const seats = Number(values.seats);
  const payShare = Number(values.pay);
  const holdTtlSeconds = Number(values['hold-ttl']);
  const stack = await runningStack(STACK_DIR);
  const u: Urls & { secrets: typeof stack.secrets } = { gateway: stack.url('gateway'), auth: stack.url('auth'), secrets: stack.secrets };
  const log = (s: string) => process.stdout.write(`${s}\n`);

  log(`1. admin logs in; an operator is promoted; the operator opens a sale of ${seats} seats (hold ${holdTtlSeconds} s)`);
  const admin = await login(u.gateway, u.secrets.adminEmail, u.secrets.adminPassword);
  const operator = await createOperator(u, admin);
  const saleId = await openSale(u, operator, { stock: seats, unitPrice: 55_000, holdTtlSeconds });

  log(`2. preparing ${users} shoppers (sign-up + login, straight at auth)`);
  const shoppers = await prepareShoppers(u, users);

  log(`3. all ${users} shoppers press "buy" at once, through the gateway`);
  const rushStarted = performance.now();
  const entries = await pool(shoppers, 256, (s) => enter(u, saleId, s));
  const rushSeconds = (performance.now() - rushStarted) / 1000;
  const winners = entries.filter((e) => e.answer.status === 201);
  const reasons = new Map<string, number>();
  for (const e of entries) {
    const key = e.answer.status === 201 ? 'HELD' : String(e.answer.body?.error?.code ?? e.answer.status);
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }

  log('4. one shopper tries to pay with another shopper\'s reservation token');
  const [victim, thief] = [winners[0], entries.find((e) => e.answer.status !== 201) ?? winners[1]];
  const stolen = victim && thief
    ? await call('POST', `${u.gateway}/payments/prepare`, { token: thief.session.accessToken, body: { reservationToken: victim.answer.body.reservationToken } })
    : undefined;

  const payers = winners.slice(0, Math.round(winners.length * payShare));
  const declined = payers.slice(0, Math.max(1, Math.round(payers.length * 0.05)));
  log(`5. ${payers.length} winners pay (${declined.length} with a declined card, who then retry with a good one); the other ${winners.length - payers.length} let their holds expire`);
  const payments = await pool(payers, 16, async (w) => {
    const token = w.answer.body.reservationToken as string;
    if (declined.includes(w)) {
      const first = await pay(u, w.session, token, CARDS.declined);
      if (first.status !== 402) return { first, final: first };
      return { first, final: await pay(u, w.session, token, CARDS.success) };
    }
    const final = await pay(u, w.session, token, CARDS.success);
    return { first: final, final };
  });
  const paid = payments.filter((p) => p.final.status === 200).length;

  log(`6. waiting for unpaid holds to expire (${holdTtlSeconds} s) and for orders to be recorded from Kafka`);
  let stats: Record<string, number> = {};
  const deadline = Date.now() + (holdTtlSeconds + 30) * 1000;
  while (Date.now() < deadline) {
    const s = await call('GET', `${u.gateway}/sales/${saleId}/stats`, { token: operator.accessToken });
    stats = s.body as Record<string, number>;
    if (stats.held === 0 && stats.sold === paid) break;
    await sleep(1000);
  }

  const latencies = entries.map((e) => e.answer.ms).sort((a, b) => a - b);
  const confirmMs = payments.map((p) => p.final.ms).sort((a, b) => a - b);
  const rows: [string, string | number][] = [
    ['sale', saleId],
    ['seats', seats],
    ['shoppers', users],
    ['entries / s (rush)', Math.round(users / rushSeconds)],
    ['entry p50 / p95 / p99 / max (ms)', [50, 95, 99, 100].map((p) => percentile(latencies, p).toFixed(1)).join(' / ')],
    ...[...reasons.entries()].sort().map(([k, v]) => [`entries: ${k}`, v] as [string, number]),
    ['payments confirmed', paid],
    ['payments declined (402, then retried)', payments.filter((p) => p.first.status === 402).length],
    ['confirm p50 / p99 (ms)', [50, 99].map((p) => percentile(confirmMs, p).toFixed(1)).join(' / ')],
    ['holds left to expire', winners.length - paid],
    ['another shopper\'s token', stolen ? `${stolen.status} ${stolen.body?.error?.code ?? ''}` : 'n/a'],
    ['sold (PostgreSQL, from Kafka)', stats.sold ?? '?'],
    ['held now', stats.held ?? '?'],
    ['available now', stats.available ?? '?'],
    ['revenue (KRW)', stats.revenue ?? '?'],
    ['available + held + sold = seats', (stats.available ?? 0) + (stats.held ?? 0) + (stats.sold ?? 0) === seats ? 'yes' : 'NO'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  log('\n' + rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n'));
  await closeClient();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await closeClient();
  process.exit(1);
});
