import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import type { KafkaConnection } from '@stampede/chassis/clients/kafka';
import {
  declareTopics,
  http,
  makeTestCertificates,
  ProcessGroup,
  spawnTs,
  startKafka,
  startTestIssuer,
  testKafkaPorts,
  testStoreEnv,
  waitFor,
  type KafkaHandle,
  type SpawnedService,
  type TestCertificates,
  type TestIssuer,
} from '@stampede/devkit';
import { paymentTestEnv } from './support/env';
import { CARD_OK, collectPaymentEvents, idemKey, newSale, payWithCard, privatePaymentDatabase, redisClient, reserve, root, startSnapshotServer } from './support/fixture';

const DATABASE = 'payment_kafka_auth';

/**
 * Kafka with authentication and encryption, as the chart runs it when kafka.auth is on: a real
 * broker of this file's own whose client listener is SASL_SSL with SCRAM-SHA-512 and a certificate
 * from a CA the test makes. Payment runs as a real process with the KAFKA_SASL_* / KAFKA_SSL*
 * variables, on a database of its own so its outbox relay only ever sees this file's events.
 */
describe('payment on Kafka over SASL_SSL (SCRAM-SHA-512)', () => {
  const dir = join(root, '.stampede', `kafka-auth-${process.pid}`);
  const group = new ProcessGroup(join(dir, 'logs'));
  const password = randomBytes(18).toString('base64url');
  let certs: TestCertificates;
  let kafka: KafkaHandle;
  let issuer: TestIssuer;
  let snaps: Awaited<ReturnType<typeof startSnapshotServer>>;
  let redis: Cluster;
  const spawned: SpawnedService[] = [];

  let databaseUrl: string;
  const env = (over: Record<string, string>) => ({
    ...testStoreEnv('payment'),
    DATABASE_URL: databaseUrl,
    ...issuer.env(),
    ...paymentTestEnv(snaps.url),
    KAFKA_BROKERS: kafka.brokersEnv,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'payment',
    KAFKA_SASL_PASSWORD: password,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: certs.caFile,
    LOG_LEVEL: 'info',
    ...over,
  });
  const start = async (over: Record<string, string> = {}, waitReady = true, unset: string[] = []) => {
    const e = env(over);
    for (const name of unset) delete e[name as keyof typeof e];
    const s = await spawnTs(root, 'services/payment/src/main.ts', e, { waitReady });
    spawned.push(s);
    return s;
  };

  beforeAll(async () => {
    certs = await makeTestCertificates(join(dir, 'tls'));
    kafka = await startKafka({
      group,
      root,
      dir: join(dir, 'kafka'),
      nodes: 1,
      basePort: testKafkaPorts(1),
      sasl: { mechanism: 'SCRAM-SHA-512', users: [{ username: 'payment', password }] },
      tls: { certChainFile: certs.certChainFile, keyFile: certs.keyFile },
    });
    await declareTopics(kafka, root);
    databaseUrl = await privatePaymentDatabase(DATABASE);
    issuer = await startTestIssuer();
    snaps = await startSnapshotServer();
    redis = redisClient();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(spawned.map((s) => s.kill()));
    redis?.disconnect();
    await snaps?.stop();
    await issuer?.stop();
    await kafka?.stop();
    await group.stopAll(2_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the credential and the CA are right, then payment is ready and a confirmed payment reaches Kafka over SASL_SSL', async () => {
    const payment = await start();
    const ready = await http('GET', `${payment.url}/readyz`);
    expect(ready.body.checks).toMatchObject({ kafka: 'ok' });

    const connection: KafkaConnection = {
      brokers: kafka.brokers,
      ssl: { ca: [readFileSync(certs.caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: 'payment', password },
    };
    const events = await collectPaymentEvents(connection);
    try {
      const sale = await newSale(redis, snaps, { total: 2, limit: 1 });
      const user = await issuer.user();
      const hold = await reserve(redis, sale, user.userId);
      const pay = await payWithCard(payment.url, hold.token, user.token, CARD_OK);
      const res = await http('POST', `${payment.url}/payments/confirm`, {
        token: user.token,
        headers: { 'idempotency-key': idemKey() },
        body: { reservationToken: hold.token, paymentKey: pay.paymentKey, amount: pay.amount },
      });
      expect(res.status).toBe(200);
      await waitFor('payment.confirmed over SASL_SSL', async () => events.messages.some((m) => m.value.payment?.paymentId === res.body.paymentId), 30_000, 100);
      expect(events.messages.filter((m) => m.value.payment?.paymentId === res.body.paymentId).map((m) => m.value.type)).toEqual(['payment.confirmed']);
    } finally {
      await events.stop();
    }
  }, 90_000);

  it('when the password is wrong, then the service stays up, /readyz turns 503 within 10 s naming Kafka authentication, and no secret is logged', async () => {
    const wrong = randomBytes(18).toString('base64url');
    const spawnedAt = Date.now();
    const payment = await start({ KAFKA_SASL_PASSWORD: wrong }, false);
    let report: { status: number; body: { checks?: Record<string, string> } } | undefined;
    await waitFor(
      '/readyz 503 on Kafka authentication',
      async () => {
        report = await http('GET', `${payment.url}/readyz`).catch(() => undefined);
        return report?.status === 503 && /Kafka authentication failed/.test(report.body.checks?.kafka ?? '');
      },
      10_000,
      100,
    );
    const notReadyAfterMs = Date.now() - spawnedAt;
    expect(report?.body.checks).toMatchObject({ redis: 'ok', postgres: 'ok' });

    // No crash loop: still the same running process 10 s after it started, alive and not ready.
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - spawnedAt))));
    expect(payment.child.exitCode).toBeNull();
    expect((await http('GET', `${payment.url}/healthz`)).status).toBe(200);
    expect((await http('GET', `${payment.url}/readyz`)).status).toBe(503);

    const log = payment.output();
    expect(log).toMatch(/"msg":"Kafka authentication failed; retrying in the background"/);
    expect(log).not.toContain(wrong);
    expect(log).not.toContain(password);
    process.stdout.write(`[kafka-auth] wrong password: /readyz 503 after ${notReadyAfterMs} ms, process alive after ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s\n`);
  }, 60_000);

  it('when KAFKA_SASL_MECHANISM is set without a username, then the process exits 78 naming the variable and not the password', async () => {
    const payment = await start({}, false, ['KAFKA_SASL_USERNAME']);
    expect(await payment.exited).toBe(78);
    expect(payment.output()).toMatch(/KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set/);
    expect(payment.output()).not.toContain(password);
  }, 30_000);
});
