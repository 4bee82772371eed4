import { auditSale, waitFor, type SaleAudit } from '@stampede/devkit';
import type { FaultPlatform } from './fault-platform';
import type { Outcome } from './shoppers';

export interface Figures {
  stock: number;
  /** sales.sold in the event database: what PostgreSQL says was sold. */
  soldInPostgres: number;
  oversold: number;
  ordersConfirmed: number;
  paymentsConfirmed: number;
  /** Orders (payment ids) with more than one CHARGE in the sandbox PG's ledger. */
  doubleCharges: number;
  /** Money taken (charges not cancelled) without a CONFIRMED payment record. */
  chargesWithoutRecord: number;
  /** Payments a client saw confirmed, or CONFIRMED in the payment database, with no order in the event database. */
  paymentsLost: number;
  /** Orders recorded whose sum does not match sales.sold (an event applied twice or missed). */
  soldMismatch: number;
  redis?: SaleAudit;
}

const rows = (out: string) => (out ? out.split('\n').map((l) => l.split('|')) : []);
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * What PostgreSQL, the sandbox PG's ledger and Redis say after a fault, once the orders have had
 * time to arrive from Kafka. Every figure but `redis` must come out as the tests expect from
 * the stores themselves, never from what the clients believe.
 */
export async function auditAfterFault(p: FaultPlatform, saleId: string, outcomes: Outcome[], waitMs = 60_000): Promise<Figures> {
  const sale = quote(saleId);
  const confirmedIds = async () => rows(await p.sql('payment', `select id from payments where sale_id = ${sale} and status = 'CONFIRMED'`)).map((r) => r[0] as string);
  const orderIds = async () => new Set(rows(await p.sql('event', `select payment_id from orders where sale_id = ${sale} and status = 'CONFIRMED'`)).map((r) => r[0] as string));
  const clientPaid = outcomes.flatMap((o) => (o.kind === 'PAID' ? [o.paymentId] : []));

  // Orders arrive through the outbox and Kafka: give them time, then count what is missing.
  await waitFor(
    'every confirmed payment recorded as an order',
    async () => {
      const [paid, orders] = [await confirmedIds(), await orderIds()];
      return [...paid, ...clientPaid].every((id) => orders.has(id));
    },
    waitMs,
    500,
  ).catch(() => undefined);

  const paid = await confirmedIds();
  const orders = await orderIds();
  const [stock, sold] = (rows(await p.sql('event', `select stock, sold from sales where id = ${sale}`))[0] ?? ['0', '0']).map(Number) as [number, number];
  const orderSeats = Number(await p.sql('event', `select coalesce(sum(qty), 0) from orders where sale_id = ${sale} and status = 'CONFIRMED'`));
  const doubleCharges = Number(
    await p.sql(
      'payment',
      `select count(*) from (select l.order_id from sandbox_pg_ledger l join payments p on p.order_id = l.order_id
        where p.sale_id = ${sale} and l.kind = 'CHARGE' group by l.order_id having count(*) > 1) t`,
    ),
  );
  // Over the whole private ledger: any order charged and not cancelled must be a CONFIRMED payment.
  const chargesWithoutRecord = Number(
    await p.sql(
      'payment',
      `select count(*) from (
         select order_id, sum(case kind when 'CHARGE' then 1 when 'CANCEL' then -1 else 0 end) as net
         from sandbox_pg_ledger group by order_id) t
       left join payments p on p.order_id = t.order_id
       where t.net > 0 and (p.status is null or p.status not in ('CONFIRMED', 'REFUNDING', 'REFUNDED'))`,
    ),
  );
  const lost = new Set([...paid, ...clientPaid].filter((id) => !orders.has(id)));
  for (const id of clientPaid) if (!paid.includes(id)) lost.add(id);
  return {
    stock,
    soldInPostgres: sold,
    oversold: Math.max(0, sold - stock),
    ordersConfirmed: orders.size,
    paymentsConfirmed: paid.length,
    doubleCharges,
    chargesWithoutRecord,
    paymentsLost: lost.size,
    soldMismatch: Math.abs(orderSeats - sold),
    redis: await auditSale(p.client, saleId).catch(() => undefined),
  };
}

/** One line a reader can find in the test output (and copy into docs/reliability.md). */
export function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`\n[faults] ${name}: ${JSON.stringify(figures)}\n`);
}
