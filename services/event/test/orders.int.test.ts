import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { createKafka } from '@stampede/chassis/clients/kafka';
import { PAYMENT_EVENTS_TOPIC, type PaymentEvent } from '@stampede/contracts';
import { captureLogs, http, testInfra, waitFor } from '@stampede/devkit';
import { createSale, startEvent, type EventHarness } from './support';

type Facts = { paymentId: string; saleId: string; qty?: number; amount?: number };

const facts = (f: Facts) => ({
  paymentId: f.paymentId,
  orderId: `ord-${f.paymentId}`,
  saleId: f.saleId,
  holdId: `hold-${f.paymentId}`,
  userId: `user-${f.paymentId}`,
  sku: 'SKU-1',
  qty: f.qty ?? 1,
  amount: f.amount ?? 10_000,
  currency: 'KRW' as const,
});

const confirmed = (f: Facts): PaymentEvent => ({
  schemaVersion: 1,
  eventId: randomUUID(),
  type: 'payment.confirmed',
  occurredAt: new Date().toISOString(),
  payment: { ...facts(f), confirmedAt: new Date().toISOString() },
});

const refunded = (f: Facts): PaymentEvent => ({
  schemaVersion: 1,
  eventId: randomUUID(),
  type: 'payment.refunded',
  occurredAt: new Date().toISOString(),
  payment: { ...facts(f), refundedAt: new Date().toISOString(), refundAmount: f.amount ?? 10_000 },
});

