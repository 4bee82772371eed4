/**
 * Every record of one sale, read from where each lives: the live counters and hold records in
 * Redis (one atomic read), the sale row and the orders in the event database, the payments in the
 * payment database and the sandbox PSP's own ledger of charges, declines and cancels (what a real
 * provider would hold on its side), and the orders as the event service's API reports them.
 */
import type { Cluster } from 'ioredis';
import { auditSale, type SaleAudit, call, type Session } from '@stampede/devkit';
import { sql, sqlNumber, type Release } from './reach';

export interface SaleBooks {
  redis: SaleAudit | null;
  postgres: { stock: number; sold: number };
  /** event.orders rows of the sale by status, and the API's count of CONFIRMED ones. */
  orders: { confirmed: number; cancelled: number; api: number };
  /** payment.payments rows of the sale by status. */
  payments: Record<string, number>;
  ledger: {
    charges: number;
    cancels: number;
    declines: number;
    /** Orders charged more than once. */
    chargedTwice: number;
    /** Orders charged, never cancelled, whose payment is not CONFIRMED: money taken for no seat. */
    chargedWithoutSale: number;
  };
}

const idOnly = (id: string) => {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`unexpected sale id ${id}`);
  return id;
};

export async function saleBooks(r: Release, redis: Cluster, gateway: string, operator: Session, saleId: string): Promise<SaleBooks> {
  const id = idOnly(saleId);
  const [sale] = await sql(r, 'event', `select stock, sold from sales where id = '${id}'`);
  const orderRows = await sql(r, 'event', `select status, count(*) from orders where sale_id = '${id}' group by status`);
  const orders = Object.fromEntries(orderRows.map(([s, n]) => [s, Number(n)]));
  const api = await call('GET', `${gateway}/orders?saleId=${id}&status=CONFIRMED&limit=1`, { token: operator.accessToken });
  const paymentRows = await sql(r, 'payment', `select status, count(*) from payments where sale_id = '${id}' group by status`);
  const ofSale = `select order_id from payments where sale_id = '${id}'`;
  const [ledger] = await sql(
    r,
    'payment',
    `select count(*) filter (where kind = 'CHARGE'), count(*) filter (where kind = 'CANCEL'), count(*) filter (where kind = 'DECLINE')
       from sandbox_pg_ledger where order_id in (${ofSale})`,
  );
  const chargedTwice = await sqlNumber(r, 'payment', `select count(*) from (select order_id from sandbox_pg_ledger where kind = 'CHARGE' and order_id in (${ofSale}) group by order_id having count(*) > 1) t`);
  const chargedWithoutSale = await sqlNumber(
    r,
    'payment',
    `select count(distinct l.order_id) from sandbox_pg_ledger l join payments p on p.order_id = l.order_id
      where p.sale_id = '${id}' and l.kind = 'CHARGE' and p.status <> 'CONFIRMED'
        and not exists (select 1 from sandbox_pg_ledger c where c.order_id = l.order_id and c.kind = 'CANCEL')`,
  );
  return {
    redis: (await auditSale(redis, saleId)) ?? null,
    postgres: { stock: Number(sale?.[0]), sold: Number(sale?.[1]) },
    orders: { confirmed: orders.CONFIRMED ?? 0, cancelled: orders.CANCELLED ?? 0, api: api.status === 200 ? Number(api.body.total) : -api.status },
    payments: Object.fromEntries(paymentRows.map(([s, n]) => [s, Number(n)])),
    ledger: { charges: Number(ledger?.[0]), cancels: Number(ledger?.[1]), declines: Number(ledger?.[2]), chargedTwice, chargedWithoutSale },
  };
}

/**
 * What must hold for a sale once its payments have settled: nothing oversold anywhere, Redis and
 * PostgreSQL agreeing on what was sold, one order per confirmed payment, one charge per order.
 */
export function booksProblems(b: SaleBooks): string[] {
  const p: string[] = [];
  const confirmed = b.payments.CONFIRMED ?? 0;
  const a = b.redis;
  if (!a) p.push('the sale has no inventory in Redis');
  else {
    if (a.available + a.held + a.sold !== a.total) p.push(`Redis: available ${a.available} + held ${a.held} + sold ${a.sold} ≠ total ${a.total}`);
    if (a.available < 0 || a.held < 0 || a.sold < 0) p.push('Redis: a negative counter');
    if (a.heldSeats !== a.held) p.push(`Redis: held ${a.held} ≠ seats of live holds ${a.heldSeats}`);
    if (a.maxPerUser > a.limit) p.push(`Redis: a user has ${a.maxPerUser} seats, above ${a.limit}`);
    if (a.sold > a.total) p.push(`Redis oversold: ${a.sold} > ${a.total}`);
    if (a.sold !== b.postgres.sold) p.push(`Redis sold ${a.sold} ≠ PostgreSQL sold ${b.postgres.sold}`);
  }
  if (b.postgres.sold > b.postgres.stock) p.push(`PostgreSQL oversold: ${b.postgres.sold} > ${b.postgres.stock}`);
  if (b.orders.confirmed !== confirmed) p.push(`orders ${b.orders.confirmed} ≠ confirmed payments ${confirmed}`);
  if (b.orders.api !== b.orders.confirmed) p.push(`the API reports ${b.orders.api} confirmed orders, the database ${b.orders.confirmed}`);
  if (b.postgres.sold !== confirmed) p.push(`PostgreSQL sold ${b.postgres.sold} ≠ confirmed payments ${confirmed}`);
  if (b.ledger.chargedTwice > 0) p.push(`${b.ledger.chargedTwice} order(s) charged twice`);
  if (b.ledger.chargedWithoutSale > 0) p.push(`${b.ledger.chargedWithoutSale} charge(s) without a sold seat and not cancelled`);
  if (b.ledger.charges - b.ledger.cancels !== confirmed) p.push(`net charges ${b.ledger.charges} − ${b.ledger.cancels} cancels ≠ confirmed payments ${confirmed}`);
  return p;
}
