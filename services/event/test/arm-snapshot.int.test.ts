import { saleSnapshotSchema } from '@stampede/contracts';
import { readInventory } from '@stampede/ledger';
import { http } from '@stampede/devkit';
import { createSale, startEvent, transition, type EventHarness } from './support';

describe('event service: arming, snapshot and stats', () => {
  let h: EventHarness;
  let operator: string;

  beforeAll(async () => {
    h = await startEvent();
    operator = await h.token(['OPERATOR']);
  });
  afterAll(() => h?.stop());

  const arm = (id: string, token = operator) => http('POST', `${h.url}/sales/${id}/arm`, { token });

  it('when a draft is armed, then it gets 409 and Redis holds no inventory for it', async () => {
    const sale = await createSale(h.url, operator);
    const res = await arm(sale.id);
    expect(res.status).toBe(409);
    expect(await readInventory(h.issuer.redis, sale.id)).toBeUndefined();
  });

  it('when a USER arms a sale, then it gets 403 and Redis holds no inventory for it', async () => {
    const sale = await createSale(h.url, operator);
    await transition(h.url, operator, sale.id, 'SCHEDULED');
    expect((await arm(sale.id, await h.token(['USER']))).status).toBe(403);
    expect(await readInventory(h.issuer.redis, sale.id)).toBeUndefined();
  });

  it('when the same sale is armed by concurrent requests, then Redis holds exactly S seats and one request did the arming', async () => {
    const S = 37;
    const sale = await createSale(h.url, operator, { stock: S, perUserLimit: 2, holdTtlSeconds: 120 });
    await transition(h.url, operator, sale.id, 'SCHEDULED');
    const results = await Promise.all([arm(sale.id), arm(sale.id), arm(sale.id, await h.token(['ADMIN']))]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.filter((r) => r.body.armedNow === true)).toHaveLength(1);
    const inventory = await readInventory(h.issuer.redis, sale.id);
    expect(inventory).toMatchObject({ total: S, available: S, held: 0, sold: 0, limit: 2, holdTtlSeconds: 120 });
    // Arming again later changes nothing either.
    expect((await arm(sale.id)).body.armedNow).toBe(false);
    expect((await readInventory(h.issuer.redis, sale.id))?.available).toBe(S);
    expect(await h.count("select 1 from audit_log where entity_id = $1 and action = 'sale.arm'", [sale.id])).toBe(4);
  });

  it('when a scheduled sale is opened without arming, then opening arms it', async () => {
    const sale = await createSale(h.url, operator, { stock: 9 });
    await transition(h.url, operator, sale.id, 'SCHEDULED');
    const res = await transition(h.url, operator, sale.id, 'OPEN');
    expect(res.status).toBe(200);
    expect(res.body.armedAt).not.toBeNull();
    expect((await readInventory(h.issuer.redis, sale.id))?.available).toBe(9);
  });

  it('when entry reads a snapshot, then it is exactly the chassis SaleSnapshot, with an ETag that revalidates to 304', async () => {
    const sale = await createSale(h.url, operator, { conditions: { minAccountAgeDays: 7 }, refundPolicy: 'NO_RESTOCK' });
    const url = `${h.url}/internal/sales/${sale.id}/snapshot`;
    const first = await http('GET', url);
    expect(first.status).toBe(200);
    expect(saleSnapshotSchema.strict().parse(first.body)).toEqual(first.body);
    expect(first.body).toMatchObject({
      saleId: sale.id, status: 'DRAFT', version: 1, conditions: { minAccountAgeDays: 7 }, refundPolicy: 'NO_RESTOCK',
      waitingRoom: { enabled: true, admissionRatePerSecond: 0, margin: 10, heartbeatTimeoutSeconds: 20, admissionTtlSeconds: 60 },
    });
    const etag = first.headers.get('etag');
    expect(etag).toBe('"v1"');

    const unchanged = await http('GET', url, { headers: { 'if-none-match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeUndefined();

    await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { unitPrice: 1_000 } });
    const changed = await http('GET', url, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"v2"');
    expect(changed.body).toMatchObject({ unitPrice: 1_000, version: 2 });

    await transition(h.url, operator, sale.id, 'SCHEDULED');
    const scheduled = await http('GET', url, { headers: { 'if-none-match': '"v2"' } });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: 'SCHEDULED', version: 3 });
  });

  it('when the snapshot of an unknown sale is asked for, then it gets 404', async () => {
    expect((await http('GET', `${h.url}/internal/sales/no-such-sale/snapshot`)).status).toBe(404);
  });

  it('when stats are read, then sold comes from PostgreSQL and held and available from Redis', async () => {
    const sale = await createSale(h.url, operator, { stock: 12 });
    const statsUrl = `${h.url}/sales/${sale.id}/stats`;
    const before = await http('GET', statsUrl, { token: await h.token(['AUDITOR']) });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ stock: 12, sold: 0, held: null, available: null, revenue: 0, armed: false });

    await transition(h.url, operator, sale.id, 'SCHEDULED');
    await arm(sale.id);
    // Simulate a live sale: two seats held by the entry service's scripts.
    await h.issuer.redis.hincrby(`{sale:${sale.id}}:inv`, 'available', -2);
    await h.issuer.redis.hincrby(`{sale:${sale.id}}:inv`, 'held', 2);
    const live = await http('GET', statsUrl, { token: operator });
    expect(live.body).toMatchObject({ stock: 12, sold: 0, held: 2, available: 10, revenue: 0, armed: true });
    expect((await http('GET', statsUrl, { token: await h.token(['USER']) })).status).toBe(403);
  });

  it('when /metrics is scraped, then each visible sale exports its stock and PostgreSQL sold seats, and drafts export none', async () => {
    // Opening far ahead keeps these sales among the newest the scrape reads, whatever else the run created.
    const opensAt = Date.now() + 400 * 86_400_000;
    const window = { opensAt: new Date(opensAt).toISOString(), closesAt: new Date(opensAt + 3_600_000).toISOString() };
    const scheduled = await createSale(h.url, operator, { stock: 7, ...window });
    await transition(h.url, operator, scheduled.id, 'SCHEDULED');
    const draft = await createSale(h.url, operator, { stock: 8, ...window });
    await h.db.query('update sales set sold = 3 where id = $1', [scheduled.id]);

    const text = await (await fetch(`${h.url}/metrics`)).text();
    const value = (name: string, sale: string) => {
      const m = new RegExp(`^${name}\\{[^}]*sale="${sale}"[^}]*\\} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    expect(value('stampede_sale_stock', scheduled.id)).toBe(7);
    expect(value('stampede_sale_sold_seats', scheduled.id)).toBe(3);
    expect(value('stampede_sale_stock', draft.id)).toBeUndefined();
    expect(value('stampede_sale_sold_seats', draft.id)).toBeUndefined();
  });
});
