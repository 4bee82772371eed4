import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema, type SaleSnapshot } from '@stampede/contracts';

/**
 * Sale snapshots from the event service (GET /internal/sales/:id/snapshot), cached briefly: the
 * fields payment reads (product name, refund policy) change rarely.
 */
export class SnapshotClient {
  private readonly cache = new Map<string, { at: number; snapshot: SaleSnapshot }>();

  constructor(
    private readonly eventUrl: string,
    private readonly ttlMs = 10_000,
    private readonly timeoutMs = 2_000,
  ) {}

  async get(saleId: string): Promise<SaleSnapshot> {
    const hit = this.cache.get(saleId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.snapshot;
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
    this.cache.set(saleId, { at: Date.now(), snapshot: parsed.data });
    return parsed.data;
  }
}
