import type { Cluster } from 'ioredis';
import { consumeHold, expireHolds, holdIdOf, openReservation, parseReservationToken, readInventory, releaseHold, reserveHold, returnSoldSeat } from '@stampede/ledger';
import { expectSaleInvariant } from '@stampede/devkit';
import { armTestSale, sleep, testRedis } from './support';

/** The shared hold operations (chassis sale layer) that entry and payment both use. */
describe('hold operations on the sale shard', () => {
  let redis: Cluster;
  const sales: string[] = [];
  const arm = async (o: Parameters<typeof armTestSale>[1]) => {
    const id = await armTestSale(redis, o);
    sales.push(id);
    return id;
  };
  const reserve = (saleId: string, userId: string, qty = 1) =>
    reserveHold(redis, { saleId, userId, qty, sku: 'SKU-1', unitPrice: 129_000 });

  beforeAll(() => {
    redis = testRedis();
  });
  afterEach(async () => {
    for (const id of sales.splice(0)) await expectSaleInvariant(redis, id);
  });
  afterAll(() => redis.quit());

  it('when a user reserves, then one seat moves from available to held and the sealed payload opens with the token', async () => {
    const saleId = await arm({ total: 3 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    expect(parseReservationToken(r.token)).toEqual({ saleId });
    expect(r.holdId).toBe(holdIdOf(r.token));
    const p = await openReservation(redis, r.token);
    expect(p).toEqual({
      holdId: r.holdId, userId: 'u1', saleId, sku: 'SKU-1', unitPrice: 129_000, qty: 1,
      issuedAt: expect.any(Number), expiresAt: r.expiresAt,
    });
    expect(p!.expiresAt - p!.issuedAt).toBe(300_000);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 2, held: 1, sold: 0 });
  });

  it('when the token is malformed or altered, then nothing opens', async () => {
    const saleId = await arm({ total: 1 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    const flipped = r.token.slice(0, -1) + (r.token.endsWith('A') ? 'B' : 'A');
    expect(await openReservation(redis, flipped)).toBeUndefined();
    expect(await openReservation(redis, 'rt_x')).toBeUndefined();
    expect(await consumeHold(redis, flipped, 'pay-1')).toEqual({ outcome: 'EXPIRED' });
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: 1, sold: 0 });
  });

  it('when a hold is consumed, then it is sold once, replays get the first payment ref, and it can no longer be released', async () => {
    const saleId = await arm({ total: 2 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    const results = await Promise.all([consumeHold(redis, r.token, 'pay-A'), consumeHold(redis, r.token, 'pay-B')]);
    const won = results.find((x) => x.outcome === 'CONSUMED');
    expect(won).toBeDefined();
    expect(results.filter((x) => x.outcome === 'ALREADY_CONSUMED')).toHaveLength(1);
    expect(await consumeHold(redis, r.token, 'pay-A')).toEqual({ outcome: 'ALREADY_CONSUMED', paymentRef: 'pay-A' });
    expect(await releaseHold(redis, saleId, r.holdId)).toBe(false);
    expect(await expireHolds(redis, saleId)).toBe(0);
    expect(await openReservation(redis, r.token)).toMatchObject({ consumedBy: 'pay-A' });
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 1, held: 0, sold: 1 });
  });

  it('when a hold is released, then its seat returns once and its token is dead', async () => {
    const saleId = await arm({ total: 1 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    const released = await Promise.all([releaseHold(redis, saleId, r.holdId), releaseHold(redis, saleId, r.holdId)]);
    expect(released.sort()).toEqual([false, true]);
    expect(await openReservation(redis, r.token)).toBeUndefined();
    expect(await consumeHold(redis, r.token, 'pay-1')).toEqual({ outcome: 'EXPIRED' });
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 1, held: 0, sold: 0 });
    expect((await reserve(saleId, 'u1')).outcome).toBe('HELD');
  });

  it('when a hold is past its expiry, then consuming it gives EXPIRED and returns the seat, exactly once', async () => {
    const saleId = await arm({ total: 1, holdTtlSeconds: 1 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    await sleep(1_100);
    const [a, b] = await Promise.all([consumeHold(redis, r.token, 'late'), expireHolds(redis, saleId)]);
    expect(a).toEqual({ outcome: 'EXPIRED' });
    // Whichever ran first released it; the other found nothing left to release.
    expect([0, 1]).toContain(b);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 1, held: 0, sold: 0 });
  });

  it('when the per-user limit is reached or stock runs out, then the reserve changes nothing', async () => {
    const saleId = await arm({ total: 3, limit: 2 });
    expect((await reserve(saleId, 'u1', 2)).outcome).toBe('HELD');
    expect((await reserve(saleId, 'u1')).outcome).toBe('ALREADY_ENTERED');
    expect((await reserve(saleId, 'u2', 2)).outcome).toBe('SOLD_OUT');
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 1, held: 2, sold: 0 });
    expect((await reserve(saleId, 'u2')).outcome).toBe('HELD');
    expect((await reserve(saleId, 'u3')).outcome).toBe('SOLD_OUT');
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: 3, sold: 0 });
  });

  it('when a sale was never armed, then reserving reports it and writes nothing', async () => {
    const r = await reserve('never-armed-' + Date.now(), 'u1');
    expect(r.outcome).toBe('NOT_ARMED');
  });

  it('when a sold seat is refunded with RESTOCK, then it returns to stock once per refund and the user may enter again', async () => {
    const saleId = await arm({ total: 1 });
    const r = await reserve(saleId, 'u1');
    if (r.outcome !== 'HELD') throw new Error(r.outcome);
    expect(await consumeHold(redis, r.token, 'pay-1')).toEqual({ outcome: 'CONSUMED' });
    const returned = await Promise.all([
      returnSoldSeat(redis, saleId, 'u1', 1, 'refund-1'),
      returnSoldSeat(redis, saleId, 'u1', 1, 'refund-1'),
    ]);
    expect(returned.sort()).toEqual([false, true]);
    expect(await returnSoldSeat(redis, saleId, 'u2', 1)).toBe(false);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 1, held: 0, sold: 0 });
    expect((await reserve(saleId, 'u1')).outcome).toBe('HELD');
  });
});
