import type { Cluster } from 'ioredis';
import type { Verifier } from '@stampede/chassis/auth';
import type { SalesClient } from './clients/sales';
import type { EntryMetrics } from './metrics';
import type { AvailabilityCache } from './use-cases/availability';

/** Everything the routes and use cases of the entry service work with, built once in app.ts. */
export interface Deps {
  redis: Cluster;
  verifier: Verifier;
  /** Sale snapshots from the event service (cached). */
  sales: SalesClient;
  metrics: EntryMetrics;
  availability: AvailabilityCache;
  /** How old an availability answer may be (also its Cache-Control max-age, rounded up). */
  availabilityCacheMs: number;
  /** Sales this replica saw with no seat left, for a few hundred milliseconds (SOLD_OUT_MEMO_MS). */
  soldOut: { has(saleId: string): boolean; set(saleId: string, v: true): unknown; delete(saleId: string): unknown };
  /** Called for every new hold, so this replica's sweeper covers the sale at once. */
  onHold(saleId: string): void;
}
