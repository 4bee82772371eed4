import { resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { WAITING_ROOM_DEFAULTS, type WaitingRoom } from '@stampede/contracts';
import { readInventory, saleKeys } from '@stampede/ledger';
import {
  expectSaleInvariant, http, openEventStream, pool, spawnTs, startSnapshotServer, startTestIssuer, testStoreEnv, waitFor,
  type EventStreamClient, type SnapshotServer, type SpawnedService, type TestIssuer,
} from '@stampede/devkit';
import { openSale, sleep, testRedis } from './support';

const ROOT = resolve(__dirname, '../../..');

type Shopper = { userId: string; token: string };

/** The waiting room through two real entry replicas sharing the Redis Cluster. */
describe('waiting room across two entry replicas', () => {
  jest.setTimeout(120_000);
  let redis: Cluster;
  let issuer: TestIssuer;
  let snapshots: SnapshotServer;
  let replicas: SpawnedService[] = [];
  const streams: EventStreamClient[] = [];
  const touched: string[] = [];

  const env = () => ({ ...testStoreEnv(), ...issuer.env(), EVENT_URL: snapshots.url, SWEEP_INTERVAL_MS: '100', SNAPSHOT_TTL_MS: '200', ROOM_TICK_MS: '100' });
  const spawnReplica = () => spawnTs(ROOT, 'services/entry/src/main.ts', env());
  const openRoom = async (total: number, room: Partial<WaitingRoom> = {}, o: Parameters<typeof openSale>[2] = { total }) => {
    const id = await openSale(redis, snapshots, { ...o, total, waitingRoom: { ...WAITING_ROOM_DEFAULTS, ...room } });
    touched.push(id);
    return id;
  };
  const shoppers = (n: number) => pool(Array.from({ length: n }), 50, () => issuer.user());
  const via = (i: number) => replicas[i % replicas.length]!;
  const join = (r: SpawnedService, saleId: string, s: Shopper) => http('POST', `${r.url}/sales/${saleId}/queue`, { token: s.token });
  const placeOf = (r: SpawnedService, saleId: string, s: Shopper) => http('GET', `${r.url}/sales/${saleId}/queue`, { token: s.token });
  const enter = (r: SpawnedService, saleId: string, s: Shopper, admission?: string) =>
    http('POST', `${r.url}/sales/${saleId}/entries`, { token: s.token, body: {}, headers: admission ? { 'x-admission-token': admission } : {} });
  const events = async (r: SpawnedService, saleId: string, s: Shopper, lastEventId?: string) => {
    const c = await openEventStream(`${r.url}/sales/${saleId}/queue/events`, { token: s.token, ...(lastEventId ? { lastEventId } : {}) });
    streams.push(c);
    return c;
  };
  const unserved = async (saleId: string) => redis.zcard(saleKeys(saleId).queueAdmitted);

  beforeAll(async () => {
    redis = testRedis();
    issuer = await startTestIssuer();
    snapshots = await startSnapshotServer();
    replicas = await Promise.all([spawnReplica(), spawnReplica()]);
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    for (const id of touched.splice(0)) await expectSaleInvariant(redis, id);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
    await snapshots?.stop();
    await issuer?.stop();
    redis?.disconnect();
  });

  it('when shoppers join one after another through alternating replicas, then their positions follow arrival and a re-join elsewhere keeps the place', async () => {
    // No seat can be admitted (margin 0 and one admitted shopper who does not enter), so places stay put.
    const saleId = await openRoom(1, { margin: 0 });
    const [first, ...rest] = await shoppers(13);
    expect((await join(via(0), saleId, first!)).body.status).toMatch(/WAITING|ADMITTED/);
    // Admitted on the room's next tick, seen from the other replica.
    await waitFor('the first shopper admitted', async () => (await placeOf(via(1), saleId, first!)).body.status === 'ADMITTED', 5_000, 20);
    const answers = [];
    for (const [i, s] of rest.entries()) answers.push((await join(via(i), saleId, s)).body);
    expect(answers.map((a) => a.status)).toEqual(rest.map(() => 'WAITING'));
    expect(answers.map((a) => a.position)).toEqual(rest.map((_, i) => i + 1));
    expect(answers.every((a) => typeof a.ticket === 'string' && a.ticket.startsWith('q1.'))).toBe(true);
    const again = await join(via(1), saleId, rest[4]!);
    expect(again.body).toMatchObject({ status: 'WAITING', position: 5, ahead: 4 });
    expect((await placeOf(via(0), saleId, rest[11]!)).body).toMatchObject({ status: 'WAITING', position: 12 });
  });

  it('when the room is on, then an entry without an admission, with a forged one or with another shopper\'s is refused 403 ADMISSION_REQUIRED and nothing changes', async () => {
    const saleId = await openRoom(3);
    const [a, b] = await shoppers(2);
    await join(via(0), saleId, a!);
    const admitted = (await (await events(via(1), saleId, a!)).next((e) => e.event === 'admitted')).data as { token: string; expiresAt: string };
    const before = await readInventory(redis, saleId);
    const forged = admitted.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const [who, token] of [[b!, undefined], [a!, forged], [b!, admitted.token], [a!, 'a1.nokid.99999999999999.x']] as const) {
      const res = await enter(via(0), saleId, who, token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('ADMISSION_REQUIRED');
    }
    expect(await readInventory(redis, saleId)).toEqual(before);
    expect(await unserved(saleId)).toBe(1);
    // The genuine admission works once: the hold serves it.
    expect((await enter(via(1), saleId, a!, admitted.token)).status).toBe(201);
    expect(await unserved(saleId)).toBe(0);
  });

  it('when a sale id is malformed or unknown, then joining answers 400 or 404 and no room is created', async () => {
    const [a] = await shoppers(1);
    const bad = await http('POST', `${via(0).url}/sales/${'x'.repeat(300)}/queue`, { token: a!.token });
    expect(bad.status).toBe(400);
    const unknown = await http('POST', `${via(0).url}/sales/no-such-sale-1/queue`, { token: a!.token });
    expect(unknown.status).toBe(404);
    expect(await redis.exists(saleKeys('no-such-sale-1').queueWait, saleKeys('no-such-sale-1').queueSeq)).toBe(0);
  });

  it('when a sale cannot be joined (closed) or the shopper is not eligible, then joining answers 409 or 403 and no place is taken', async () => {
    const closed = await openRoom(5, {}, { total: 5, status: 'CLOSED' });
    const picky = await openRoom(5, {}, { total: 5, conditions: { allowList: ['somebody-else'] } });
    const [a] = await shoppers(1);
    const refused = await join(via(0), closed, a!);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'SALE_NOT_OPEN']);
    const excluded = await join(via(1), picky, a!);
    expect([excluded.status, excluded.body.error.code]).toEqual([403, 'NOT_ELIGIBLE']);
    for (const id of [closed, picky]) expect(await redis.exists(saleKeys(id).queueWait, saleKeys(id).queueSeq)).toBe(0);
  });

  it('when 300 shoppers join at once across both replicas and the admitted enter as they are admitted, then unserved admissions never exceed seats left + margin and exactly the seats are held', async () => {
    const margin = 3;
    const saleId = await openRoom(20, { margin });
    const people = await shoppers(300);
    const joined = await pool(people, 100, (s, i) => join(via(i), saleId, s));
    expect(joined.every((r) => r.status === 200)).toBe(true);
    const seqOrder = new Map<string, number>();
    // Sampled while admissions and entries run, both counts in one atomic read of the shard:
    // the bound must hold at every sample.
    const k = saleKeys(saleId);
    const sample = async () => (await redis.eval("return {redis.call('ZCARD', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'available'))}", 2, k.queueAdmitted, k.inventory)) as [number, number];
    let samples = 0;
    let violations = 0;
    let sampling = true;
    const sampler = (async () => {
      do {
        const [adm, available] = await sample();
        samples++;
        if (adm > available + margin) violations++;
        await sleep(5);
      } while (sampling);
    })();
    const entered = await pool(people, 100, async (s, i) => {
      for (let t = 0; t < 200; t++) {
        const p = (await placeOf(via(i + t), saleId, s)).body;
        if (p.status === 'SOLD_OUT') return 'SOLD_OUT';
        if (p.status === 'WAITING') seqOrder.set(s.userId, p.position);
        if (p.status === 'ADMITTED') {
          const r = await enter(via(i + t + 1), saleId, s, p.admission.token);
          return r.status === 201 ? 'HELD' : r.body.error.code;
        }
        await sleep(50);
      }
      return 'TIMEOUT';
    });
    sampling = false;
    await sampler;
    expect(samples).toBeGreaterThan(0);
    expect(violations).toBe(0);
    expect(entered.filter((o) => o === 'HELD')).toHaveLength(20);
    expect(entered.filter((o) => o === 'TIMEOUT')).toHaveLength(0);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: 20 });
    const meta = await redis.hgetall(saleKeys(saleId).queueMeta);
    expect(Number(meta.admitted)).toBeLessThanOrEqual(20 + margin);
    expect(meta.closed).toBeDefined();
  });

  it('when a waiting shopper stops sending heartbeats, then their place is dropped after the timeout while a shopper with an open stream keeps theirs', async () => {
    const saleId = await openRoom(1, { margin: 0, heartbeatTimeoutSeconds: 2 });
    const [gate, quiet, watching] = await shoppers(3);
    await join(via(0), saleId, gate!);
    await waitFor('the gate admitted', async () => (await placeOf(via(0), saleId, gate!)).body.status === 'ADMITTED', 5_000, 20);
    await join(via(0), saleId, quiet!);
    await join(via(1), saleId, watching!);
    const stream = await events(via(1), saleId, watching!);
    await stream.next((e) => e.event === 'position');
    await sleep(3_000);
    const gone = await placeOf(via(0), saleId, quiet!);
    expect(gone.status).toBe(404);
    expect((await placeOf(via(0), saleId, watching!)).body).toMatchObject({ status: 'WAITING', position: 1 });
    expect(Number(await redis.hget(saleKeys(saleId).queueMeta, 'abandoned'))).toBe(1);
    expect((await stream.next((e) => e.event === 'position' && e.data.ahead === 0)).data).toMatchObject({ position: 1, ahead: 0 });
  });

  it('when the last seat is taken, then every open stream on both replicas is told sold-out within 1 s', async () => {
    const saleId = await openRoom(5, { margin: 0 });
    const people = await shoppers(60);
    for (const [i, s] of people.entries()) await join(via(i), saleId, s);
    const open = await Promise.all(people.map((s, i) => events(via(i + 1), saleId, s)));
    // The five admitted enter with the token their stream delivered.
    const admitted = await Promise.all(open.slice(0, 5).map((c) => c.next((e) => e.event === 'admitted')));
    const held = await Promise.all(admitted.map((e, i) => enter(via(i), saleId, people[i]!, e.data.token)));
    const lastSold = Date.now();
    expect(held.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const told = await Promise.all(open.map((c) => c.next((e) => e.event === 'sold-out', 5_000)));
    const slowest = Math.max(...told.map((e) => e.at - lastSold));
    expect(told).toHaveLength(60);
    expect(slowest).toBeLessThan(1_000);
    // A reconnect that already saw sold-out is told not to come back (204).
    const again = await events(via(0), saleId, people[30]!, 'sold-out');
    expect(again.status).toBe(204);
  });

  it('when a replica holding streams is killed mid-queue, then the other replica keeps admitting and the shoppers resume there', async () => {
    const extra = await spawnReplica();
    // Two admissions a second: the queue is still long when the replica dies.
    const saleId = await openRoom(10, { admissionRatePerSecond: 2, heartbeatTimeoutSeconds: 5 });
    const people = await shoppers(6);
    for (const s of people) await join(extra, saleId, s);
    const onExtra = await Promise.all(people.map((s) => events(extra, saleId, s)));
    await onExtra[0]!.next((e) => e.event === 'admitted');
    await extra.kill('SIGKILL');
    await Promise.all(onExtra.map((c) => c.ended));
    const lastSeen = onExtra.map((c) => c.events.at(-1)?.id);
    expect(lastSeen.slice(3).every((id) => id?.startsWith('p'))).toBe(true);
    // Every shopper reconnects to a survivor with the id of the last event they saw: the waiting
    // ones keep their places and are admitted in turn there.
    const resumed = await Promise.all(people.map((s, i) => events(via(i), saleId, s, lastSeen[i])));
    const isAdmitted = (e: { event: string }) => e.event === 'admitted';
    // One admitted before the kill already has its token (the resumed stream does not repeat it).
    const admitted = await Promise.all(people.slice(1).map((_, i) => onExtra[i + 1]!.events.find(isAdmitted) ?? resumed[i + 1]!.next(isAdmitted, 10_000)));
    const order = admitted.map((e) => Date.parse(e.data.expiresAt));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    const held = await Promise.all(admitted.map((e, i) => enter(via(i), saleId, people[i + 1]!, e.data.token)));
    expect(held.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(Number(await redis.hget(saleKeys(saleId).queueMeta, 'abandoned') ?? 0)).toBe(0);
  });
});
