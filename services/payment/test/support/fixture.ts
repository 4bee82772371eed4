import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import type { Cluster } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { createKafka, startConsumer, headersToStrings, type KafkaConnection } from '@stampede/chassis/clients/kafka';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { createLogger } from '@stampede/chassis/logger';
import { PAYMENT_EVENTS_TOPIC, type SaleSnapshot } from '@stampede/contracts';
import { armSale, readInventory, reserveHold } from '@stampede/ledger';
import { migrate } from '@stampede/chassis/clients/orm';
import { http, testDatabaseUrl, testInfra } from '@stampede/devkit';
import { model } from '../../src/store/model';

export const root = resolve(__dirname, '../../../..');

export const CARD_OK = '4330000000000000';
export const CARD_DECLINED = '4000000000000000';
export const CARD_NO_FUNDS = '4111111111111111';

export function redisClient(): Cluster {
  const nodes = testInfra().redisNodes.split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host: host as string, port: Number(port) };
  });
  return createRedisCluster({ nodes });
}

/** Stands in for the event service's GET /internal/sales/:id/snapshot. */
export async function startSnapshotServer(): Promise<{ url: string; set(s: SaleSnapshot): void; stop(): Promise<void> }> {
  const sales = new Map<string, SaleSnapshot>();
  const server: Server = createServer((req, res) => {
    const m = /^\/internal\/sales\/([^/]+)\/snapshot$/.exec(req.url ?? '');
    const snap = m ? sales.get(decodeURIComponent(m[1] as string)) : undefined;
    res.statusCode = snap ? 200 : 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(snap ?? { error: { code: 'NOT_FOUND', message: 'no sale' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (s) => sales.set(s.saleId, s),
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

export interface TestSale {
  saleId: string;
  sku: string;
  unitPrice: number;
  total: number;
}

/** Arms a fresh sale in the test Redis and publishes its snapshot. */
export async function newSale(
  redis: Cluster,
  snapshots: { set(s: SaleSnapshot): void },
  o: { total?: number; limit?: number; holdTtlSeconds?: number; unitPrice?: number; refundPolicy?: 'RESTOCK' | 'NO_RESTOCK' } = {},
): Promise<TestSale> {
  const saleId = `pay-${randomUUID().slice(0, 12)}`;
  const total = o.total ?? 5;
  const unitPrice = o.unitPrice ?? 39_000;
  const holdTtlSeconds = o.holdTtlSeconds ?? 120;
  await armSale(redis, { saleId, total, limit: o.limit ?? 1, holdTtlSeconds });
  const now = Date.now();
  snapshots.set({
    saleId,
    status: 'OPEN',
    opensAt: new Date(now - 60_000).toISOString(),
    closesAt: new Date(now + 3_600_000).toISOString(),
    sku: `SKU-${saleId}`,
    productName: 'Concert ticket',
    unitPrice,
    stock: total,
    perUserLimit: o.limit ?? 1,
    holdTtlSeconds,
    conditions: {},
    refundPolicy: o.refundPolicy ?? 'RESTOCK',
    version: 1,
  });
  return { saleId, sku: `SKU-${saleId}`, unitPrice, total };
}

export async function reserve(redis: Cluster, sale: TestSale, userId: string, qty = 1): Promise<{ token: string; holdId: string; expiresAt: number }> {
  const r = await reserveHold(redis, { saleId: sale.saleId, userId, qty, sku: sale.sku, unitPrice: sale.unitPrice });
  if (r.outcome !== 'HELD') throw new Error(`reserve failed: ${r.outcome}`);
  return { token: r.token, holdId: r.holdId, expiresAt: r.expiresAt };
}

export const inventory = (redis: Cluster, saleId: string) => readInventory(redis, saleId);

/** The widget step: prepare for the order id, then "pay" with a test card at the sandbox. */
export async function payWithCard(url: string, token: string, accessToken: string, card: string): Promise<{ paymentKey: string; orderId: string; amount: number }> {
  const prep = await http('POST', `${url}/payments/prepare`, { token: accessToken, body: { reservationToken: token } });
  if (prep.status !== 200) throw new Error(`prepare: ${prep.status} ${JSON.stringify(prep.body)}`);
  const co = await http('POST', `${url}/sandbox/pg/checkout`, { body: { orderId: prep.body.orderId, amount: prep.body.amount, cardNumber: card } });
  if (co.status !== 201) throw new Error(`checkout: ${co.status} ${JSON.stringify(co.body)}`);
  return { paymentKey: co.body.paymentKey, orderId: prep.body.orderId, amount: prep.body.amount };
}

export async function ledger(url: string, orderId: string): Promise<Array<{ kind: string; amount: number }>> {
  const res = await http('GET', `${url}/sandbox/pg/ledger?orderId=${orderId}`);
  return res.body.entries;
}

/** Direct reads of the payment database, for asserting what was (not) written. */
export function paymentDb(url = testDatabaseUrl('payment')): Pool {
  return new Pool({ connectionString: url, max: 2 });
}

/**
 * A migrated payment database of one test file's own. A file that runs payment against a Kafka of
 * its own needs one: payment's outbox relay publishes every unsent row it finds, so on the shared
 * database it would take other files' events to its own Kafka, where their consumers never look.
 */
export async function privatePaymentDatabase(name: string): Promise<string> {
  const admin = new Pool({ connectionString: testDatabaseUrl('scratch'), max: 1 });
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = testDatabaseUrl('payment').replace(/\/payment$/, `/${name}`);
  await migrate({ ...model, clientUrl: url });
  return url;
}

interface CollectedMessage {
  key: string;
  value: { type: string; eventId: string; payment: { paymentId: string } };
  headers: Record<string, string>;
}

export interface PaymentEventsCollector {
  messages: CollectedMessage[];
  /** Every error kafkajs gave the collector up on (it then started a fresh member). */
  crashes: string[];
  stop(): Promise<void>;
}

const COLLECTOR_JOIN_TIMEOUT_MS = 30_000;

/**
 * A consumer of the payment topic in its own group, keeping every message it sees; it returns once
 * it has joined its group. kafkajs does not restart a consumer after an error it does not retry
 * (UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION after a missed heartbeat on a loaded machine): the
 * collector would then go deaf and a test wait in vain for an event long published. So a crash
 * starts a fresh member of the same group, which reads on from the group's committed offsets.
 */
export async function collectPaymentEvents(brokers: string | KafkaConnection): Promise<PaymentEventsCollector> {
  const logger = createLogger({ service: 'payment-test', level: 'silent' });
  const connection = typeof brokers === 'string' ? { brokers: brokers.split(',') } : brokers;
  const kafka = createKafka({ ...connection, clientId: `payment-test-${randomUUID().slice(0, 8)}`, logger });
  const groupId = `payment-test-${randomUUID()}`;
  const messages: CollectedMessage[] = [];
  const crashes: string[] = [];
  let current: Consumer | undefined;
  let stopped = false;
  let joined!: () => void;
  const firstJoin = new Promise<void>((r) => (joined = r));

  const member = async (): Promise<void> => {
    const c = await startConsumer({
      kafka,
      groupId,
      topics: [PAYMENT_EVENTS_TOPIC],
      logger,
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      onJoin: () => joined(),
      onCrash: (err, crashed) => {
        crashes.push(`${err.name}: ${err.message}`);
        if (current === crashed) current = undefined;
        void crashed
          .disconnect()
          .catch(() => undefined)
          .then(() => (stopped ? undefined : member()))
          .catch((e: unknown) => crashes.push(`restart failed: ${e instanceof Error ? e.message : String(e)}`));
      },
      handle: async ({ message }) => {
        messages.push({
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? '{}'),
          headers: headersToStrings(message.headers),
        });
      },
    });
    if (stopped) await c.disconnect();
    else current = c;
  };

  const stop = async () => {
    stopped = true;
    await current?.disconnect();
  };
  await member();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the payment events collector did not join its group within ${COLLECTOR_JOIN_TIMEOUT_MS} ms; crashes: ${crashes.join('; ') || 'none'}`)), COLLECTOR_JOIN_TIMEOUT_MS).unref(),
  );
  await Promise.race([firstJoin, timeout]).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { messages, crashes, stop };
}

export const idemKey = () => `idem-${randomUUID()}`;

/** A stand-in OTLP/HTTP collector: accepts trace exports and remembers the trace ids it saw. */
export async function startTraceSink(): Promise<{ url: string; traceIds: Set<string>; stop(): Promise<void> }> {
  const traceIds = new Set<string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      for (const m of body.matchAll(/"traceId"\s*:\s*"([0-9a-fA-F]{32})"/g)) traceIds.add((m[1] as string).toLowerCase());
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, traceIds, stop: () => new Promise((r) => server.close(() => r())) };
}
