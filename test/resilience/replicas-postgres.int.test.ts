import { setTimeout as sleep } from 'node:timers/promises';
import { call, expectSaleInvariant } from '@stampede/devkit';
import { auditAfterFault, report } from './support/audit';
import { startScenario, type Scenario } from './support/scenario';
import { RetryingClient, staggered, type Outcome } from './support/shoppers';

/**
 * Issue 10, faults that run in CI: replicas killed mid-burst, and PostgreSQL stopped for 10 s.
 * Everything runs on a private Redis Cluster, PostgreSQL and 3-node Kafka (ports from
 * STAMPEDE_TEST_PORT_BASE + 300) with every service as a real process, two replicas each of
 * gateway, entry and payment.
 */
describe('faults: replica kills and a PostgreSQL outage', () => {
  let s: Scenario;

  beforeAll(async () => {
    // A little PG latency keeps confirms in flight long enough for a kill to land in one.
    s = await startScenario(0, { gateway: 2, entry: 2, payment: 2 }, { SANDBOX_PG_LATENCY_MS: '150' });
  }, 180_000);
  afterAll(() => s?.stop());

  it('when PostgreSQL is stopped for 10 s during confirms, then confirms fail cleanly with no charge lacking a record, and recover when it returns', async () => {
    const saleId = await s.sale(10);
    const shoppers = await s.shoppers(10);
    const client = new RetryingClient(s.platform.gateways, 60_000);
    // Seats held and payments prepared before the outage.
    const ready = await Promise.all(
      shoppers.map(async (shopper) => {
        const entry = await client.send('enter', 'POST', `/sales/${saleId}/entries`, { token: shopper.accessToken, body: {} });
        expect(entry.status).toBe(201);
        return { shopper, token: entry.body.reservationToken as string };
      }),
    );

    await s.platform.postgres.kill();
    const down = Date.now();
    // What a client sees first while the database is down: a prompt, well-formed answer.
    const probe = await call('POST', `${s.urls.gateway}/payments/prepare`, { token: ready[0]!.shopper.accessToken, body: { reservationToken: ready[0]!.token } });
    const outcomes: Promise<Outcome>[] = ready.map(({ shopper, token }) => client.pay(shopper, token));
    await sleep(Math.max(0, 10_000 - (Date.now() - down)));
    await s.platform.postgres.start();
    const up = Date.now();
    const results = await Promise.all(outcomes);
    const duringOutage = client.failures.filter((f) => f.at < up).map((f) => `${f.status} ${f.code ?? ''}`.trim());

    const figures = await auditAfterFault(s.platform, saleId, results);
    const paid = results.filter((o) => o.kind === 'PAID').length;
    report('PostgreSQL stopped 10 s', {
      downSeconds: (up - down) / 1000,
      lastErrorAfterRestartSeconds: Math.max(0, ...client.failures.map((f) => (f.at - up) / 1000)), probe: `${probe.status} ${probe.body?.error?.code}`, paid, errorWindowSeconds: client.errorWindowSeconds(), failedAttempts: client.failureSummary(), ...figures,
    });

    // Clean failures: a prompt 503 the client knows to retry, never a 500 or a hang.
    expect(`${probe.status} ${probe.body?.error?.code}`).toBe('503 UNAVAILABLE');
    expect(probe.ms).toBeLessThan(5_000);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const a of duringOutage) expect(a).toMatch(/^503 (UNAVAILABLE|UPSTREAM_UNAVAILABLE)$/);
    expect(results.filter((o) => o.kind !== 'PAID')).toEqual([]);
    expect(figures.chargesWithoutRecord).toBe(0);
    expect(figures.doubleCharges).toBe(0);
    expect(figures.paymentsLost).toBe(0);
    expect(figures.soldInPostgres).toBe(10);
    expect(figures.soldMismatch).toBe(0);
    await expectSaleInvariant(s.platform.client, saleId);
  }, 180_000);

  it('when one replica each of entry, payment and gateway is killed mid-burst, then clients retrying with their Idempotency-Key are charged once and nothing is oversold or lost', async () => {
    const stock = 24;
    const saleId = await s.sale(stock);
    const shoppers = await s.shoppers(32);
    const client = new RetryingClient(s.platform.gateways, 60_000);

    const started = Date.now();
    let inFlight = 0;
    const inFlightAtKill: Record<string, number> = {};
    const kills = (async () => {
      for (const name of ['entry-1', 'payment-1', 'gateway-1']) {
        await sleep(700);
        // Mid-burst means with purchases under way.
        for (let waited = 0; inFlight === 0 && waited < 3_000; waited += 10) await sleep(10);
        inFlightAtKill[name] = inFlight;
        await s.platform.kill(name);
      }
    })();
    const outcomes = await staggered(shoppers, 150, async (shopper) => {
      inFlight++;
      try {
        return await client.buy(shopper, saleId);
      } finally {
        inFlight--;
      }
    });
    await kills;
    const burstSeconds = (Date.now() - started) / 1000;

    const figures = await auditAfterFault(s.platform, saleId, outcomes);
    const paid = outcomes.filter((o) => o.kind === 'PAID').length;
    const gaveUp = outcomes.filter((o) => o.kind === 'GAVE_UP');
    report('replica kills (entry-1, payment-1, gateway-1)', {
      burstSeconds, shoppers: shoppers.length, inFlightAtKill, paid, gaveUp: gaveUp.length,
      errorWindowSeconds: client.errorWindowSeconds(), failedAttempts: client.failureSummary(), ...figures,
    });

    // Every kill landed while purchases were under way.
    for (const n of Object.values(inFlightAtKill)) expect(n).toBeGreaterThan(0);
    expect(gaveUp).toEqual([]);
    expect(figures.doubleCharges).toBe(0);
    expect(figures.chargesWithoutRecord).toBe(0);
    expect(figures.paymentsLost).toBe(0);
    expect(figures.oversold).toBe(0);
    expect(figures.soldMismatch).toBe(0);
    expect(figures.paymentsConfirmed).toBe(paid);
    expect(figures.soldInPostgres).toBe(paid);
    // Nobody who could buy went without: every seat is paid for or still held by a lost answer.
    expect(paid).toBeGreaterThanOrEqual(stock - (figures.redis?.held ?? 0));
    // Redis was never faulted here: its counters must still add up exactly.
    const audit = await expectSaleInvariant(s.platform.client, saleId);
    expect(audit.sold).toBe(paid);
  }, 240_000);
});
