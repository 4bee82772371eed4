import type { Cluster } from 'ioredis';
import { consumeHold, openReservation, readInventory, armSale, releaseHold } from '@stampede/ledger';
import { captureLogs, waitFor, http, startApp, startTestIssuer, testStoreEnv, type StartedApp, type TestIssuer, expectSaleInvariant, startSnapshotServer, type SnapshotServer } from '@stampede/devkit';
import { buildEntry } from '../src/app';
import { configShape } from '../src/config';
import { openSale, sleep, testRedis, uniqueSaleId } from './support';

/** One in-process entry instance against the real Redis Cluster: the API contract, rule by rule. */
describe('entry service', () => {
  let redis: Cluster;
  let issuer: TestIssuer;
  let snapshots: SnapshotServer;
  let app: StartedApp;
  let logs: ReturnType<typeof captureLogs>;
  const touched: string[] = [];

  const open = async (o: Parameters<typeof openSale>[2]) => {
    const id = await openSale(redis, snapshots, o);
    touched.push(id);
    return id;
  };
  const enter = (saleId: string, token: string, body?: unknown) => http('POST', `${app.url}/sales/${saleId}/entries`, { token, body });
  const inv = (saleId: string) => readInventory(redis, saleId);

  beforeAll(async () => {
    redis = testRedis();
    issuer = await startTestIssuer();
    snapshots = await startSnapshotServer();
    logs = captureLogs('info');
    app = await startApp(
      configShape,
      buildEntry,
      { ...testStoreEnv(), ...issuer.env(), EVENT_URL: snapshots.url, SNAPSHOT_TTL_MS: '200', SNAPSHOT_MAX_STALE_MS: '2000', SWEEP_INTERVAL_MS: '100' },
      logs.logger,
    );
  });
  afterEach(async () => {
    for (const id of touched.splice(0)) await expectSaleInvariant(redis, id);
  });
  afterAll(async () => {
    await app?.stop();
    await snapshots?.stop();
    await issuer?.stop();
    redis?.disconnect();
  });

  describe('entering a sale', () => {
    it('when a user enters an open sale, then 201 answers exactly {reservationToken, expiresAt} and one seat is held', async () => {
      const saleId = await open({ total: 5, holdTtlSeconds: 120, unitPrice: 55_000 });
      const u = await issuer.user();
      const before = Date.now();
      const res = await enter(saleId, u.token);
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'reservationToken']);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const expiresAt = Date.parse(res.body.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000 - 1_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000 + 1_000);
      const payload = await openReservation(redis, res.body.reservationToken);
      expect(payload).toMatchObject({ userId: u.userId, saleId, unitPrice: 55_000, qty: 1, expiresAt });
      expect(await inv(saleId)).toMatchObject({ available: 4, held: 1, sold: 0 });
    });

    it('when the sale allows two seats, then qty 2 holds both in one token and a third seat is refused', async () => {
      const saleId = await open({ total: 5, limit: 2 });
      const u = await issuer.user();
      const res = await enter(saleId, u.token, { qty: 2 });
      expect(res.status).toBe(201);
      expect(await openReservation(redis, res.body.reservationToken)).toMatchObject({ qty: 2 });
      const again = await enter(saleId, u.token);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ALREADY_ENTERED');
      expect(await inv(saleId)).toMatchObject({ available: 3, held: 2 });
    });

    it('when the client sends a price, a user id or a qty above the limit, then 400 names the field and nothing is held', async () => {
      const saleId = await open({ total: 3 });
      const u = await issuer.user();
      const priced = await enter(saleId, u.token, { unitPrice: 1 });
      expect(priced.status).toBe(400);
      expect(priced.body.error.code).toBe('INVALID_INPUT');
      const other = await enter(saleId, u.token, { userId: 'someone-else' });
      expect(other.status).toBe(400);
      const many = await enter(saleId, u.token, { qty: 2 });
      expect(many.status).toBe(400);
      expect(many.body.error.details.fields[0].field).toBe('qty');
      const badId = await http('POST', `${app.url}/sales/${encodeURIComponent('bad id!')}/entries`, { token: u.token });
      expect(badId.status).toBe(400);
      expect(await inv(saleId)).toMatchObject({ available: 3, held: 0 });
    });

    it('when the request has no valid token or the wrong role, then 401/403 and nothing is held', async () => {
      const saleId = await open({ total: 2 });
      expect((await enter(saleId, '')).status).toBe(401);
      expect((await enter(saleId, 'not-a-jwt-at-all')).status).toBe(401);
      const operator = await issuer.token({ roles: ['OPERATOR'] });
      const res = await enter(saleId, operator);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await inv(saleId)).toMatchObject({ available: 2, held: 0 });
    });

    it('when the sale is paused, not yet open, closed or not armed, then 409 SALE_NOT_OPEN and stock is untouched', async () => {
      const u = await issuer.user();
      const paused = await open({ total: 2, status: 'PAUSED' });
      const early = await open({ total: 2, opensAt: new Date(Date.now() + 60_000).toISOString() });
      const late = await open({ total: 2, closesAt: new Date(Date.now() - 1).toISOString() });
      for (const saleId of [paused, early, late]) {
        const res = await enter(saleId, u.token);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('SALE_NOT_OPEN');
        expect(await inv(saleId)).toMatchObject({ available: 2, held: 0 });
      }
      const unarmed = uniqueSaleId();
      snapshots.put({ saleId: unarmed });
      const res = await enter(unarmed, u.token);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('SALE_NOT_OPEN');
      expect(await inv(unarmed)).toBeUndefined();
    });

    it('when the user is not eligible, then 403 NOT_ELIGIBLE says why and nothing is held', async () => {
      const saleId = await open({ total: 2, conditions: { allowList: ['vip-1'] } });
      const u = await issuer.user();
      const res = await enter(saleId, u.token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('NOT_ELIGIBLE');
      expect(res.body.error.details.reason).toMatch(/allow-list/);
      const vip = await issuer.token({ userId: 'vip-1' });
      expect((await enter(saleId, vip)).status).toBe(201);
      expect(await inv(saleId)).toMatchObject({ available: 1, held: 1 });
    });

    it('when the sale does not exist, then 404', async () => {
      const u = await issuer.user();
      const res = await enter(uniqueSaleId('missing'), u.token);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('boundaries (no off-by-one)', () => {
    it('when stock is 0, then every entrant gets SOLD_OUT and no counter goes negative', async () => {
      const saleId = uniqueSaleId();
      await armSale(redis, { saleId, total: 0, limit: 1, holdTtlSeconds: 60 });
      snapshots.put({ saleId, stock: 1 });
      touched.push(saleId);
      const users = await Promise.all([1, 2, 3].map(() => issuer.user()));
      const res = await Promise.all(users.map((u) => enter(saleId, u.token)));
      expect(res.map((r) => r.body.error?.code)).toEqual(['SOLD_OUT', 'SOLD_OUT', 'SOLD_OUT']);
      expect(await inv(saleId)).toMatchObject({ total: 0, available: 0, held: 0, sold: 0 });
    });

    it.each([
      [1, 1],
      [1, 2],
      [5, 4],
      [5, 5],
      [5, 6],
      [20, 21],
    ])('when %i seats meet %i simultaneous entrants, then exactly min(seats, entrants) hold and the rest are SOLD_OUT', async (seats, entrants) => {
      const saleId = await open({ total: seats });
      const users = await Promise.all(Array.from({ length: entrants }, () => issuer.user()));
      const res = await Promise.all(users.map((u) => enter(saleId, u.token)));
      const held = res.filter((r) => r.status === 201).length;
      expect(held).toBe(Math.min(seats, entrants));
      expect(res.filter((r) => r.body?.error?.code === 'SOLD_OUT')).toHaveLength(Math.max(0, entrants - seats));
      expect(await inv(saleId)).toMatchObject({ available: Math.max(0, seats - entrants), held });
    });

    it('when the last seat is taken and then released, then exactly one more entrant can take it', async () => {
      const saleId = await open({ total: 1 });
      const [a, b, c] = await Promise.all([issuer.user(), issuer.user(), issuer.user()]);
      const first = await enter(saleId, a!.token);
      expect((await enter(saleId, b!.token)).body.error.code).toBe('SOLD_OUT');
      expect((await http('DELETE', `${app.url}/entries/${first.body.reservationToken}`, { token: a!.token })).status).toBe(204);
      const race = await Promise.all([enter(saleId, b!.token), enter(saleId, c!.token)]);
      expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await inv(saleId)).toMatchObject({ available: 0, held: 1 });
    });
  });

  describe('the gateway\'s identity header', () => {
    const withIdentity = (saleId: string, header: string, body: unknown = {}) =>
      http('POST', `${app.url}/sales/${saleId}/entries`, { body, headers: { 'x-stampede-identity': header } });

    it('when the gateway vouches for a user, then the entry holds without an access token', async () => {
      const saleId = await open({ total: 2 });
      const u = { userId: `id-${Date.now()}` };
      const header = issuer.identity(u, { method: 'POST', path: `/sales/${saleId}/entries`, body: Buffer.from('{}') });
      const res = await withIdentity(saleId, header);
      expect(res.status).toBe(201);
      expect(await inv(saleId)).toMatchObject({ available: 1, held: 1 });
    });

    it('when a request straight to entry carries a forged, replayed, expired or borrowed identity, then 401 and nothing is held', async () => {
      const saleId = await open({ total: 5 });
      const u = { userId: `victim-${Date.now()}` };
      const path = `/sales/${saleId}/entries`;
      const body = Buffer.from('{}');
      const good = issuer.identity(u, { method: 'POST', path, body });
      const [kid, payload] = good.split('.');
      const otherKeys = { active: { kid: kid as string, key: Buffer.alloc(32, 7) }, byKid: new Map([[kid as string, Buffer.alloc(32, 7)]]) };
      const cases: Array<[string, string, unknown?]> = [
        ['signed with a key the service does not hold', issuer.identity(u, { method: 'POST', path, body }, { keys: otherKeys })],
        ['payload edited (another user)', `${kid}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), sub: 'attacker' })).toString('base64url')}.${good.split('.')[2]}`],
        ['made for another path', issuer.identity(u, { method: 'POST', path: `/sales/other/entries`, body })],
        ['made for another body', issuer.identity(u, { method: 'POST', path, body: Buffer.from('{"qty":2}') }), {}],
        ['expired', issuer.identity(u, { method: 'POST', path, body }, { ttlMs: -1 })],
        ['not an identity at all', 'nonsense'],
      ];
      for (const [why, header, b] of cases) {
        const res = await withIdentity(saleId, header, b ?? {});
        expect([why, res.status, res.body.error.code]).toEqual([why, 401, 'AUTH_REQUIRED']);
      }
      expect(await inv(saleId)).toMatchObject({ available: 5, held: 0 });
      // The genuine header works once; the same header again is a replay.
      expect((await withIdentity(saleId, good)).status).toBe(201);
      const replay = await withIdentity(saleId, good);
      expect([replay.status, replay.body.error.code]).toEqual([401, 'AUTH_REQUIRED']);
      expect(await inv(saleId)).toMatchObject({ available: 4, held: 1 });
      const refused = logs.lines().filter((l) => l.includes('identity header refused')).map((l) => JSON.parse(l).reason);
      expect(refused).toEqual(expect.arrayContaining(['forged', 'other-request', 'expired', 'malformed', 'replayed']));
      expect(logs.text()).not.toContain(good);
    });
  });

  describe('a sale seen sold out', () => {
    it('when a sale just sold out, then entries are answered SOLD_OUT from memory for a moment, and a seat that comes back is taken after it', async () => {
      const saleId = await open({ total: 1 });
      const [a, b, c] = await Promise.all([issuer.user(), issuer.user(), issuer.user()]);
      const first = await enter(saleId, a.token);
      expect(first.status).toBe(201);
      expect((await enter(saleId, b.token)).body.error.code).toBe('SOLD_OUT');
      // A seat comes back behind this replica's back (as another replica's expiry sweep would).
      const opened = await openReservation(redis, first.body.reservationToken);
      expect(await releaseHold(redis, saleId, opened!.holdId)).toBe(true);
      const soon = await enter(saleId, c.token);
      expect(soon.body.error.code).toBe('SOLD_OUT');
      expect(await inv(saleId)).toMatchObject({ available: 1, held: 0 });
      // Within the memo's bound (250 ms by default) the seat is found again.
      await waitFor('the seat taken after the memo', async () => (await enter(saleId, c.token)).status === 201, 2_000, 50);
      expect(await inv(saleId)).toMatchObject({ available: 0, held: 1 });
    });
  });

  describe('cancelling and tokens', () => {
    it('when the holder cancels, then the seat returns at once and the token is dead', async () => {
      const saleId = await open({ total: 1 });
      const u = await issuer.user();
      const { body } = await enter(saleId, u.token);
      const res = await http('DELETE', `${app.url}/entries/${body.reservationToken}`, { token: u.token });
      expect(res.status).toBe(204);
      expect(await inv(saleId)).toMatchObject({ available: 1, held: 0 });
      expect(await openReservation(redis, body.reservationToken)).toBeUndefined();
      expect((await http('DELETE', `${app.url}/entries/${body.reservationToken}`, { token: u.token })).status).toBe(404);
      expect(await inv(saleId)).toMatchObject({ available: 1, held: 0 });
    });

    it("when another user cancels someone's token, then 403 and the hold is untouched", async () => {
      const saleId = await open({ total: 1 });
      const [owner, thief] = await Promise.all([issuer.user(), issuer.user()]);
      const { body } = await enter(saleId, owner.token);
      const res = await http('DELETE', `${app.url}/entries/${body.reservationToken}`, { token: thief.token });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await inv(saleId)).toMatchObject({ available: 0, held: 1 });
      expect(await openReservation(redis, body.reservationToken)).toMatchObject({ userId: owner.userId });
    });

    it('when a paid hold is cancelled, then 409 and the sale stands', async () => {
      const saleId = await open({ total: 1 });
      const u = await issuer.user();
      const { body } = await enter(saleId, u.token);
      expect(await consumeHold(redis, body.reservationToken, 'pay-1')).toEqual({ outcome: 'CONSUMED' });
      const res = await http('DELETE', `${app.url}/entries/${body.reservationToken}`, { token: u.token });
      expect(res.status).toBe(409);
      expect(await inv(saleId)).toMatchObject({ available: 0, held: 0, sold: 1 });
    });

    it('when tokens are issued, then each is 256 random bits unrelated to any other and an edited token opens nothing', async () => {
      const saleId = await open({ total: 40 });
      const users = await Promise.all(Array.from({ length: 40 }, () => issuer.user()));
      const tokens = (await Promise.all(users.map((u) => enter(saleId, u.token)))).map((r) => r.body.reservationToken as string);
      const tails = tokens.map((t) => t.slice(`rt_${saleId}_`.length));
      expect(new Set(tails).size).toBe(40);
      for (const t of tails) expect(Buffer.from(t, 'base64url')).toHaveLength(32);
      // No shared structure between tokens of consecutive requests: a common prefix of a few chars at most.
      const common = (a: string, b: string) => [...a].findIndex((ch, i) => ch !== b[i]);
      for (let i = 1; i < tails.length; i++) expect(common(tails[i - 1]!, tails[i]!)).toBeLessThan(6);
      // Bits look uniform: about half of all 40 × 256 bits are set.
      const ones = tails.reduce((n, t) => n + [...Buffer.from(t, 'base64url')].reduce((m, byte) => m + byte.toString(2).split('1').length - 1, 0), 0);
      expect(ones / (40 * 256)).toBeGreaterThan(0.45);
      expect(ones / (40 * 256)).toBeLessThan(0.55);
      // Editing a token never reaches someone's hold, and the payload cannot be reached to edit.
      const edited = tokens[0]!.slice(0, -2) + (tokens[0]!.endsWith('AA') ? 'BB' : 'AA');
      expect((await http('DELETE', `${app.url}/entries/${edited}`, { token: users[0]!.token })).status).toBe(404);
      expect(await inv(saleId)).toMatchObject({ available: 0, held: 40 });
    });

    it('when a token is cancelled, then the request log shows no token', async () => {
      const saleId = await open({ total: 1 });
      const u = await issuer.user();
      const { body } = await enter(saleId, u.token);
      await http('DELETE', `${app.url}/entries/${body.reservationToken}`, { token: u.token });
      await sleep(20);
      const tail = body.reservationToken.slice(-43);
      expect(logs.text()).toContain('rt_[REDACTED]');
      expect(logs.text()).not.toContain(tail);
    });
  });

  describe('snapshots, availability and metrics', () => {
    it('when many users enter, then the snapshot is fetched once and later revalidated with 304, and a pause is seen within the TTL', async () => {
      const saleId = await open({ total: 50 });
      const users = await Promise.all(Array.from({ length: 10 }, () => issuer.user()));
      await Promise.all(users.slice(0, 5).map((u) => enter(saleId, u.token)));
      expect(snapshots.hits(saleId).full).toBe(1);
      await sleep(250);
      await enter(saleId, users[5]!.token);
      await sleep(50);
      expect(snapshots.hits(saleId)).toEqual({ full: 1, notModified: 1 });
      snapshots.put({ saleId, status: 'PAUSED' });
      await sleep(250);
      await enter(saleId, users[6]!.token); // served from the stale copy while revalidating
      await sleep(50);
      const res = await enter(saleId, users[7]!.token);
      expect(res.body.error.code).toBe('SALE_NOT_OPEN');
      expect(await inv(saleId)).toMatchObject({ held: 7 });
    });

    it('when the event service is down, then a cached sale keeps working for a while and an uncached one answers 503', async () => {
      const cachedSale = await open({ total: 5 });
      const cold = await open({ total: 5 });
      const [a, b] = await Promise.all([issuer.user(), issuer.user()]);
      expect((await enter(cachedSale, a.token)).status).toBe(201);
      snapshots.setDown(true);
      try {
        await sleep(250);
        expect((await enter(cachedSale, b.token)).status).toBe(201);
        const res = await enter(cold, b.token);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
      } finally {
        snapshots.setDown(false);
      }
      expect(await inv(cold)).toMatchObject({ available: 5, held: 0 });
    });

    it('when anyone asks for availability, then it answers without auth, cacheable, with status and seats left', async () => {
      const saleId = await open({ total: 3 });
      const u = await issuer.user();
      await enter(saleId, u.token);
      const res = await http('GET', `${app.url}/sales/${saleId}/availability`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect(res.body).toMatchObject({ saleId, status: 'OPEN', open: true, total: 3, remaining: 2 });
      expect((await http('GET', `${app.url}/sales/${uniqueSaleId('nope')}/availability`)).status).toBe(404);
    });

    it('when entries happen, then metrics count them by outcome and show seats and holds from Redis', async () => {
      const saleId = await open({ total: 1 });
      const [a, b] = await Promise.all([issuer.user(), issuer.user()]);
      await enter(saleId, a.token);
      await enter(saleId, b.token);
      const text = await (await fetch(`${app.url}/metrics`)).text();
      expect(text).toMatch(/stampede_entries_total\{outcome="HELD",service="entry"\} \d+/);
      expect(text).toMatch(/stampede_entries_total\{outcome="SOLD_OUT",service="entry"\} \d+/);
      expect(text).toContain(`stampede_seats_available{sale="${saleId}",service="entry"} 0`);
      expect(text).toMatch(/stampede_holds_active\{service="entry"\} [1-9]\d*/);
      // Every armed sale has an expiry series from its first sweep, at 0 before any hold expires.
      await waitFor('the sale\'s expiry series', async () =>
        (await (await fetch(`${app.url}/metrics`)).text()).includes(`stampede_holds_expired_total{sale="${saleId}",service="entry"} 0`),
      );
    });
  });
});
