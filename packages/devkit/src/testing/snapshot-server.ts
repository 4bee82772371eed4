import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SaleSnapshot } from '@stampede/contracts';

export interface SnapshotServer {
  url: string;
  /** Publishes (or replaces) a sale's snapshot; bumps its version like the event service does. */
  put(s: Partial<SaleSnapshot> & { saleId: string }): SaleSnapshot;
  remove(saleId: string): void;
  /** Requests served per sale: { full, notModified }. */
  hits(saleId: string): { full: number; notModified: number };
  /** Requests answered 404 (no such sale) per sale id. */
  misses(saleId: string): number;
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

/** Stands in for the event service's internal snapshot endpoint, with ETag revalidation. */
export async function startSnapshotServer(): Promise<SnapshotServer> {
  const sales = new Map<string, SaleSnapshot>();
  const counts = new Map<string, { full: number; notModified: number }>();
  const missed = new Map<string, number>();
  let down = false;
  const server: Server = createServer((req, res) => {
    const m = /^\/internal\/sales\/([^/]+)\/snapshot$/.exec(req.url ?? '');
    if (down) {
      res.statusCode = 503;
      return res.end();
    }
    const id = m ? decodeURIComponent(m[1]!) : '';
    const s = sales.get(id);
    if (!s) {
      missed.set(id, (missed.get(id) ?? 0) + 1);
      res.statusCode = 404;
      return res.end();
    }
    const c = counts.get(s.saleId) ?? { full: 0, notModified: 0 };
    counts.set(s.saleId, c);
    const etag = `"v${s.version}"`;
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      c.notModified++;
      res.statusCode = 304;
      return res.end();
    }
    c.full++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    put(partial) {
      const prev = sales.get(partial.saleId);
      const s: SaleSnapshot = {
        status: 'OPEN',
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        sku: 'SKU-' + partial.saleId,
        productName: 'Concert ticket',
        unitPrice: 99_000,
        stock: 100,
        perUserLimit: 1,
        holdTtlSeconds: 300,
        conditions: {},
        refundPolicy: 'RESTOCK',
        ...prev,
        ...partial,
        version: (prev?.version ?? 0) + 1,
      };
      sales.set(s.saleId, s);
      return s;
    },
    remove: (id) => void sales.delete(id),
    hits: (id) => counts.get(id) ?? { full: 0, notModified: 0 },
    misses: (id) => missed.get(id) ?? 0,
    setDown: (d) => void (down = d),
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
