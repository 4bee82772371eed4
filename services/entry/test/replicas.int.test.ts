import { resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { consumeHold, openReservation, readInventory } from '@stampede/ledger';
import { http, pool, spawnTs, startTestIssuer, testStoreEnv, type SpawnedService, type TestIssuer, expectSaleInvariant, startSnapshotServer, type SnapshotServer } from '@stampede/devkit';
import { openSale, sleep, testRedis } from './support';

const ROOT = resolve(__dirname, '../../..');

/** Holds of one sale this replica returned at expiry (0 before its first). */
const expiredTotal = async (url: string, saleId: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('stampede_holds_expired_total{') && l.includes(`sale="${saleId}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

/** Two real entry processes sharing the Redis Cluster: the concurrency guarantees across replicas. */
describe('entry across two replicas', () => {
  jest.setTimeout(120_000);
  let redis: Cluster;
  let issuer: TestIssuer;
  let snapshots: SnapshotServer;
  let replicas: SpawnedService[] = [];
  const touched: string[] = [];

  const env = () => ({ ...testStoreEnv(), ...issuer.env(), EVENT_URL: snapshots.url, SWEEP_INTERVAL_MS: '50', SNAPSHOT_TTL_MS: '500' });
  const spawnReplica = () => spawnTs(ROOT, 'services/entry/src/main.ts', env());
  const open = async (o: Parameters<typeof openSale>[2]) => {
    const id = await openSale(redis, snapshots, o);
    touched.push(id);
    return id;
  };
  const users = (n: number) => pool(Array.from({ length: n }), 50, () => issuer.user());
  const enterVia = (replica: SpawnedService, saleId: string, token: string) =>
    http('POST', `${replica.url}/sales/${saleId}/entries`, { token });

  // One entry through each replica, so both have their keys and a connection ready before a race.
  const warmUp = async (list: SpawnedService[]) => {
    const saleId = await open({ total: list.length });
    for (const r of list) expect((await enterVia(r, saleId, (await issuer.user()).token)).status).toBe(201);
  };

  beforeAll(async () => {
    redis = testRedis();
    issuer = await startTestIssuer();
    snapshots = await startSnapshotServer();
    replicas = await Promise.all([spawnReplica(), spawnReplica()]);
    await warmUp(replicas);
  });
  afterEach(async () => {
    for (const id of touched.splice(0)) await expectSaleInvariant(redis, id);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
    await snapshots?.stop();
    await issuer?.stop();
    redis?.disconnect();
  });

  it('when 2,000 distinct users race for 100 seats across both replicas, then exactly 100 hold, 1,900 are SOLD_OUT and nobody holds two', async () => {
    const saleId = await open({ total: 100 });
    const people = await users(2_000);
    const res = await pool(people, 200, (u, i) => enterVia(replicas[i % 2]!, saleId, u.token));
    const codes = res.map((r) => (r.status === 201 ? 'HELD' : r.body?.error?.code));
    expect(codes.filter((c) => c === 'HELD')).toHaveLength(100);
    expect(codes.filter((c) => c === 'SOLD_OUT')).toHaveLength(1_900);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: 100, sold: 0 });
    const holders = await Promise.all(res.filter((r) => r.status === 201).map((r) => openReservation(redis, r.body.reservationToken)));
    expect(new Set(holders.map((p) => p!.userId)).size).toBe(100);
    expect((await expectSaleInvariant(redis, saleId)).maxPerUser).toBe(1);
  });

  it('when one user fires 10 parallel entries at both replicas with L = 1, then exactly one holds and stock drops by one', async () => {
    const saleId = await open({ total: 10, limit: 1 });
    const u = await issuer.user();
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => enterVia(replicas[i % 2]!, saleId, u.token)));
    expect(res.filter((r) => r.status === 201)).toHaveLength(1);
    expect(res.filter((r) => r.body?.error?.code === 'ALREADY_ENTERED')).toHaveLength(9);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 9, held: 1 });
  });

  it('when 2 s holds go unpaid, then both replicas sweeping return every seat exactly once; a hold paid just before expiry stays sold', async () => {
    const seats = 30;
    const saleId = await open({ total: seats, holdTtlSeconds: 2 });
    
    const people = await users(seats);
    const res = await Promise.all(people.map((u, i) => enterVia(replicas[i % 2]!, saleId, u.token)));
    expect(res.every((r) => r.status === 201)).toBe(true);
    // Pay for one hold a moment before its expiry (Redis time decides; ~150 ms of margin).
    const paid = res[0]!.body.reservationToken as string;
    const { expiresAt } = (await openReservation(redis, paid))!;
    await sleep(Math.max(0, expiresAt - Date.now() - 150));
    expect(await consumeHold(redis, paid, 'pay-just-in-time')).toEqual({ outcome: 'CONSUMED' });
    await sleep(Math.max(0, expiresAt - Date.now()) + 500);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: seats - 1, held: 0, sold: 1 });
    expect(await redis.zcard(`{sale:${saleId}}:holds`)).toBe(0);
    // Exactly once: the two replicas' counters for this sale together saw each expired hold once.
    const expired = await Promise.all(replicas.map((r) => expiredTotal(r.url, saleId)));
    expect(expired[0]! + expired[1]!).toBe(seats - 1);
    expect(await openReservation(redis, res[1]!.body.reservationToken)).toBeUndefined();
    expect(await openReservation(redis, paid)).toMatchObject({ consumedBy: 'pay-just-in-time' });
  });

  it('when one replica is killed during a burst, then the invariant holds and every seat granted is a real hold', async () => {
    const seats = 150;
    const saleId = await open({ total: seats });
    const people = await users(800);
    const victim = replicas[1]!;
    const burst = pool(people, 100, (u, i) =>
      enterVia(replicas[i % 2]!, saleId, u.token).catch(() => ({ status: 0, body: undefined, headers: new Headers() })),
    );
    await sleep(150);
    await victim.kill('SIGKILL');
    const res = await burst;
    const granted = res.filter((r) => r.status === 201);
    expect(res.some((r) => r.status === 0)).toBe(true); // the kill did cut requests off
    const inv = (await readInventory(redis, saleId))!;
    expect(inv.held).toBeGreaterThanOrEqual(granted.length);
    for (const r of granted) expect(await openReservation(redis, r.body.reservationToken)).toBeDefined();
    // The survivor keeps selling exactly what is left.
    const more = await users(inv.available + 5);
    const after = await pool(more, 50, (u) => enterVia(replicas[0]!, saleId, u.token));
    expect(after.filter((r) => r.status === 201)).toHaveLength(inv.available);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: seats, sold: 0 });
    replicas[1] = await spawnReplica();
    await warmUp([replicas[1]]);
  });
});
