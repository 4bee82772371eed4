import pino from 'pino';
import { SalesClient } from '../src/clients/sales';
import { startSnapshotServer, type SnapshotServer } from '@stampede/devkit';
import { sleep, uniqueSaleId } from './support';

/** The event service's snapshots as entry caches them, against a stand-in with ETags and outages. */
describe('sale snapshots client', () => {
  let server: SnapshotServer;
  const client = (o: { ttlMs: number; maxStaleMs: number }) =>
    new SalesClient({ eventUrl: server.url, timeoutMs: 1_000, logger: pino({ level: 'silent' }), ...o });

  beforeAll(async () => {
    server = await startSnapshotServer();
  });
  afterEach(() => server.setDown(false));
  afterAll(() => server.stop());

  it('when many requests ask for a cold sale at once, then one fetch reaches the event service and all get the snapshot', async () => {
    const saleId = uniqueSaleId();
    server.put({ saleId, unitPrice: 12_345 });
    const sales = client({ ttlMs: 1_000, maxStaleMs: 5_000 });
    const got = await Promise.all(Array.from({ length: 20 }, () => sales.snapshot(saleId)));
    expect(got.map((s) => s?.unitPrice)).toEqual(Array(20).fill(12_345));
    expect(server.hits(saleId)).toEqual({ full: 1, notModified: 0 });
  });

  it('when the sale does not exist, then that answer is cached like a snapshot until its TTL', async () => {
    const saleId = uniqueSaleId('missing');
    const sales = client({ ttlMs: 200, maxStaleMs: 5_000 });
    expect(await sales.snapshot(saleId)).toBeUndefined();
    expect(await sales.snapshot(saleId)).toBeUndefined();
    expect(server.misses(saleId)).toBe(1);
    await sleep(250);
    expect(await sales.snapshot(saleId)).toBeUndefined();
    await sleep(50);
    expect(server.misses(saleId)).toBe(2);
  });

  it('when the event service is down longer than the max staleness, then the cached sale answers 503 until it is back', async () => {
    const saleId = uniqueSaleId();
    server.put({ saleId });
    const sales = client({ ttlMs: 50, maxStaleMs: 400 });
    expect(await sales.snapshot(saleId)).toMatchObject({ saleId });
    server.setDown(true);
    await sleep(100);
    // Stale but within the bound: answered from the cache while a revalidation fails behind it.
    expect(await sales.snapshot(saleId)).toMatchObject({ saleId });
    await sleep(50);
    expect(await sales.snapshot(saleId)).toMatchObject({ saleId });
    await sleep(350);
    await expect(sales.snapshot(saleId)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    await expect(sales.snapshot(saleId)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    server.setDown(false);
    expect(await sales.snapshot(saleId)).toMatchObject({ saleId });
    // The revalidation after the outage was answered 304: the cached copy's ETag was kept.
    expect(server.hits(saleId)).toEqual({ full: 1, notModified: 1 });
  });

  it('when a stale snapshot changed upstream, then the first read still gets the old copy and the next one the new', async () => {
    const saleId = uniqueSaleId();
    server.put({ saleId, status: 'OPEN' });
    const sales = client({ ttlMs: 100, maxStaleMs: 5_000 });
    expect((await sales.snapshot(saleId))?.status).toBe('OPEN');
    server.put({ saleId, status: 'PAUSED' });
    await sleep(150);
    expect((await sales.snapshot(saleId))?.status).toBe('OPEN');
    await sleep(50);
    expect((await sales.snapshot(saleId))?.status).toBe('PAUSED');
    expect(server.hits(saleId)).toEqual({ full: 2, notModified: 0 });
  });
});
