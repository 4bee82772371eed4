import { captureLogs, http, startApp, startTestIssuer, testInfra, testStoreEnv, waitFor, type StartedApp, type TestIssuer } from '@stampede/devkit';
import type { Cluster } from 'ioredis';
import type { Pool } from 'pg';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';
import { signWebhook } from '../src/domain/webhook-signature';
import { WEBHOOK_SECRET, paymentTestEnv } from './support/env';
import {
  CARD_DECLINED,
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
  startSnapshotServer,
  type TestSale,
} from './support/fixture';

/**
 * Refunds, webhooks, subscriptions, and what reaches the logs (issue 6, acceptance 7 and 9 and
 * the refund deliverable). Two in-process replicas with debug-level captured logs.
 */
describe('payment refunds, webhooks and logs', () => {
  let issuer: TestIssuer;
  let snaps: Awaited<ReturnType<typeof startSnapshotServer>>;
  let redis: Cluster;
  let db: Pool;
  let events: Awaited<ReturnType<typeof collectPaymentEvents>>;
  const logs = captureLogs('debug');
  const apps: StartedApp[] = [];
  /** Every secret value these tests handled; none may appear in a log line. */
  const secrets = new Set<string>([WEBHOOK_SECRET, CARD_OK, CARD_DECLINED]);
  const url = (i: number) => (apps[i % 2] as StartedApp).url;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    snaps = await startSnapshotServer();
    redis = redisClient();
    db = paymentDb();
    events = await collectPaymentEvents(testInfra().kafkaBrokers);
    const env = { ...testStoreEnv('payment'), ...issuer.env(), ...paymentTestEnv(snaps.url) };
    for (let i = 0; i < 2; i++) apps.push(await startApp(configShape, buildPayment, env, logs.logger));
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await events?.stop();
    await db?.end();
    redis?.disconnect();
    await snaps?.stop();
    await issuer?.stop();
  });

  async function user(roles: Array<'USER' | 'ADMIN'> = ['USER']) {
    const u = await issuer.user(roles);
    secrets.add(u.token);
    return u;
  }

  async function paid(sale: TestSale, u: { userId: string; token: string }) {
    const hold = await reserve(redis, sale, u.userId);
    const pay = await payWithCard(url(0), hold.token, u.token, CARD_OK);
    secrets.add(hold.token).add(pay.paymentKey);
    const res = await http('POST', `${url(1)}/payments/confirm`, {
      token: u.token,
      headers: { 'idempotency-key': idemKey() },
      body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount },
    });
    expect(res.status).toBe(200);
    return { ...pay, paymentId: res.body.paymentId as string, hold };
  }

  const refund = (i: number, token: string, paymentId: string, key = idemKey()) =>
    http('POST', `${url(i)}/payments/${paymentId}/refund`, { token, headers: { 'idempotency-key': key }, body: { reason: 'changed my mind' } });

  describe('refund', () => {
    it('when the holder refunds under RESTOCK, then the provider refunds, payment.refunded is published, the seat is back on sale, and a second refund is 409', async () => {
      const sale = await newSale(redis, snaps, { refundPolicy: 'RESTOCK' });
      const u = await user();
      const p = await paid(sale, u);
      const key = idemKey();

      const res = await refund(0, u.token, p.paymentId, key);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ paymentId: p.paymentId, status: 'REFUNDED', refundAmount: sale.unitPrice, stockReturned: true });
      expect((await ledger(url(0), p.orderId)).map((e) => e.kind)).toEqual(['CHARGE', 'CANCEL']);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ available: sale.total, held: 0, sold: 0 });

      // The same key answers the same; a new key is a second refund: 409, and nothing moves twice.
      const replay = await refund(1, u.token, p.paymentId, key);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(res.body);
      const second = await refund(1, u.token, p.paymentId);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('ALREADY_REFUNDED');
      expect((await ledger(url(0), p.orderId)).map((e) => e.kind)).toEqual(['CHARGE', 'CANCEL']);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ available: sale.total, sold: 0 });

      await waitFor('payment.refunded on Kafka', async () => events.messages.some((m) => m.value.type === 'payment.refunded' && m.value.payment.paymentId === p.paymentId), 20_000, 100);
      const msg = events.messages.find((m) => m.value.type === 'payment.refunded' && m.value.payment.paymentId === p.paymentId);
      expect(msg?.key).toBe(sale.saleId);
      expect(msg?.value).toMatchObject({ schemaVersion: 1, payment: { refundAmount: sale.unitPrice } });
    });

    it('when the sale is NO_RESTOCK, then the refund keeps the seat sold', async () => {
      const sale = await newSale(redis, snaps, { refundPolicy: 'NO_RESTOCK' });
      const u = await user();
      const p = await paid(sale, u);
      const res = await refund(0, u.token, p.paymentId);
      expect(res.status).toBe(200);
      expect(res.body.stockReturned).toBe(false);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ sold: 1, available: sale.total - 1 });
      const seen = await http('GET', `${url(1)}/payments/${p.paymentId}`, { token: u.token });
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ paymentId: p.paymentId, status: 'REFUNDED' });
      expect((await http('GET', `${url(1)}/payments/${p.paymentId}`, { token: (await user()).token })).status).toBe(404);
    });

    it('when another user asks for the refund, then 403 and nothing changes; an ADMIN may refund', async () => {
      const sale = await newSale(redis, snaps);
      const u = await user();
      const p = await paid(sale, u);
      const other = await user();
      const res = await refund(0, other.token, p.paymentId);
      expect(res.status).toBe(403);
      expect((await ledger(url(0), p.orderId)).map((e) => e.kind)).toEqual(['CHARGE']);
      expect((await db.query('select status from payments where id = $1', [p.paymentId])).rows[0].status).toBe('CONFIRMED');

      const admin = await user(['ADMIN']);
      expect((await refund(1, admin.token, p.paymentId)).status).toBe(200);
    });

    it('when the refund has no Idempotency-Key, then 400 and nothing changes', async () => {
      const sale = await newSale(redis, snaps);
      const u = await user();
      const p = await paid(sale, u);
      const res = await http('POST', `${url(0)}/payments/${p.paymentId}/refund`, { token: u.token, body: {} });
      expect(res.status).toBe(400);
      expect((await db.query('select status from payments where id = $1', [p.paymentId])).rows[0].status).toBe('CONFIRMED');
    });
  });

  describe('webhook', () => {
    async function preparedOrder(): Promise<string> {
      const sale = await newSale(redis, snaps);
      const u = await user();
      const hold = await reserve(redis, sale, u.userId);
      secrets.add(hold.token);
      const prep = await http('POST', `${url(0)}/payments/prepare`, { token: u.token, body: { reservationToken: hold.token } });
      secrets.add(prep.body.customerKey);
      return prep.body.orderId as string;
    }

    function delivery(orderId: string, status: string, ts = Math.floor(Date.now() / 1000)) {
      const paymentKey = `tgen_${orderId}_pk`;
      secrets.add(paymentKey);
      const raw = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { orderId, status, paymentKey } });
      return { raw, headers: { 'x-webhook-timestamp': String(ts), 'x-webhook-signature': signWebhook(WEBHOOK_SECRET, ts, raw) } };
    }

    const post = (i: number, d: { raw: string; headers: Record<string, string> }) => http('POST', `${url(i)}/webhooks/pg`, { raw: d.raw, headers: d.headers });
    const changes = async (orderId: string) =>
      (await db.query('select e.to_status from payment_pg_events e join payments p on p.id = e.payment_id where p.order_id = $1', [orderId])).rows.map((r) => r.to_status);

    it('when the signature is good, then 200 and the status is recorded; the same delivery twice makes one change', async () => {
      const orderId = await preparedOrder();
      const d = delivery(orderId, 'DONE');
      const first = await post(0, d);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ received: true, duplicate: false, changed: true });
      const again = await post(1, d);
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      expect(await changes(orderId)).toEqual(['DONE']);
      // A fresh delivery of the same status is idempotent too.
      expect((await post(0, delivery(orderId, 'DONE', Math.floor(Date.now() / 1000) - 1))).body.changed).toBe(false);
      expect(await changes(orderId)).toEqual(['DONE']);
      expect((await db.query('select pg_status from payments where order_id = $1', [orderId])).rows[0].pg_status).toBe('DONE');
    });

    it('when the signature is bad, missing or stale, then 401 and nothing changes', async () => {
      const orderId = await preparedOrder();
      const d = delivery(orderId, 'CANCELED');
      const bad = { raw: d.raw, headers: { ...d.headers, 'x-webhook-signature': signWebhook('not-the-secret-xxxxxxxx', Number(d.headers['x-webhook-timestamp']), d.raw) } };
      const tampered = { raw: d.raw.replace('CANCELED', 'DONE'), headers: d.headers };
      const missing = { raw: d.raw, headers: { 'x-webhook-timestamp': d.headers['x-webhook-timestamp'] as string } };
      const stale = delivery(orderId, 'CANCELED', Math.floor(Date.now() / 1000) - 301);
      for (const attempt of [bad, tampered, missing, stale]) {
        const res = await post(1, attempt);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('INVALID_SIGNATURE');
      }
      expect(await changes(orderId)).toEqual([]);
      const { rows } = await db.query('select count(*)::int as n from webhook_deliveries where order_id = $1', [orderId]);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('subscriptions', () => {
    it('when a user subscribes and registers a card, then the subscription is active and the billing key is stored encrypted', async () => {
      const u = await user();
      const created = await http('POST', `${url(0)}/subscriptions`, { token: u.token, body: { plan: 'pro', billingCycle: 'monthly' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ plan: 'pro', billingCycle: 'monthly', amount: 29_900, status: 'PENDING_BILLING_KEY' });
      secrets.add(created.body.customerKey);
      const authKey = 'auth_sbx_0123456789';
      secrets.add(authKey);
      const active = await http('POST', `${url(1)}/subscriptions/${created.body.subscriptionId}/billing-key`, { token: u.token, body: { authKey } });
      expect(active.status).toBe(200);
      expect(active.body.status).toBe('ACTIVE');
      const { rows } = await db.query('select billing_key_enc from subscriptions where id = $1', [created.body.subscriptionId]);
      expect(rows[0].billing_key_enc).toMatch(/^a:[^:]+:[^:]+:[^:]+$/);
      expect(rows[0].billing_key_enc).not.toContain('bk_');
      // Someone else cannot see it.
      expect((await http('GET', `${url(0)}/subscriptions/${created.body.subscriptionId}`, { token: (await user()).token })).status).toBe(404);
      expect((await http('POST', `${url(0)}/subscriptions`, { token: u.token, body: { plan: 'gold', billingCycle: 'monthly' } })).status).toBe(400);
    });
  });

  it('the captured logs of prepare, confirm, refund and webhook carry no payment key, billing key, card number, secret or token', async () => {
    // One more declined and mismatched confirm, so failure paths are in the logs too.
    const sale = await newSale(redis, snaps);
    const u = await user();
    const hold = await reserve(redis, sale, u.userId);
    secrets.add(hold.token);
    const pay = await payWithCard(url(0), hold.token, u.token, CARD_DECLINED);
    secrets.add(pay.paymentKey);
    for (const amount of [pay.amount, pay.amount - 1]) {
      await http('POST', `${url(1)}/payments/confirm`, { token: u.token, headers: { 'idempotency-key': idemKey() }, body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount } });
    }
    const billingKeys = (await db.query('select billing_key_enc from subscriptions where billing_key_enc is not null')).rows.map((r) => r.billing_key_enc as string);

    const text = logs.text();
    for (const route of ['/payments/prepare', '/payments/confirm', '/refund', '/webhooks/pg', '/subscriptions']) expect(text).toContain(route);
    expect(text).toContain('[REDACTED]');
    for (const s of [...secrets, ...billingKeys]) expect(text).not.toContain(s);
    expect(text).not.toMatch(/bk_sbx_|sbx_[A-Za-z0-9_-]{24}|rt_pay-/);
    expect(text).not.toMatch(/\b4330\d{12}\b|\b4000\d{12}\b|\b4111\d{12}\b/);
  });
});
