import { trace } from '@opentelemetry/api';
import type { Cluster } from 'ioredis';
import type { Metrics } from '@stampede/chassis/metrics';
import { activeHolds, armedSaleIds, readInventory, type Inventory, type RoomState } from '@stampede/ledger';
import { Counter, Gauge } from 'prom-client';
import type { EntryOutcome } from './domain/rules';

/** Scrapes read at most this many sales from Redis (gauges are collected on scrape). */
const MAX_SALES_SCRAPED = 1_000;

export interface EntryMetrics {
  entries: Counter<'outcome'>;
  holdsExpired: Counter<'sale'>;
  entry(outcome: EntryOutcome): void;
  /** The state of a sale's waiting room after this replica's latest admission step. */
  room(saleId: string, state: RoomState): void;
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
    help: 'Unpaid holds whose seats this replica returned to stock at expiry, per sale',
    labelNames: ['sale'] as const,
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
  // One read of every sale's counters per scrape, shared by the gauges below, so available,
  // held, sold and the invariant's deviation in one scrape all come from the same HGETALL.
  let pending: { at: number; read: Promise<Map<string, Inventory>> } | undefined;
  const inventories = () => {
    if (!pending || Date.now() - pending.at > 250) {
      pending = {
        at: Date.now(),
        read: sales().then(async (ids) => {
          const invs = await Promise.all(ids.map((id) => readInventory(redis, id)));
          return new Map(ids.flatMap((id, i) => (invs[i] ? [[id, invs[i] as Inventory] as const] : [])));
        }),
      };
    }
    return pending.read;
  };
  const perSale = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, sale: string, inv: Inventory) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        try {
          const invs = await inventories();
          this.reset();
          for (const [sale, inv] of invs) fill(this, sale, inv);
        } catch {
          // Redis unreachable: /metrics must still answer.
        }
      },
    });
  perSale('stampede_seats_available', 'Seats left to hold, per armed sale (read from Redis on scrape)', ['sale'], (g, sale, inv) =>
    g.set({ sale }, inv.available),
  );
  perSale('stampede_sale_seats', 'Seats of an armed sale by state: available, held, sold (Redis, one read per scrape)', ['sale', 'state'], (g, sale, inv) => {
    g.set({ sale, state: 'available' }, inv.available);
    g.set({ sale, state: 'held' }, inv.held);
    g.set({ sale, state: 'sold' }, inv.sold);
  });
  perSale('stampede_sale_invariant_deviation', 'available + held + sold - total for a sale, from one read: must be 0', ['sale'], (g, sale, inv) =>
    g.set({ sale }, inv.available + inv.held + inv.sold - inv.total),
  );
  // The waiting room's gauges come from the admission step every replica runs anyway (no Redis
  // read on scrape); every replica reports the same room, so queries take max by sale.
  const roomGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['sale'] as const, registers });
  const queueLength = roomGauge('stampede_queue_length', 'Shoppers waiting in a sale\'s waiting room');
  const queueAdmitted = roomGauge('stampede_queue_admitted', 'Shoppers a sale\'s waiting room has admitted so far (only grows)');
  const queueAbandoned = roomGauge('stampede_queue_abandoned', 'Waiting places dropped for lack of heartbeats so far (only grows)');
  const queueUnserved = roomGauge('stampede_queue_unserved', 'Admitted shoppers who have not entered yet');
  const admissionRate = roomGauge('stampede_queue_admission_rate', 'Admissions per second over the last full second');
  return {
    entries,
    holdsExpired,
    room: (sale, s) => {
      queueLength.set({ sale }, s.waiting);
      queueAdmitted.set({ sale }, s.admitted);
      queueAbandoned.set({ sale }, s.abandoned);
      queueUnserved.set({ sale }, s.unserved);
      admissionRate.set({ sale }, s.measuredRate);
    },
    entry: (outcome) => {
      entries.inc({ outcome });
      // The request's span carries the outcome too, so a trace explains its own latency.
      trace.getActiveSpan()?.setAttribute('stampede.outcome', outcome);
    },
  };
}
