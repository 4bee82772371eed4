import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm } from '@stampede/chassis/clients/orm';
import { testDatabaseUrl } from '@stampede/devkit';
import { model } from '../src/store/model';
import { recordConfirmation, recordRefund } from '../src/use-cases/orders';

/** The PostgreSQL guard itself, under concurrency no single consumer would produce. */
describe('event service: the PostgreSQL stock guard', () => {
  let orm: MikroORM;

  beforeAll(async () => {
    orm = await initOrm({ clientUrl: testDatabaseUrl('event'), poolMax: 12, ...model });
  });
  afterAll(() => orm?.close(true));

  async function newSale(stock: number): Promise<string> {
    const id = randomUUID();
    await orm.em.fork().execute(
      `insert into sales (id, name, sku, product_name, unit_price, stock, opens_at, closes_at, hold_ttl_seconds, created_by)
       values (?, ?, 'SKU-G', 'guard', 1000, ?, now(), now() + interval '1 hour', 300, 'test')`,
      [id, `guard-${id}`, stock],
    );
    return id;
  }

  const payment = (saleId: string, paymentId = `pay-${randomUUID()}`) => ({
    paymentId,
    orderId: `ord-${paymentId}`,
    saleId,
    holdId: `hold-${paymentId}`,
    userId: `user-${paymentId}`,
    sku: 'SKU-G',
    qty: 1,
    amount: 1000,
    currency: 'KRW' as const,
  });
  const sold = async (saleId: string) =>
    (await orm.em.fork().execute<{ sold: number }[]>('select sold from sales where id = ?', [saleId]))[0]?.sold;

  it('when 25 different payments for a sale of 5 are applied at once, then exactly 5 orders are recorded and sold is 5', async () => {
    const saleId = await newSale(5);
    const now = new Date().toISOString();
    const results = await Promise.all(
      Array.from({ length: 25 }, () => recordConfirmation({ orm }, { ...payment(saleId), confirmedAt: now })),
    );
    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(5);
    expect(results.filter((r) => r.outcome === 'rejected')).toHaveLength(20);
    expect(await sold(saleId)).toBe(5);
    const orders = await orm.em.fork().execute<{ n: string }[]>('select count(*) as n from orders where sale_id = ?', [saleId]);
    expect(Number(orders[0]?.n)).toBe(5);
  });

  it('when one payment is confirmed from many consumers at once, then one order is recorded', async () => {
    const saleId = await newSale(5);
    const p = { ...payment(saleId), confirmedAt: new Date().toISOString() };
    const results = await Promise.all(Array.from({ length: 8 }, () => recordConfirmation({ orm }, p)));
    expect(results.map((r) => r.outcome).sort()).toEqual(['recorded', ...Array(7).fill('duplicate')].sort());
    expect(await sold(saleId)).toBe(1);
  });

  it('when a refund and its confirmation race, then the order always ends cancelled and the seat is not sold', async () => {
    const saleId = await newSale(50);
    const at = new Date().toISOString();
    for (let i = 0; i < 20; i++) {
      const p = payment(saleId);
      await Promise.all([recordConfirmation({ orm }, { ...p, confirmedAt: at }), recordRefund({ orm }, { ...p, refundedAt: at, refundAmount: 1000 })]);
      const row = await orm.em.fork().execute<{ status: string }[]>('select status from orders where payment_id = ?', [p.paymentId]);
      expect(row).toEqual([{ status: 'CANCELLED' }]);
    }
    expect(await sold(saleId)).toBe(0);
  });

  it('when a confirmation names an unknown sale, then it is rejected and nothing is stored', async () => {
    const p = { ...payment(`missing-${randomUUID()}`), confirmedAt: new Date().toISOString() };
    expect(await recordConfirmation({ orm }, p)).toEqual({ outcome: 'rejected', reason: 'unknown_sale' });
    const rows = await orm.em.fork().execute('select 1 from orders where payment_id = ?', [p.paymentId]);
    expect(rows).toEqual([]);
  });
});
