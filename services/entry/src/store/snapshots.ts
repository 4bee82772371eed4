import type { Logger } from 'pino';
import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema, type SaleSnapshot } from '@stampede/contracts';

export interface SnapshotOptions {
  eventUrl: string;
  ttlMs: number;
  maxStaleMs: number;
  timeoutMs: number;
  logger: Logger;
  /** Bound on cached sales (oldest dropped first). */
  maxEntries?: number;
}

interface Cached {
  /** undefined: the event service said the sale does not exist (cached like a snapshot). */
  snapshot: SaleSnapshot | undefined;
  etag: string | undefined;
  fetchedAt: number;
}

/**
 * The event service's sale snapshots, cached in-process. Fresh entries answer without I/O (the hot
 * path); after `ttlMs` the entry is revalidated with If-None-Match while the cached copy keeps
 * answering; only a cold or too-stale entry waits for the fetch. One fetch per sale at a time.
 */
export class SnapshotCache {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<SaleSnapshot | undefined>>();

  constructor(private readonly o: SnapshotOptions) {}

  async get(saleId: string): Promise<SaleSnapshot | undefined> {
    const c = this.cache.get(saleId);
    const age = c ? Date.now() - c.fetchedAt : Infinity;
    if (c && age < this.o.ttlMs) return c.snapshot;
    if (c && age < this.o.maxStaleMs) {
      void this.refresh(saleId, c).catch(() => undefined);
      return c.snapshot;
    }
    return this.refresh(saleId, c);
  }

  private refresh(saleId: string, c: Cached | undefined): Promise<SaleSnapshot | undefined> {
    let p = this.inflight.get(saleId);
    if (!p) {
      p = this.fetch(saleId, c).finally(() => this.inflight.delete(saleId));
      this.inflight.set(saleId, p);
    }
    return p;
  }

  private async fetch(saleId: string, c: Cached | undefined): Promise<SaleSnapshot | undefined> {
    const url = `${this.o.eventUrl.replace(/\/$/, '')}/internal/sales/${encodeURIComponent(saleId)}/snapshot`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: c?.etag ? { 'if-none-match': c.etag, accept: 'application/json' } : { accept: 'application/json' },
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      this.o.logger.warn({ err, saleId }, 'sale snapshot fetch failed');
      throw unavailable();
    }
    if (res.status === 304 && c) {
      c.fetchedAt = Date.now();
      return c.snapshot;
    }
    if (res.status === 404) {
      await res.body?.cancel();
      this.store(saleId, { snapshot: undefined, etag: undefined, fetchedAt: Date.now() });
      return undefined;
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
    this.store(saleId, { snapshot: parsed.data, etag: res.headers.get('etag') ?? undefined, fetchedAt: Date.now() });
    return parsed.data;
  }

  private store(saleId: string, entry: Cached): void {
    this.cache.delete(saleId);
    this.cache.set(saleId, entry);
    const max = this.o.maxEntries ?? 10_000;
    if (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
  }
}

const unavailable = () => new AppError('UPSTREAM_UNAVAILABLE', 'Sale information is temporarily unavailable');
