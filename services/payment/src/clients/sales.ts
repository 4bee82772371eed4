import { LRUCache } from 'lru-cache';
import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema, type SaleSnapshot } from '@stampede/contracts';

/**
 * Sale snapshots from the event service (GET /internal/sales/:id/snapshot), cached briefly in a
 * bounded cache: the fields payment reads (product name, refund policy) change rarely. A failed
 * fetch is not cached, so the next call asks again.
 */
export class SalesClient {
  private readonly cache: LRUCache<string, SaleSnapshot>;

  constructor(
    private readonly eventUrl: string,
    ttlMs = 10_000,
    private readonly timeoutMs = 2_000,
    maxSales = 10_000,
  ) {
    this.cache = new LRUCache<string, SaleSnapshot>({ max: maxSales, ttl: ttlMs, fetchMethod: (saleId) => this.fetchSnapshot(saleId) });
  }

  async snapshot(saleId: string): Promise<SaleSnapshot> {
    return (await this.cache.fetch(saleId)) as SaleSnapshot;
  }

  private async fetchSnapshot(saleId: string): Promise<SaleSnapshot> {
    let res: Response;
    try {
      res = await fetch(new URL(`/internal/sales/${encodeURIComponent(saleId)}/snapshot`, this.eventUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch {
      throw new AppError('UPSTREAM_UNAVAILABLE', 'The sale service is unavailable');
    }
    if (res.status === 404) throw new AppError('NOT_FOUND', 'Sale not found');
    if (!res.ok) throw new AppError('UPSTREAM_UNAVAILABLE', 'The sale service is unavailable');
    const parsed = saleSnapshotSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new AppError('UPSTREAM_UNAVAILABLE', 'The sale service answered an unexpected snapshot');
    return parsed.data;
  }
}
