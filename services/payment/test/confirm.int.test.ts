import type { Cluster } from 'ioredis';
import { expireHolds, releaseHold } from '@stampede/ledger';
import { http, spawnTs, startApp, startTestIssuer, testInfra, testStoreEnv, waitFor, type SpawnedService, type StartedApp, type TestIssuer } from '@stampede/devkit';
import type { Pool } from 'pg';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';
import { paymentTestEnv } from './support/env';
import {
  CARD_DECLINED,
  CARD_NO_FUNDS,
  CARD_OK,
  collectPaymentEvents,
  idemKey,
  inventory,
  ledger,
  newSale,
  payWithCard,
  paymentDb,
  redisClient,
  reserve,
  root,
  startSnapshotServer,
  startTraceSink,
} from './support/fixture';

/**
 * Issue 6, acceptance 1–5: two real payment replicas (separate processes) against the real Redis
 * Cluster, PostgreSQL and Kafka; requests alternate between them.
 */
describe('payment confirm across two replicas', () => {
  let issuer: TestIssuer;
  let snaps: Awaited<ReturnType<typeof startSnapshotServer>>;
  let redis: Cluster;
  let db: Pool;
  let events: Awaited<ReturnType<typeof collectPaymentEvents>>;
  let replicas: SpawnedService[] = [];
  let slow: StartedApp;
  let sink: Awaited<ReturnType<typeof startTraceSink>>;
  const url = (i: number) => (replicas[i % 2] as SpawnedService).url;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    snaps = await startSnapshotServer();
    redis = redisClient();
    db = paymentDb();
    events = await collectPaymentEvents(testInfra().kafkaBrokers);
    sink = await startTraceSink();
    const env = {
      ...testStoreEnv('payment'),
      ...issuer.env(),
      ...paymentTestEnv(snaps.url),
      // Real SDK in the replicas, so the confirm span's trace context reaches the Kafka headers.
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    };
    replicas = await Promise.all([spawnTs(root, 'services/payment/src/main.ts', env), spawnTs(root, 'services/payment/src/main.ts', env)]);
    // A third, in-process replica whose gateway takes 1.5 s: the charge outlives a 1 s hold.
    slow = await startApp(configShape, buildPayment, { ...testStoreEnv('payment'), ...issuer.env(), ...paymentTestEnv(snaps.url, { SANDBOX_PG_LATENCY_MS: '1500', OUTBOX_RELAY_ENABLED: 'false' }) });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await slow?.stop();
    await events?.stop();
    await db?.end();
    redis?.disconnect();
    await snaps?.stop();
    await sink?.stop();
    await issuer?.stop();
  });

  const confirm = (i: number, token: string, reservationToken: string, paymentKey: string, amount: number, key = idemKey()) =>
    http('POST', `${url(i)}/payments/confirm`, { token, headers: { 'idempotency-key': key }, body: { reservationToken, paymentKey, amount } });

  it('when a request straight to payment carries a forged or replayed gateway identity, then 401 and nothing is charged; the genuine one pays', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
    const body = Buffer.from(JSON.stringify({ reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount }));
    const path = '/payments/confirm';
    const send = (i: number, header: string, key = idemKey()) =>
      http('POST', `${url(i)}${path}`, { raw: body.toString(), headers: { 'x-stampede-identity': header, 'idempotency-key': key } });
    const genuine = issuer.identity({ userId: user.userId }, { method: 'POST', path, body });
    const [kid] = genuine.split('.');
    const forged = issuer.identity({ userId: user.userId }, { method: 'POST', path, body }, { keys: { active: { kid: kid as string, key: Buffer.alloc(32, 1) }, byKid: new Map() } });
    const otherUser = issuer.identity({ userId: 'someone-else' }, { method: 'POST', path, body });
    expect((await send(0, forged)).status).toBe(401);
    // Someone else's identity is accepted as someone else, who does not own the hold.
    expect((await send(1, otherUser)).status).toBe(403);
    expect((await ledger(url(0), pay.orderId)).filter((e) => e.kind === 'CHARGE')).toHaveLength(0);

    expect((await send(0, genuine)).status).toBe(200);
    const replay = await send(0, genuine);
    expect([replay.status, replay.body.error.code]).toEqual([401, 'AUTH_REQUIRED']);
    expect((await ledger(url(0), pay.orderId)).filter((e) => e.kind === 'CHARGE')).toHaveLength(1);
  });

  it('when a user pays with card 4330…, then 200 with the payment id, the hold is sold, the token is spent, and payment.confirmed reaches Kafka with trace headers', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
    expect(pay.amount).toBe(sale.unitPrice);

    const res = await confirm(1, user.token, hold.token, pay.paymentKey, pay.amount);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CONFIRMED', orderId: pay.orderId, saleId: sale.saleId, amount: sale.unitPrice, qty: 1 });
    const paymentId = res.body.paymentId as string;

    expect(await inventory(redis, sale.saleId)).toMatchObject({ available: sale.total - 1, held: 0, sold: 1 });
    const { rows } = await db.query('select status from payments where id = $1', [paymentId]);
    expect(rows[0].status).toBe('CONFIRMED');

    // The token is spent: it cannot be prepared again, and confirming again never charges again.
    expect((await http('POST', `${url(0)}/payments/prepare`, { token: user.token, body: { reservationToken: hold.token } })).status).toBe(409);
    const again = await confirm(0, user.token, hold.token, pay.paymentKey, pay.amount);
    expect(again.status).toBe(200);
    expect(again.body.paymentId).toBe(paymentId);
    expect((await ledger(url(0), pay.orderId)).filter((e) => e.kind === 'CHARGE')).toHaveLength(1);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ sold: 1, held: 0 });

    await waitFor('payment.confirmed on Kafka', async () => events.messages.some((m) => m.value.payment?.paymentId === paymentId), 20_000, 100);
    const msg = events.messages.find((m) => m.value.payment?.paymentId === paymentId);
    expect(msg?.key).toBe(sale.saleId);
    expect(msg?.value).toMatchObject({ type: 'payment.confirmed', schemaVersion: 1 });
    expect(msg?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/);
    // The same trace the replica exported for the confirm request.
    const traceId = (msg?.headers.traceparent as string).split('-')[1] as string;
    await waitFor('the confirm trace at the collector', async () => sink.traceIds.has(traceId), 10_000, 100);
  });

  it("when a user confirms another user's token, then 403 and nothing changes", async () => {
    const sale = await newSale(redis, snaps);
    const owner = await issuer.user();
    const thief = await issuer.user();
    const hold = await reserve(redis, sale, owner.userId);
    const pay = await payWithCard(url(0), hold.token, owner.token, CARD_OK);

    const res = await confirm(1, thief.token, hold.token, pay.paymentKey, pay.amount);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(await ledger(url(0), pay.orderId)).toEqual([]);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 1, sold: 0 });
    expect((await http('POST', `${url(0)}/payments/prepare`, { token: thief.token, body: { reservationToken: hold.token } })).status).toBe(403);
    // The owner's token still works.
    expect((await confirm(0, owner.token, hold.token, pay.paymentKey, pay.amount)).status).toBe(200);
  });

  it('when the amount is one won off, then 400 AMOUNT_MISMATCH and the sandbox provider records no charge', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);

    for (const amount of [pay.amount - 1, pay.amount + 1]) {
      const res = await confirm(1, user.token, hold.token, pay.paymentKey, amount);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('AMOUNT_MISMATCH');
    }
    expect(await ledger(url(0), pay.orderId)).toEqual([]);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 1, sold: 0 });
    const { rows } = await db.query('select status, attempts from payments where order_id = $1', [pay.orderId]);
    expect(rows[0]).toEqual({ status: 'PENDING', attempts: 0 });
  });

  it('when card 4000… is declined, then 402 PAYMENT_FAILED, the hold stays, and the user can retry with another card', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const bad = await payWithCard(url(0), hold.token, user.token, CARD_DECLINED);

    const res = await confirm(1, user.token, hold.token, bad.paymentKey, bad.amount);
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'DECLINED' } });
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 1, sold: 0 });
    expect((await ledger(url(0), bad.orderId)).map((e) => e.kind)).toEqual(['DECLINE']);

    const good = await payWithCard(url(1), hold.token, user.token, CARD_OK);
    expect(good.orderId).toBe(bad.orderId);
    const retry = await confirm(0, user.token, hold.token, good.paymentKey, good.amount);
    expect(retry.status).toBe(200);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 0, sold: 1 });
  });

  it('when card 4111… has insufficient funds, then 402 with its own message', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_NO_FUNDS);
    const declined = await payWithCard(url(0), (await reserve(redis, await newSale(redis, snaps), user.userId)).token, user.token, CARD_DECLINED);

    const res = await confirm(1, user.token, hold.token, pay.paymentKey, pay.amount);
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'INSUFFICIENT_FUNDS' } });
    expect(res.body.error.message).toMatch(/insufficient funds/i);
    expect(res.body.error.message).not.toBe('The card was declined by the issuer');
    expect(declined.paymentKey).not.toBe(pay.paymentKey);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 1, sold: 0 });
  });

  it('when ten confirms with the same token and key race across both replicas, then one charge and ten identical answers', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
    const key = idemKey();

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => confirm(i, user.token, hold.token, pay.paymentKey, pay.amount, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const bodies = new Set(answers.map((a) => JSON.stringify(a.body)));
    expect(bodies.size).toBe(1);
    expect((await ledger(url(0), pay.orderId)).filter((e) => e.kind === 'CHARGE')).toHaveLength(1);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 0, sold: 1 });
    const { rows } = await db.query("select count(*)::int as n from outbox where payload->'payment'->>'orderId' = $1", [pay.orderId]);
    expect(rows[0].n).toBe(1);
  });

  it('when the same Idempotency-Key is reused for a different request, then 409 and nothing is charged', async () => {
    const sale = await newSale(redis, snaps);
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
    const key = idemKey();
    expect((await confirm(0, user.token, hold.token, pay.paymentKey, pay.amount + 5, key)).status).toBe(400);
    const reuse = await confirm(1, user.token, hold.token, pay.paymentKey, pay.amount, key);
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await ledger(url(0), pay.orderId)).toEqual([]);
  });

  it('when a confirm has no Idempotency-Key, then 400 naming the header', async () => {
    const res = await http('POST', `${url(0)}/payments/confirm`, {
      token: (await issuer.user()).token,
      body: { reservationToken: `rt_x_${'a'.repeat(43)}`, paymentKey: 'pk', amount: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('Idempotency-Key');
  });

  describe('confirm racing the hold expiry (1 s hold)', () => {
    it('when the charge completes after the hold expired, then the charge is voided, 410 HOLD_EXPIRED, and the seat is back on sale', async () => {
      const sale = await newSale(redis, snaps, { holdTtlSeconds: 1 });
      const user = await issuer.user();
      const hold = await reserve(redis, sale, user.userId);
      const pay = await payWithCard(slow.url, hold.token, user.token, CARD_OK);

      const res = await http('POST', `${slow.url}/payments/confirm`, {
        token: user.token,
        headers: { 'idempotency-key': idemKey() },
        body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount },
      });
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('HOLD_EXPIRED');
      expect((await ledger(url(0), pay.orderId)).map((e) => e.kind)).toEqual(['CHARGE', 'CANCEL']);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 0, sold: 0, available: sale.total });
      const { rows } = await db.query('select status from payments where order_id = $1', [pay.orderId]);
      expect(rows[0].status).toBe('VOIDED');
      const outbox = await db.query("select count(*)::int as n from outbox where payload->'payment'->>'orderId' = $1", [pay.orderId]);
      expect(outbox.rows[0].n).toBe(0);
    });

    it('when the hold expired before the confirm arrives, then 410 HOLD_EXPIRED with no charge at all', async () => {
      const sale = await newSale(redis, snaps, { holdTtlSeconds: 1 });
      const user = await issuer.user();
      const hold = await reserve(redis, sale, user.userId);
      const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
      await new Promise((r) => setTimeout(r, 1_200));

      const res = await confirm(1, user.token, hold.token, pay.paymentKey, pay.amount);
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('HOLD_EXPIRED');
      expect(await ledger(url(0), pay.orderId)).toEqual([]);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 0, sold: 0, available: sale.total });
      expect((await confirm(0, user.token, hold.token, pay.paymentKey, pay.amount)).status).toBe(410);
      expect(await ledger(url(0), pay.orderId)).toEqual([]);
    });
  });

  it('when the confirm wins and the expiry sweep runs afterwards, then the seat stays sold', async () => {
    const sale = await newSale(redis, snaps, { holdTtlSeconds: 1 });
    const user = await issuer.user();
    const hold = await reserve(redis, sale, user.userId);
    const pay = await payWithCard(url(0), hold.token, user.token, CARD_OK);
    expect((await confirm(1, user.token, hold.token, pay.paymentKey, pay.amount)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await expireHolds(redis, sale.saleId)).toBe(0);
    expect(await releaseHold(redis, sale.saleId, hold.holdId)).toBe(false);
    expect(await inventory(redis, sale.saleId)).toMatchObject({ held: 0, sold: 1, available: sale.total - 1 });
    expect((await ledger(url(0), pay.orderId)).map((e) => e.kind)).toEqual(['CHARGE']);
  });
});
