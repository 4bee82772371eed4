import { readInventory } from '@stampede/ledger';
import { LRUCache } from 'lru-cache';
import type { Deps } from '../deps';
import { availabilityOf, type Availability } from '../domain/rules';
import { noSale } from './entries';

/** Recent availability answers per sale, computed once per sale at a time. */
export type AvailabilityCache = LRUCache<string, Availability, Deps>;

/** Answers may be `maxAgeMs` old: a flood of pollers costs one snapshot and one Redis read per sale. */
export function availabilityCache(maxAgeMs: number): AvailabilityCache {
  return new LRUCache<string, Availability, Deps>({
    max: 10_000,
    // lru-cache reads a ttl of 0 as "never stale"; 1 ms is the nearest to "do not cache".
    ttl: Math.max(1, maxAgeMs),
    fetchMethod: (saleId, _stale, { context: d }) => compute(d, saleId),
  });
}

/** The sale's status and seats left, as anyone may see them. */
export async function availability(d: Deps, saleId: string): Promise<Availability> {
  // No answer only when the entry was evicted while it was being computed.
  return (await d.availability.fetch(saleId, { context: d })) ?? compute(d, saleId);
}

async function compute(d: Deps, saleId: string): Promise<Availability> {
  const sale = await d.sales.snapshot(saleId);
  if (!sale) throw noSale();
  return availabilityOf(sale, await readInventory(d.redis, saleId), Date.now());
}
