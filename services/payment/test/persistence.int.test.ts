import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm, transaction } from '@stampede/chassis/clients/orm';
import { http, startApp, startTestIssuer, testDatabaseUrl, testStoreEnv, waitFor, type StartedApp, type TestIssuer } from '@stampede/devkit';
import type { Cluster } from 'ioredis';
import type { Pool } from 'pg';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';
import type { Reservation } from '../src/domain/payment';
import { customerKeyOf } from '../src/store/customers';
import { model } from '../src/store/model';
import { ensurePending } from '../src/store/payments';
import { paymentTestEnv } from './support/env';
import { CARD_OK, idemKey, inventory, newSale, payWithCard, paymentDb, redisClient, reserve, startSnapshotServer } from './support/fixture';

/** The payment store on the real PostgreSQL: insert-if-absent under concurrency, one connection per use case. */
describe('payment persistence', () => {
  let orm: MikroORM;
  let db: Pool;

  beforeAll(async () => {
    orm = await initOrm({ clientUrl: testDatabaseUrl('payment'), ...model, poolMax: 10 });
    db = paymentDb();
  });

  afterAll(async () => {
    await orm?.close(true);
    await db?.end();
  });

  it('when twenty first sights of one hold race in separate transactions, then one payment row exists, one caller created it, and all got it', async () => {
    const r: Reservation = {
      holdId: `hold-${randomUUID()}`,
      userId: `user-${randomUUID()}`,
      saleId: 'sale-race',
      sku: 'SKU-RACE',
      unitPrice: 1_000,
      qty: 2,
      issuedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => transaction(orm, (em) => ensurePending(em, r, 'sandbox'))));
    expect(results.filter((x) => x.created)).toHaveLength(1);
    expect(new Set(results.map((x) => x.payment.id)).size).toBe(1);
    expect(results.every((x) => x.payment.status === 'PENDING' && x.payment.amount === 2_000)).toBe(true);
    const { rows } = await db.query('select count(*)::int as n from payments where hold_id = $1', [r.holdId]);
    expect(rows[0].n).toBe(1);
  });

  it('when twenty first requests of one user race for a customer key, then all get the same key and one row exists', async () => {
    const userId = `user-${randomUUID()}`;
    const keys = await Promise.all(Array.from({ length: 20 }, () => transaction(orm, (em) => customerKeyOf(em, userId))));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^cust_[A-Za-z0-9_-]{24}$/);
    const { rows } = await db.query('select count(*)::int as n from customers where user_id = $1', [userId]);
    expect(rows[0].n).toBe(1);
  });

  describe('a replica whose pool has a single connection', () => {
    let issuer: TestIssuer;
    let snaps: Awaited<ReturnType<typeof startSnapshotServer>>;
    let redis: Cluster;
    let app: StartedApp;

    beforeAll(async () => {
      issuer = await startTestIssuer();
      snaps = await startSnapshotServer();
      redis = redisClient();
      app = await startApp(configShape, buildPayment, {
        ...testStoreEnv('payment'),
        ...issuer.env(),
        // The relay too shares the one connection, as in any replica.
        ...paymentTestEnv(snaps.url),
        DATABASE_POOL_MAX: '1',
      });
    });

    afterAll(async () => {
      await app?.stop();
      redis?.disconnect();
      await snaps?.stop();
      await issuer?.stop();
    });

    it('when a user confirms and then refunds, then both complete and both events are relayed: every read of a transaction goes through its own connection', async () => {
      const sale = await newSale(redis, snaps, { refundPolicy: 'NO_RESTOCK' });
      const user = await issuer.user();
      const hold = await reserve(redis, sale, user.userId);
      const pay = await payWithCard(app.url, hold.token, user.token, CARD_OK);
      const started = Date.now();
      const confirmed = await http('POST', `${app.url}/payments/confirm`, {
        token: user.token,
        headers: { 'idempotency-key': idemKey() },
        body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.status).toBe('CONFIRMED');
      const refunded = await http('POST', `${app.url}/payments/${confirmed.body.paymentId}/refund`, {
        token: user.token,
        headers: { 'idempotency-key': idemKey() },
        body: { reason: 'changed my mind' },
      });
      expect(refunded.status).toBe(200);
      expect(refunded.body).toMatchObject({ status: 'REFUNDED', refundAmount: sale.unitPrice, stockReturned: false });
      process.stdout.write(`[persistence] confirm + refund on a one-connection pool in ${Date.now() - started} ms\n`);
      const { rows } = await db.query('select status from payments where id = $1', [confirmed.body.paymentId]);
      expect(rows[0].status).toBe('REFUNDED');
      const outbox = await db.query("select payload->>'type' as type from outbox where payload->'payment'->>'paymentId' = $1 order by id", [confirmed.body.paymentId]);
      expect(outbox.rows.map((r) => r.type)).toEqual(['payment.confirmed', 'payment.refunded']);
      await waitFor('both events relayed', async () => {
        const unsent = await db.query("select count(*)::int as n from outbox where sent_at is null and payload->'payment'->>'paymentId' = $1", [confirmed.body.paymentId]);
        return unsent.rows[0].n === 0;
      }, 20_000, 100);
      expect(await inventory(redis, sale.saleId)).toMatchObject({ sold: 1 });
    });
  });
});
