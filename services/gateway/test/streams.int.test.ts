import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { WAITING_ROOM_DEFAULTS } from '@stampede/contracts';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { armSale, readInventory } from '@stampede/ledger';
import {
  http, openEventStream, spawnTs, startApp, startSnapshotServer, startTestIssuer, testInfra, testStoreEnv, waitFor,
  type EventStreamClient, type SnapshotServer, type SpawnedService, type StartedApp, type TestIssuer,
} from '@stampede/devkit';
import { buildGateway } from '../src/app';
import { configShape } from '../src/config';

const ROOT = resolve(__dirname, '../../..');

/** Live streams through two gateways in front of two real entry replicas: unbuffered, resumable, untimed. */
describe('gateway: live streams of the waiting room', () => {
  jest.setTimeout(120_000);
  let redis: Cluster;
  let issuer: TestIssuer;
  let snapshots: SnapshotServer;
  let entries: SpawnedService[] = [];
  let gateways: StartedApp[] = [];
  const streams: EventStreamClient[] = [];
  const gw = (i: number) => gateways[i % gateways.length]!.url;

  const openRoom = async (total: number) => {
    const saleId = `gw-room-${randomBytes(5).toString('hex')}`;
    await armSale(redis, { saleId, total, limit: 1, holdTtlSeconds: 300 });
    snapshots.put({ saleId, stock: total, waitingRoom: { ...WAITING_ROOM_DEFAULTS, margin: 0 } });
    return saleId;
  };
  const listen = async (url: string, o: Parameters<typeof openEventStream>[1] = {}) => {
    const c = await openEventStream(url, o);
    streams.push(c);
    return c;
  };

  beforeAll(async () => {
    const nodes = testInfra().redisNodes.split(',').map((hp) => ({ host: hp.split(':')[0] as string, port: Number(hp.split(':')[1]) }));
    redis = createRedisCluster({ nodes });
    issuer = await startTestIssuer();
    snapshots = await startSnapshotServer();
    const entryEnv = { ...testStoreEnv(), ...issuer.env(), EVENT_URL: snapshots.url, SNAPSHOT_TTL_MS: '200', ROOM_TICK_MS: '100' };
    entries = await Promise.all([spawnTs(ROOT, 'services/entry/src/main.ts', entryEnv), spawnTs(ROOT, 'services/entry/src/main.ts', entryEnv)]);
    const gatewayEnv = {
      ...testStoreEnv(),
      ...issuer.env(),
      UPSTREAM_AUTH: entries[0]!.url,
      UPSTREAM_EVENT: entries[0]!.url,
      UPSTREAM_ENTRY: entries.map((e) => e.url).join(','),
      UPSTREAM_PAYMENT: entries[0]!.url,
      CSRF_SECRET: randomBytes(32).toString('hex'),
      COOKIE_SECURE: 'false',
      RATE_LIMIT_NAMESPACE: `t-${randomBytes(4).toString('hex')}`,
    };
    gateways = [await startApp(configShape, buildGateway, gatewayEnv), await startApp(configShape, buildGateway, gatewayEnv)];
    for (const g of gateways) await waitFor('gateway ready', async () => (await http('GET', `${g.url}/readyz`)).status === 200, 10_000, 50);
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all(entries.map((e) => e.kill('SIGTERM')));
    await snapshots?.stop();
    await issuer?.stop();
    redis?.disconnect();
  });

  it('when shoppers watch their places through both gateways, then events arrive as they happen, the admission token passes through, and sold-out reaches every stream within 1 s', async () => {
    const saleId = await openRoom(2);
    const people = await Promise.all(Array.from({ length: 12 }, () => issuer.user(['USER'])));
    for (const [i, p] of people.entries()) expect((await http('POST', `${gw(i)}/sales/${saleId}/queue`, { token: p.token })).status).toBe(200);
    // The room admits on its own ticks (100 ms here), one more shopper per tick when they joined
    // across a tick: the places are exact only once both seats' shoppers are admitted.
    await waitFor('both seats admitted', async () => (await http('GET', `${gw(0)}/sales/${saleId}/queue`, { token: people[1]!.token })).body.admission?.token !== undefined, 5_000, 20);
    const watching = await Promise.all(people.map((p, i) => listen(`${gw(i + 1)}/sales/${saleId}/queue/events`, { token: p.token })));
    const live = await listen(`${gw(0)}/sales/${saleId}/live`);
    expect(watching[0]!.status).toBe(200);
    // Unbuffered: the first event is read while the stream is still open.
    const firstPosition = await watching[5]!.next((e) => e.event === 'position');
    expect(firstPosition.data).toMatchObject({ position: 4, ahead: 3 });
    const admitted = await Promise.all(watching.slice(0, 2).map((c) => c.next((e) => e.event === 'admitted')));
    // Entering needs the admission token, forwarded by the gateway under its name.
    const refused = await http('POST', `${gw(0)}/sales/${saleId}/entries`, { token: people[0]!.token, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ADMISSION_REQUIRED');
    const held = await Promise.all(admitted.map((e, i) => http('POST', `${gw(i)}/sales/${saleId}/entries`, { token: people[i]!.token, body: {}, headers: { 'x-admission-token': e.data.token } })));
    const lastSold = Date.now();
    expect(held.map((r) => r.status)).toEqual([201, 201]);
    const told = await Promise.all(watching.map((c) => c.next((e) => e.event === 'sold-out', 5_000)));
    expect(Math.max(...told.map((e) => e.at - lastSold))).toBeLessThan(1_000);
    expect((await live.next((e) => e.event === 'sold-out', 5_000)).at - lastSold).toBeLessThan(1_000);
    expect(await readInventory(redis, saleId)).toMatchObject({ available: 0, held: 2 });
  });

  it('when a stream stays quiet longer than any route timeout, then it is not cut, and a reconnect with Last-Event-ID resumes after the last event', async () => {
    const saleId = await openRoom(1);
    const [gate, waiter] = await Promise.all([issuer.user(['USER']), issuer.user(['USER'])]);
    await http('POST', `${gw(0)}/sales/${saleId}/queue`, { token: gate.token });
    await http('POST', `${gw(1)}/sales/${saleId}/queue`, { token: waiter.token });
    const quiet = await listen(`${gw(1)}/sales/${saleId}/queue/events`, { token: waiter.token });
    const position = await quiet.next((e) => e.event === 'position');
    expect(quiet.headers['x-accel-buffering']).toBe('no');
    expect(quiet.headers['content-type']).toMatch(/^text\/event-stream/);
    // Longer than the slowest route's timeout (5 s): the stream must still deliver.
    await new Promise((r) => setTimeout(r, 6_000));
    const resumed = await listen(`${gw(0)}/sales/${saleId}/queue/events`, { token: waiter.token, lastEventId: position.id! });
    const gateAdmission = (await http('GET', `${gw(0)}/sales/${saleId}/queue`, { token: gate.token })).body.admission.token as string;
    expect((await http('POST', `${gw(0)}/sales/${saleId}/entries`, { token: gate.token, body: {}, headers: { 'x-admission-token': gateAdmission } })).status).toBe(201);
    const soldOut = await quiet.next((e) => e.event === 'sold-out', 5_000);
    expect(soldOut.id).toBe('sold-out');
    await resumed.next((e) => e.event === 'sold-out', 5_000);
    // The resumed stream did not repeat the position its client already had.
    expect(resumed.events.filter((e) => e.id === position.id)).toHaveLength(0);
    // A client that saw sold-out is told not to reconnect.
    const after = await listen(`${gw(1)}/sales/${saleId}/queue/events`, { token: waiter.token, lastEventId: 'sold-out' });
    expect(after.status).toBe(204);
  });
});
