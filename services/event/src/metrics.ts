import { Counter, Gauge } from 'prom-client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { reader } from '@stampede/chassis/clients/orm';
import type { Metrics } from '@stampede/chassis/metrics';
import { seatsOfVisibleSales, type SaleSeats } from './store/sales';

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

/** Sales scraped at most (those opening last). */
const MAX_SALES_SCRAPED = 1_000;

/**
 * Stock and sold seats per sale as PostgreSQL (the final arbiter) records them, both from the
 * same row in one query, so `sold - stock > 0` (the oversell alert) never compares two moments.
 */
export function registerSaleGauges(metrics: Metrics, orm: MikroORM): void {
  // Both gauges of one scrape share one query (at most one every 250 ms).
  let pending: { at: number; rows: Promise<SaleSeats[]> } | undefined;
  const rows = () => {
    if (!pending || Date.now() - pending.at > 250) {
      pending = { at: Date.now(), rows: seatsOfVisibleSales(reader(orm), MAX_SALES_SCRAPED) };
    }
    return pending.rows;
  };
  const gauge = (name: string, help: string, pick: (r: SaleSeats) => number) =>
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
