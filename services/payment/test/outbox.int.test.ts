import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  declareTopics,
  http,
  ProcessGroup,
  spawnTs,
  startKafka,
  startTestIssuer,
  testKafkaPorts,
  testStoreEnv,
  waitFor,
  type KafkaHandle,
  type SpawnedService,
  type TestIssuer,
} from '@stampede/devkit';
import type { Cluster } from 'ioredis';
import type { Pool } from 'pg';
import { paymentTestEnv } from './support/env';
import { CARD_OK, collectPaymentEvents, idemKey, newSale, payWithCard, paymentDb, privatePaymentDatabase, redisClient, reserve, root, startSnapshotServer } from './support/fixture';

/**
 * Issue 6, acceptance 6: Kafka stops answering (a Kafka node of this file's own, frozen with
 * SIGSTOP, so other test files keep theirs). Two replicas keep confirming; the outbox keeps the
 * events; after Kafka resumes every event arrives, and an order record keyed by paymentId (as
 * the event service keeps it) gets each payment once. Payment runs on a database of this file's
 * own, so its relay never takes another file's events to this Kafka.
 */
describe('payment outbox while Kafka is down', () => {
  const dir = join(root, '.stampede', `payment-outbox-${process.pid}`);
  const group = new ProcessGroup(join(dir, 'logs'));
  let kafka: KafkaHandle;
  let issuer: TestIssuer;
  let snaps: Awaited<ReturnType<typeof startSnapshotServer>>;
  let redis: Cluster;
  let db: Pool;
  let replicas: SpawnedService[] = [];

  beforeAll(async () => {
    kafka = await startKafka({ group, root, dir: join(dir, 'kafka'), nodes: 1, basePort: testKafkaPorts(0) });
    await declareTopics(kafka, root);
    issuer = await startTestIssuer();
    snaps = await startSnapshotServer();
    redis = redisClient();
    const databaseUrl = await privatePaymentDatabase('payment_outbox');
    db = paymentDb(databaseUrl);
    const env = { ...testStoreEnv('payment'), DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafka.brokersEnv, ...issuer.env(), ...paymentTestEnv(snaps.url) };
    replicas = await Promise.all([spawnTs(root, 'services/payment/src/main.ts', env), spawnTs(root, 'services/payment/src/main.ts', env)]);
  }, 90_000);

  afterAll(async () => {
    kafka?.resume();
    await Promise.all(replicas.map((r) => r.kill()));
    await db?.end();
    redis?.disconnect();
    await snaps?.stop();
    await issuer?.stop();
    await kafka?.stop();
    await group.stopAll(2_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when Kafka is frozen, then confirms still answer 200, and after it resumes every event is delivered and recorded once', async () => {
    const sale = await newSale(redis, snaps, { total: 10, limit: 1 });
    kafka.pause();
    const paymentIds: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      const user = await issuer.user();
      const hold = await reserve(redis, sale, user.userId);
      const url = (replicas[i % 2] as SpawnedService).url;
      const pay = await payWithCard(url, hold.token, user.token, CARD_OK);
      const res = await http('POST', `${url}/payments/confirm`, {
        token: user.token,
        headers: { 'idempotency-key': idemKey() },
        body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount },
      });
      expect(res.status).toBe(200);
      paymentIds.push(res.body.paymentId);
    }
    const confirmMs = Date.now() - started;
    expect(confirmMs).toBeLessThan(10_000);

    // The events wait in the outbox while Kafka is down.
    await new Promise((r) => setTimeout(r, 1_000));
    const unsent = await db.query("select count(*)::int as n from outbox where sent_at is null and payload->'payment'->>'paymentId' = any($1)", [paymentIds]);
    expect(unsent.rows[0].n).toBe(paymentIds.length);
    const metrics = await (await fetch(`${(replicas[0] as SpawnedService).url}/metrics`)).text();
    expect(Number(/^stampede_payment_outbox_backlog\{[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(paymentIds.length);
    expect(Number(/^stampede_payment_outbox_oldest_age_seconds\{[^}]*\} ([\d.]+)/m.exec(metrics)?.[1])).toBeGreaterThan(0.5);
    expect(metrics).toMatch(/^stampede_payment_payments_total\{status="CONFIRMED"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^stampede_payment_pg_request_duration_seconds_count\{[^}]*operation="confirm"[^}]*\} [1-9]/m);

    kafka.resume();
    const events = await collectPaymentEvents(kafka.brokersEnv);
    try {
      await waitFor('every payment.confirmed delivered', async () => paymentIds.every((id) => events.messages.some((m) => m.value.payment?.paymentId === id)), 60_000, 200);
      // The event service's order record: one row per paymentId however often a message arrives.
      const orders = new Map<string, number>();
      for (const m of events.messages) orders.set(m.value.payment.paymentId, (orders.get(m.value.payment.paymentId) ?? 0) + 1);
      expect([...orders.keys()].sort()).toEqual([...paymentIds].sort());
      const deliveries = [...orders.values()];
      process.stdout.write(`[outbox] ${paymentIds.length} confirms in ${confirmMs} ms with Kafka frozen; ${events.messages.length} messages after resume (max ${Math.max(...deliveries)} per payment)\n`);
      await waitFor('outbox marked sent', async () => {
        const { rows } = await db.query("select count(*)::int as n from outbox where sent_at is null and payload->'payment'->>'paymentId' = any($1)", [paymentIds]);
        return rows[0].n === 0;
      }, 30_000, 200);
    } finally {
      await events.stop();
    }
  }, 120_000);
});
