import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { call, CARDS, createOperator, login, openSale, pay, signUpAndLogin, waitFor, type Session, type Urls } from '@stampede/devkit';
import { startTestPlatform, type TestPlatform } from './support/platform';

/**
 * One whole journey through the gateway only, on every real service process, Redis Cluster,
 * PostgreSQL and Kafka: the operator and reward flow and the
 * reserve → prepare → confirm → Kafka → order.
 */
describe('end to end through the gateway', () => {
  let platform: TestPlatform;
  let u: Urls;
  let admin: Session;
  let operator: Session;
  const adminEmail = `admin-${randomBytes(4).toString('hex')}@stampede.test`;
  const adminPassword = `Admin-${randomBytes(12).toString('base64url')}7`;

  beforeAll(async () => {
    platform = await startTestPlatform({
      replicas: { entry: 1, payment: 1 },
      env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword },
    });
    u = { gateway: platform.gateway, auth: platform.urlsOf('auth')[0] as string };
    admin = await login(u.gateway, adminEmail, adminPassword);
    operator = await createOperator(u, admin);
  }, 120_000);
  afterAll(() => platform?.stop());

  it('a shopper buys a seat, the order appears from Kafka, the reward request is listed, and nobody else can use the token', async () => {
    const saleId = await openSale(u, operator, { stock: 3, unitPrice: 55_000, holdTtlSeconds: 60 });
    const event = await call('POST', `${u.gateway}/events`, {
      token: operator.accessToken,
      body: {
        title: 'Launch week',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        rewards: [{ type: 'COUPON', name: '10% off merch', quantity: 100 }],
      },
    });
    expect(event.status).toBe(201);

    const shopper = await signUpAndLogin(u.gateway, 'shopper');
    const other = await signUpAndLogin(u.gateway, 'other');

    const entry = await call('POST', `${u.gateway}/sales/${saleId}/entries`, { token: shopper.accessToken, body: {} });
    expect(entry.status).toBe(201);
    expect(Object.keys(entry.body).sort()).toEqual(['expiresAt', 'reservationToken']);
    const token = entry.body.reservationToken as string;

    // Another shopper cannot prepare or confirm with it.
    const stolen = await call('POST', `${u.gateway}/payments/prepare`, { token: other.accessToken, body: { reservationToken: token } });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('FORBIDDEN');

    const confirmed = await pay(u, shopper, token, CARDS.success);
    expect(confirmed.status).toBe(200);
    const paymentId = (confirmed.body.paymentId ?? confirmed.body.id) as string;
    expect(paymentId).toEqual(expect.any(String));

    // The order is recorded from the payment.confirmed event on Kafka, then visible to its owner.
    await waitFor(
      'order recorded from Kafka',
      async () => {
        const orders = await call('GET', `${u.gateway}/orders?saleId=${saleId}`, { token: shopper.accessToken });
        return orders.status === 200 && orders.body.items.length === 1 && orders.body.items[0].status === 'CONFIRMED';
      },
      30_000,
      250,
    );
    const mine = await call('GET', `${u.gateway}/orders?saleId=${saleId}`, { token: shopper.accessToken });
    expect(mine.body.items[0]).toMatchObject({ saleId, userId: shopper.userId, qty: 1, amount: 55_000, paymentId });
    expect((await call('GET', `${u.gateway}/orders?saleId=${saleId}`, { token: other.accessToken })).body.items).toEqual([]);
    const stats = await call('GET', `${u.gateway}/sales/${saleId}/stats`, { token: operator.accessToken });
    expect(stats.body).toMatchObject({ stock: 3, sold: 1, revenue: 55_000 });

    // The shopper requests the event's reward and sees it listed.
    const request = await call('POST', `${u.gateway}/events/${event.body.id}/request`, { token: shopper.accessToken, body: {} });
    expect(request.status).toBe(201);
    expect(request.body.status).toBe('PENDING');
    const listed = await call('GET', `${u.gateway}/events/requests?eventId=${event.body.id}`, { token: shopper.accessToken });
    expect(listed.body.items.map((r: { userId: string }) => r.userId)).toEqual([shopper.userId]);

    // The token is spent: it buys nothing twice.
    const again = await call('POST', `${u.gateway}/payments/prepare`, { token: shopper.accessToken, body: { reservationToken: token } });
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it('refresh rotation and logout work through the gateway', async () => {
    const user = await signUpAndLogin(u.gateway, 'rotator');
    const refreshed = await call('POST', `${u.gateway}/auth/refresh`, { body: { refreshToken: user.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(user.refreshToken);
    const fresh = refreshed.body.accessToken as string;
    expect((await call('GET', `${u.gateway}/orders`, { token: fresh })).status).toBe(200);

    const out = await call('POST', `${u.gateway}/auth/logout`, { token: fresh, body: {} });
    expect([200, 204]).toContain(out.status);
    const after = await call('GET', `${u.gateway}/orders`, { token: fresh });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('a request straight to a service with forged identity headers and no valid token is refused', async () => {
    const forged = { 'x-user-id': admin.userId, 'x-roles': 'ADMIN', 'x-forwarded-user': admin.userId };
    for (const [service, method, path, body] of [
      ['entry', 'POST', '/sales/anything/entries', {}],
      ['payment', 'POST', '/payments/prepare', { reservationToken: 'rt_x_y' }],
      ['event', 'POST', '/sales', { name: 'x' }],
      ['auth', 'PUT', `/users/${admin.userId}/roles`, { roles: ['ADMIN'] }],
    ] as const) {
      const res = await call(method, `${platform.urlsOf(service)[0]}${path}`, { headers: forged, body });
      expect({ service, status: res.status, code: res.body?.error?.code }).toEqual({ service, status: 401, code: 'AUTH_REQUIRED' });
    }
  });

  it('the documented request schemas reject exactly what the services reject', async () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', 'services', 'gateway', 'openapi.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const schemaOf = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].schema;
    const shopper = await signUpAndLogin(u.gateway, 'probe');
    const saleId = await openSale(u, operator, { stock: 50, unitPrice: 1_000, holdTtlSeconds: 60 });
    const cases: { method: string; path: string; docPath: string; token?: string; headers?: Record<string, string>; bodies: unknown[] }[] = [
      {
        method: 'POST', path: '/users', docPath: '/users',
        bodies: [{}, { email: 'nope', password: 'x' }, { email: `ok-${randomBytes(3).toString('hex')}@stampede.test`, password: 'Valid-Passw0rd-123' }, { email: 1, password: 2 }],
      },
      { method: 'POST', path: '/auth/login', docPath: '/auth/login', bodies: [{}, { email: 'a@b.co' }, { email: 'nobody@stampede.test', password: 'whatever' }] },
      {
        method: 'POST', path: `/sales/${saleId}/entries`, docPath: '/sales/{id}/entries', token: shopper.accessToken,
        bodies: [{ qty: 0 }, { qty: 1.5 }, { price: 1 }, { qty: '1' }, {}],
      },
      {
        method: 'POST', path: '/sales', docPath: '/sales', token: operator.accessToken,
        bodies: [{}, { name: 'x', stock: -1 }, { name: 'x', product: { sku: 'A', name: 'B' }, unitPrice: 1, stock: 1, opensAt: 'yesterday', closesAt: 'tomorrow' }],
      },
      {
        method: 'POST', path: '/payments/confirm', docPath: '/payments/confirm', token: shopper.accessToken, headers: { 'idempotency-key': 'probe-key-123456' },
        bodies: [{}, { reservationToken: 'rt_x_y', paymentKey: 'k', amount: -1 }, { reservationToken: 'rt_x_y', paymentKey: 'bad key!', amount: 1 }, { reservationToken: 1 }],
      },
    ];
    const mismatches: string[] = [];
    for (const c of cases) {
      const validate = ajv.compile(schemaOf(c.docPath, c.method.toLowerCase()));
      for (const body of c.bodies) {
        const res = await call(c.method, `${u.gateway}${c.path}`, { token: c.token, headers: c.headers, body });
        const serviceRejects = res.status === 400 && res.body?.error?.code === 'INVALID_INPUT';
        const docRejects = !validate(body);
        if (serviceRejects !== docRejects) mismatches.push(`${c.method} ${c.path} ${JSON.stringify(body)}: service ${res.status}, document ${docRejects ? 'rejects' : 'accepts'}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
