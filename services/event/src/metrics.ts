import { Counter, Gauge } from 'prom-client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Metrics } from '@stampede/chassis/metrics';

export interface EventMetrics {
  paymentEvents: Counter<'type' | 'outcome'>;
  ordersRejected: Counter<'reason'>;
  armed: Counter<'result'>;
}

export function createEventMetrics(metrics: Metrics): EventMetrics {
  const registers = [metrics.registry];
  const created: EventMetrics = {
    paymentEvents: new Counter({
      name: 'stampede_payment_events_total',
      help: 'Payment events consumed by the event service, by type and what they did',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    // Any increase means Redis let through a seat PostgreSQL does not have: alert on it.
    ordersRejected: new Counter({
      name: 'stampede_orders_rejected_total',
      help: 'Confirmed payments not recorded as orders because the PostgreSQL stock guard refused them',
      labelNames: ['reason'] as const,
      registers,
    }),
    armed: new Counter({
      name: 'stampede_sale_arm_total',
      help: 'Arm requests, by whether they wrote the inventory or found it armed',
      labelNames: ['result'] as const,
      registers,
    }),
  };
  // Exported at 0 from the start, so the oversell panel and alert always have a series.
  for (const reason of ['stock_guard', 'unknown_sale']) created.ordersRejected.inc({ reason }, 0);
  return created;
}

/** Sales scraped at most (the newest armed ones). */
const MAX_SALES_SCRAPED = 1_000;

/**
 * Stock and sold seats per sale as PostgreSQL (the final arbiter) records them, both from the
 * same row in one query, so `sold - stock > 0` (the oversell alert) never compares two moments.
 */
export function registerSaleGauges(metrics: Metrics, orm: MikroORM): void {
  let pending: { at: number; rows: Promise<{ id: string; stock: number; sold: number }[]> } | undefined;
  const rows = () => {
    if (!pending || Date.now() - pending.at > 250) {
      pending = {
        at: Date.now(),
        rows: orm.em
          .getConnection()
          .execute<{ id: string; stock: number; sold: number }[]>(
            `select id, stock, sold from sales where status in ('OPEN', 'PAUSED', 'CLOSED', 'SCHEDULED')
             order by opens_at desc limit ${MAX_SALES_SCRAPED}`,
          ),
      };
    }
    return pending.rows;
  };
  const gauge = (name: string, help: string, pick: (r: { stock: number; sold: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['sale'] as const,
      registers: [metrics.registry],
      async collect() {
        try {
          const list = await rows();
          this.reset();
          for (const r of list) this.set({ sale: r.id }, Number(pick(r)));
        } catch {
          // PostgreSQL unreachable: /metrics must still answer (readiness reports it).
        }
      },
    });
  gauge('stampede_sale_stock', 'Seats a sale offers (PostgreSQL)', (r) => r.stock);
  gauge('stampede_sale_sold_seats', 'Seats sold per sale as recorded in PostgreSQL (orders guarded by stock)', (r) => r.sold);
}
