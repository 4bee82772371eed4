import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { expectSaleInvariant, testInfra } from '@stampede/devkit';
import { admissionStep, armSale, joinQueue, queuePlace, readInventory, reserveHold, saleKeys, type AdmissionPolicy } from '@stampede/ledger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The waiting room's scripts on a real Redis Cluster: arrival order, admission bounds, drops, close. */
describe('waiting room on the sale shard', () => {
  let redis: Cluster;
  const sales: string[] = [];
  const policy = (o: Partial<AdmissionPolicy> = {}): AdmissionPolicy => ({
    admit: true, roomOn: true, ratePerSecond: 0, margin: 0, heartbeatTimeoutMs: 20_000, admissionTtlMs: 60_000, maxBatch: 500, ...o,
  });
  const arm = async (total: number) => {
    const saleId = `room-${randomUUID().slice(0, 12)}`;
    await armSale(redis, { saleId, total, limit: 1, holdTtlSeconds: 300 });
    sales.push(saleId);
    return saleId;
  };
  const hold = (saleId: string, userId: string, admission = true) =>
    reserveHold(redis, { saleId, userId, qty: 1, sku: 'SKU-R', unitPrice: 1_000, admission });
  const joinAll = async (saleId: string, users: string[]) => {
    for (const u of users) await joinQueue(redis, saleId, u);
  };
  const admittedOf = async (saleId: string) => (await redis.zrange(saleKeys(saleId).queueAdmitted, 0, -1)).sort();

  beforeAll(() => {
    const nodes = testInfra().redisNodes.split(',').map((hp) => ({ host: hp.split(':')[0] as string, port: Number(hp.split(':')[1]) }));
    redis = createRedisCluster({ nodes });
  });
  afterEach(async () => {
    for (const id of sales.splice(0)) await expectSaleInvariant(redis, id);
  });
  afterAll(() => redis.quit());

  it('when shoppers join one after another, then places follow arrival and a re-join keeps the place', async () => {
    const saleId = await arm(10);
    const places = [];
    for (const u of ['a', 'b', 'c']) places.push(await joinQueue(redis, saleId, u));
    expect(places).toEqual([
      { status: 'WAITING', seq: 1, ahead: 0 },
      { status: 'WAITING', seq: 2, ahead: 1 },
      { status: 'WAITING', seq: 3, ahead: 2 },
    ]);
    expect(await joinQueue(redis, saleId, 'a')).toEqual({ status: 'WAITING', seq: 1, ahead: 0 });
    expect(await queuePlace(redis, saleId, 'c', false)).toEqual({ status: 'WAITING', seq: 3, ahead: 2 });
    expect(await queuePlace(redis, saleId, 'nobody', false)).toEqual({ status: 'NONE' });
  });

  it('when 300 joins race (every shopper twice, at once), then each shopper has exactly one place and the numbers are 1..150', async () => {
    const saleId = await arm(10);
    const users = Array.from({ length: 150 }, (_, i) => `u${i}`);
    const got = await Promise.all([...users, ...users].map((u) => joinQueue(redis, saleId, u)));
    const seqs = new Map<string, Set<number>>();
    got.forEach((p, i) => {
      if (p.status !== 'WAITING') throw new Error(p.status);
      const u = [...users, ...users][i] as string;
      seqs.set(u, (seqs.get(u) ?? new Set()).add(p.seq));
    });
    expect([...seqs.values()].every((s) => s.size === 1)).toBe(true);
    expect([...seqs.values()].map((s) => [...s][0]).sort((x, y) => (x as number) - (y as number))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(await redis.zcard(saleKeys(saleId).queueWait)).toBe(150);
  });

  it('when the room admits as fast as seats allow, then the earliest arrivals are admitted and never more than seats left + margin are unserved', async () => {
    const saleId = await arm(3);
    await joinAll(saleId, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const s = await admissionStep(redis, saleId, policy({ margin: 2 }));
    expect(s).toMatchObject({ admitted: 5, unserved: 5, waiting: 2, hwm: 5, closed: false });
    expect(await admittedOf(saleId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Steps from several replicas at once change nothing while the bound is reached.
    await Promise.all(Array.from({ length: 5 }, () => admissionStep(redis, saleId, policy({ margin: 2 }))));
    expect((await admissionStep(redis, saleId, policy({ margin: 2 }))).admitted).toBe(5);
    expect(await queuePlace(redis, saleId, 'f', false)).toEqual({ status: 'WAITING', seq: 6, ahead: 0 });
    // A hold serves an admission: seats left and unserved drop together, the bound stays reached.
    expect((await hold(saleId, 'a')).outcome).toBe('HELD');
    expect(await admissionStep(redis, saleId, policy({ margin: 2 }))).toMatchObject({ admitted: 5, unserved: 4, served: 1, available: 2 });
  });

  it('when the room is on and a user holds no admission, then the hold is refused and nothing changes', async () => {
    const saleId = await arm(2);
    await joinQueue(redis, saleId, 'w');
    const before = await readInventory(redis, saleId);
    expect((await hold(saleId, 'w')).outcome).toBe('ADMISSION_REQUIRED');
    expect((await hold(saleId, 'stranger')).outcome).toBe('ADMISSION_REQUIRED');
    expect(await readInventory(redis, saleId)).toEqual(before);
    expect(await queuePlace(redis, saleId, 'w', false)).toMatchObject({ status: 'WAITING', seq: 1 });
  });

  it('when a waiting place stops sending heartbeats for the timeout, then the step drops it as abandoned and the next in line moves up', async () => {
    const saleId = await arm(1);
    await joinAll(saleId, ['quiet', 'alive']);
    // Nothing is open for admission yet (admit off), so both wait while the clock runs.
    await sleep(400);
    await queuePlace(redis, saleId, 'alive', true);
    // Before the sale opens, the step drops silent places and admits nobody.
    expect(await admissionStep(redis, saleId, policy({ admit: false, heartbeatTimeoutMs: 300 }))).toMatchObject({ abandoned: 1, admitted: 0, waiting: 1 });
    const s = await admissionStep(redis, saleId, policy({ heartbeatTimeoutMs: 300, margin: 0 }));
    expect(s).toMatchObject({ abandoned: 1, admitted: 1 });
    expect(await admittedOf(saleId)).toEqual(['alive']);
    expect(await queuePlace(redis, saleId, 'quiet', false)).toEqual({ status: 'NONE' });
    // The dropped shopper may queue again, at the back.
    expect(await joinQueue(redis, saleId, 'quiet')).toEqual({ status: 'WAITING', seq: 3, ahead: 0 });
  });

  it('when the last seat is held, then the queue closes at once and everyone waiting is told SOLD_OUT', async () => {
    const saleId = await arm(1);
    await joinAll(saleId, ['first', 'second', 'third']);
    await admissionStep(redis, saleId, policy());
    expect((await hold(saleId, 'first')).outcome).toBe('HELD');
    expect(await queuePlace(redis, saleId, 'second', false)).toEqual({ status: 'SOLD_OUT' });
    expect(await joinQueue(redis, saleId, 'late')).toEqual({ status: 'SOLD_OUT' });
    expect(await admissionStep(redis, saleId, policy())).toMatchObject({ closed: true, waiting: 0, waitingAtClose: 2, admitted: 1, served: 1 });
  });

  it('when the operator sets a rate, then a step admits no more than the rate allows for the time since the last step', async () => {
    const saleId = await arm(100);
    await joinAll(saleId, Array.from({ length: 60 }, (_, i) => `r${i}`));
    const p = policy({ ratePerSecond: 20, margin: 100 });
    const started = Date.now();
    const first = (await admissionStep(redis, saleId, p)).admitted;
    await sleep(500);
    const second = (await admissionStep(redis, saleId, p)).admitted;
    const elapsed = Date.now() - started;
    // The credit owed before the first step is under one admission; after it, 20 per second.
    expect(first).toBe(0);
    expect(second).toBeGreaterThanOrEqual(5);
    expect(second).toBeLessThanOrEqual(Math.floor(1 + (20 * elapsed) / 1000));
  });
});
