import { activeHolds, armedSaleIds, readInventory, type Cluster, type Metrics } from '@stampede/chassis';
import { Counter, Gauge } from 'prom-client';
import type { EntryOutcome } from './domain/rules';

/** Scrapes read at most this many sales from Redis (gauges are collected on scrape). */
const MAX_SALES_SCRAPED = 1_000;

export interface EntryMetrics {
  entries: Counter<'outcome'>;
  holdsExpired: Counter;
  entry(outcome: EntryOutcome): void;
}

export function entryMetrics(metrics: Metrics, redis: Cluster): EntryMetrics {
  const registers = [metrics.registry];
  const entries = new Counter({
    name: 'stampede_entries_total',
    help: 'Sale entries by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const holdsExpired = new Counter({
    name: 'stampede_holds_expired_total',
    help: 'Unpaid holds whose seats this replica returned to stock at expiry',
    registers,
  });
  const sales = async () => (await armedSaleIds(redis)).sort().slice(0, MAX_SALES_SCRAPED);
  new Gauge({
    name: 'stampede_holds_active',
    help: 'Holds waiting for payment, over all armed sales (read from Redis on scrape)',
    registers,
    async collect() {
      try {
        const ids = await sales();
        const counts = await Promise.all(ids.map((id) => activeHolds(redis, id)));
        this.set(counts.reduce((a, b) => a + b, 0));
      } catch {
        // Redis unreachable: keep the last value; /metrics must still answer.
      }
    },
  });
  new Gauge({
    name: 'stampede_seats_available',
    help: 'Seats left to hold, per armed sale (read from Redis on scrape)',
    labelNames: ['sale'] as const,
    registers,
    async collect() {
      try {
        const ids = await sales();
        const invs = await Promise.all(ids.map((id) => readInventory(redis, id)));
        this.reset();
        ids.forEach((id, i) => {
          const inv = invs[i];
          if (inv) this.set({ sale: id }, inv.available);
        });
      } catch {
        // Redis unreachable: keep the last values; /metrics must still answer.
      }
    },
  });
  return { entries, holdsExpired, entry: (outcome) => entries.inc({ outcome }) };
}