describe('event service: orders from payment events', () => {
  let h: EventHarness;
  let operator: string;
  let producer: Producer;
  const logs = captureLogs('info');

  beforeAll(async () => {
    h = await startEvent({ consumer: true, logger: logs.logger });
    operator = await h.token(['OPERATOR']);
    producer = createKafka({ brokers: testInfra().kafkaBrokers.split(','), clientId: 'event-orders-test' }).producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await h.service.orders?.started;
  });
  afterAll(async () => {
    await producer?.disconnect();
    await h?.stop();
  });

  const orderOf = async (paymentId: string) =>
    (await h.db.query('select status, qty, amount from orders where payment_id = $1', [paymentId])).rows;
  const soldOf = async (saleId: string) => (await h.db.query('select sold from sales where id = $1', [saleId])).rows[0]?.sold as number;
  const metric = async (line: RegExp) => {
    const m = line.exec(await (await fetch(`${h.url}/metrics`)).text());
    return m ? Number(m[1]) : 0;
  };

  // Every scenario is sent up front and each test awaits its own, so the file waits for the
  // consumer once, not five times.
  type Scenario = { saleId: string; ids: string[]; settled: Promise<void> };
  const scenarios: Record<string, Promise<Scenario>> = {};
  const scenario = (name: string, stock: number, build: (saleId: string, ids: string[]) => PaymentEvent[], raw: string[] = []) => {
    scenarios[name] = (async () => {
      const sale = await createSale(h.url, operator, { stock });
      const ids = [0, 1, 2].map(() => `pay-${randomUUID()}`);
      const marker = `marker-${randomUUID()}`;
      await producer.send({
        topic: PAYMENT_EVENTS_TOPIC,
        messages: [
          ...raw.map((value) => ({ key: sale.id, value })),
          ...[...build(sale.id, ids), refunded({ paymentId: marker, saleId: sale.id })].map((e) => ({ key: sale.id, value: JSON.stringify(e) })),
        ],
      });
      // One sale's messages are applied in order: once the marker has landed, everything before it has.
      const settled = waitFor('marker applied', async () => (await orderOf(marker)).length === 1, 45_000, 100);
      return { saleId: sale.id, ids, settled };
    })();
  };
  const settled = async (name: string) => {
    const s = await scenarios[name]!;
    await s.settled;
    return s;
  };
  let rejectedBefore = 0;
  const REJECTED = /^stampede_orders_rejected_total\{reason="stock_guard"[^}]*\} (\d+)/m;

  beforeAll(async () => {
    rejectedBefore = await metric(REJECTED);
    scenario('triple', 3, (saleId, [p]) => {
      const e = confirmed({ paymentId: p!, saleId, amount: 129_000 });
      return [e, e, e];
    });
    scenario('refund first', 3, (saleId, [p]) => [
      refunded({ paymentId: p!, saleId }),
      confirmed({ paymentId: p!, saleId }),
      confirmed({ paymentId: p!, saleId }),
    ]);
    scenario('refund after', 5, (saleId, [keep, back]) => [
      confirmed({ paymentId: keep!, saleId }),
      confirmed({ paymentId: back!, saleId, qty: 2, amount: 20_000 }),
      refunded({ paymentId: back!, saleId, qty: 2 }),
      refunded({ paymentId: back!, saleId, qty: 2 }),
    ]);
    scenario('beyond stock', 2, (saleId, ids) => ids.map((paymentId) => confirmed({ paymentId, saleId })));
    scenario(
      'poison',
      2,
      (saleId, [p]) => [confirmed({ paymentId: p!, saleId })],
      ['{"not":"an event"', JSON.stringify({ ...confirmed({ paymentId: `bad-${randomUUID()}`, saleId: 'x' }), schemaVersion: 99 })],
    );
    await Promise.all(Object.values(scenarios));
  });

  it('when the same confirmation arrives three times, then exactly one order is recorded and one seat sold', async () => {
    const { saleId, ids } = await settled('triple');
    expect(await orderOf(ids[0]!)).toEqual([{ status: 'CONFIRMED', qty: 1, amount: 129_000 }]);
    expect(await soldOf(saleId)).toBe(1);
    const stats = await http('GET', `${h.url}/sales/${saleId}/stats`, { token: operator });
    expect(stats.body).toMatchObject({ sold: 1, revenue: 129_000 });
  });

  it('when a refund arrives before its confirmation (confirmed twice after), then the order ends cancelled and no seat stays sold', async () => {
    const { saleId, ids } = await settled('refund first');
    expect(await orderOf(ids[0]!)).toEqual([{ status: 'CANCELLED', qty: 1, amount: 10_000 }]);
    expect(await soldOf(saleId)).toBe(0);
  });

  it('when a confirmed order is refunded (twice), then it is cancelled once and its seats leave the sold count', async () => {
    const { saleId, ids } = await settled('refund after');
    expect(await orderOf(ids[1]!)).toEqual([{ status: 'CANCELLED', qty: 2, amount: 20_000 }]);
    expect(await orderOf(ids[0]!)).toEqual([{ status: 'CONFIRMED', qty: 1, amount: 10_000 }]);
    expect(await soldOf(saleId)).toBe(1);
    const stats = await http('GET', `${h.url}/sales/${saleId}/stats`, { token: operator });
    expect(stats.body).toMatchObject({ sold: 1, revenue: 10_000 });
  });

  it('when confirmations exceed the stock, then PostgreSQL refuses the extra one, counts it and logs it, and stores nothing for it', async () => {
    const { saleId, ids } = await settled('beyond stock');
    expect(await h.count('select 1 from orders where sale_id = $1 and status = $2', [saleId, 'CONFIRMED'])).toBe(2);
    expect(await orderOf(ids[2]!)).toEqual([]);
    expect(await soldOf(saleId)).toBe(2);
    expect(await metric(REJECTED)).toBe(rejectedBefore + 1);
    const line = logs.lines().map((l) => JSON.parse(l)).find((l) => l.paymentId === ids[2]);
    expect(line).toMatchObject({ level: 'error', saleId, reason: 'stock_guard', sold: 2, stock: 2 });
  });

  it('when a message is not a valid payment event, then it is skipped and later events are still applied', async () => {
    const { saleId, ids } = await settled('poison');
    expect(await orderOf(ids[0]!)).toEqual([{ status: 'CONFIRMED', qty: 1, amount: 10_000 }]);
    expect(await soldOf(saleId)).toBe(1);
    expect(await metric(/^stampede_payment_events_total\{type="unknown",outcome="invalid"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(2);
  });
});
