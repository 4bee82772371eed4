import type { Logger } from 'pino';
import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema, type SaleSnapshot } from '@stampede/contracts';
import { LRUCache } from 'lru-cache';

export interface SalesClientOptions {
  eventUrl: string;
  /** A cached answer is used as is for this long, then revalidated in the background. */
  ttlMs: number;
  /** While the event service cannot be reached, an answer this old is still served; older → 503. */
  maxStaleMs: number;
  timeoutMs: number;
  logger: Logger;
  /** Bound on cached sales (least recently used dropped first). */
  maxEntries?: number;
}

/** What the event service last said about a sale. */
interface Answer {
  /** undefined: the event service said the sale does not exist (cached like a snapshot). */
  snapshot: SaleSnapshot | undefined;
  etag: string | undefined;
  fetchedAt: number;
}

/**
 * The event service's sale snapshots (GET /internal/sales/:id/snapshot), cached in-process. Fresh
 * answers cost no I/O (the hot path); after `ttlMs` the cached copy keeps answering while one
 * request per sale revalidates it with If-None-Match; only a cold or too-stale answer waits.
 */
export class SalesClient {
  private readonly cache: LRUCache<string, Answer>;
  private readonly base: string;

  constructor(private readonly o: SalesClientOptions) {
    this.base = o.eventUrl.replace(/\/$/, '');
    this.cache = new LRUCache<string, Answer>({
      max: o.maxEntries ?? 10_000,
      // lru-cache reads a ttl of 0 as "never stale"; 1 ms is the nearest to "always revalidate".
      ttl: Math.max(1, o.ttlMs),
      // A failed revalidation keeps the stale answer: it is served until it is maxStaleMs old.
      noDeleteOnFetchRejection: true,
      // lru-cache runs one fetch per sale at a time; every caller in between shares it.
      fetchMethod: (saleId, stale, { signal }) => this.request(saleId, stale, signal),
    });
  }

  /** The sale's snapshot, undefined when there is no such sale; 503 UPSTREAM_UNAVAILABLE otherwise. */
  async snapshot(saleId: string): Promise<SaleSnapshot | undefined> {
    const cached = this.cache.peek(saleId, { allowStale: true });
    const servable = cached !== undefined && Date.now() - cached.fetchedAt < this.o.maxStaleMs;
    // Stale but servable: answered now, revalidated in the background. Too old: wait for the event service.
    const answer = await this.cache.fetch(saleId, { allowStale: servable });
    if (!answer) throw unavailable();
    return answer.snapshot;
  }

  private async request(saleId: string, stale: Answer | undefined, aborted: AbortSignal): Promise<Answer> {
    const url = `${this.base}/internal/sales/${encodeURIComponent(saleId)}/snapshot`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: stale?.etag ? { 'if-none-match': stale.etag, accept: 'application/json' } : { accept: 'application/json' },
        signal: AbortSignal.any([aborted, AbortSignal.timeout(this.o.timeoutMs)]),
      });
    } catch (err) {
      this.o.logger.warn({ err, saleId }, 'sale snapshot fetch failed');
      throw unavailable();
    }
    if (res.status === 304 && stale) return { ...stale, fetchedAt: Date.now() };
    if (res.status === 404) {
      await res.body?.cancel();
      return { snapshot: undefined, etag: undefined, fetchedAt: Date.now() };
    }
    if (!res.ok) {
      await res.body?.cancel();
      this.o.logger.warn({ saleId, status: res.status }, 'sale snapshot fetch answered an error');
      throw unavailable();
    }
    const parsed = saleSnapshotSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success || parsed.data.saleId !== saleId) {
      this.o.logger.error({ saleId }, 'sale snapshot does not match the contract');
      throw unavailable();
    }
    return { snapshot: parsed.data, etag: res.headers.get('etag') ?? undefined, fetchedAt: Date.now() };
  }
}

const unavailable = () => new AppError('UPSTREAM_UNAVAILABLE', 'Sale information is temporarily unavailable');
