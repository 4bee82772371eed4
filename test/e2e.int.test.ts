import { randomBytes, randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { call, CARDS, createOperator, http, login, openSale, pay, signUpAndLogin, waitFor, type JsonResponse, type Session, type Urls } from '@stampede/devkit';
import { signWebhook } from '../services/payment/src/domain/webhook-signature';
import { apiContract } from './support/api-contract';
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
  /** The API document the gateway serves, and the check of answers against it. */
  let doc: any;
  let contract: ReturnType<typeof apiContract>;
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
    doc = (await http('GET', `${u.gateway}/openapi.json`)).body;
    contract = apiContract(doc);
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

  it('the documented request schemas reject exactly what the services reject, and every answer is a documented one', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
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
    const undocumented: string[] = [];
    for (const c of cases) {
      const validate = ajv.compile(schemaOf(c.docPath, c.method.toLowerCase()));
      for (const body of c.bodies) {
        const res = await http(c.method, `${u.gateway}${c.path}`, { token: c.token, headers: c.headers, body });
        const serviceRejects = res.status === 400 && res.body?.error?.code === 'INVALID_INPUT';
        const docRejects = !validate(body);
        if (serviceRejects !== docRejects) mismatches.push(`${c.method} ${c.path} ${JSON.stringify(body)}: service ${res.status}, document ${docRejects ? 'rejects' : 'accepts'}`);
        undocumented.push(...contract.check(c.method, c.docPath, res));
      }
    }
    expect(mismatches).toEqual([]);
    expect(undocumented).toEqual([]);
  });

  it('every service answers what the document says: successes and errors, headers included', async () => {
    const problems: string[] = [];
    /** Sends a request through the gateway and checks the answer against `METHOD template`; `status` is what the scenario expects. */
    const expectAnswer = async (
      status: number,
      template: string,
      method: string,
      path: string,
      opts: Parameters<typeof http>[2] = {},
    ): Promise<JsonResponse<any>> => {
      const a = await http(method, `${u.gateway}${path}`, opts);
      if (a.status !== status) problems.push(`${method} ${path}: expected ${status}, got ${a.status} ${JSON.stringify(a.body)}`);
      problems.push(...contract.check(method, template, a));
      return a;
    };
    // Made at auth itself: the gateway's per-address sign-up limit is for clients, and the other tests spend it.
    const shopper = await signUpAndLogin(u.auth, 'contract-shopper');
    const reuser = await signUpAndLogin(u.auth, 'contract-reuser');
    const leaver = await signUpAndLogin(u.auth, 'contract-leaver');
    const flooder = await signUpAndLogin(u.auth, 'contract-flooder');
    const token = (s: Session) => ({ token: s.accessToken });
    const op = token(operator);
    const me = token(shopper);

    // gateway
    await expectAnswer(200, '/csrf/token', 'POST', '/csrf/token');

    // auth
    await expectAnswer(200, '/.well-known/jwks.json', 'GET', '/.well-known/jwks.json');
    await expectAnswer(401, '/auth/login', 'POST', '/auth/login', { body: { email: shopper.email, password: 'not-the-password-1' } });
    await expectAnswer(200, '/users/{id}', 'GET', `/users/${shopper.userId}`, me);
    await expectAnswer(400, '/users/{id}', 'GET', '/users/not-a-uuid', me);
    await expectAnswer(403, '/users/{id}/roles', 'PUT', `/users/${shopper.userId}/roles`, { ...me, body: { roles: ['ADMIN'] } });
    await expectAnswer(200, '/auth/refresh', 'POST', '/auth/refresh', { body: { refreshToken: reuser.refreshToken } });
    await expectAnswer(401, '/auth/refresh', 'POST', '/auth/refresh', { body: { refreshToken: reuser.refreshToken } });
    await expectAnswer(204, '/auth/logout', 'POST', '/auth/logout', token(leaver));
    await expectAnswer(401, '/orders', 'GET', '/orders', token(leaver));
    await expectAnswer(403, '/auth/logout', 'POST', '/auth/logout', { headers: { cookie: `stampede_access=${shopper.accessToken}` }, body: {} });

    // event: a sale's life, as staff and as a shopper
    const created = await expectAnswer(201, '/sales', 'POST', '/sales', {
      ...op,
      body: {
        name: 'Contract check',
        product: { sku: `CT-${randomUUID().slice(0, 8)}`, name: 'Seat' },
        unitPrice: 3_000,
        stock: 4,
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const saleId = created.body.id as string;
    if (created.headers.get('location') !== `/sales/${saleId}`) problems.push(`POST /sales: Location ${created.headers.get('location')}`);
    await expectAnswer(403, '/sales', 'POST', '/sales', { ...me, body: {} });
    await expectAnswer(404, '/sales/{id}', 'GET', `/sales/${saleId}`, me);
    await expectAnswer(200, '/sales/{id}', 'PATCH', `/sales/${saleId}`, { ...op, body: { holdTtlSeconds: 120 } });
    await expectAnswer(409, '/sales/{id}/arm', 'POST', `/sales/${saleId}/arm`, op);
    await expectAnswer(409, '/sales/{id}/transition', 'POST', `/sales/${saleId}/transition`, { ...op, body: { to: 'OPEN' } });
    await expectAnswer(200, '/sales/{id}/transition', 'POST', `/sales/${saleId}/transition`, { ...op, body: { to: 'SCHEDULED' } });
    await expectAnswer(200, '/sales/{id}/transition', 'POST', `/sales/${saleId}/transition`, { ...op, body: { to: 'OPEN' } });
    await expectAnswer(200, '/sales/{id}/arm', 'POST', `/sales/${saleId}/arm`, op);
    await expectAnswer(200, '/sales/{id}', 'GET', `/sales/${saleId}`, op);
    await expectAnswer(200, '/sales/{id}', 'GET', `/sales/${saleId}`, me);
    await expectAnswer(200, '/sales', 'GET', '/sales?limit=5', op);
    await expectAnswer(200, '/sales', 'GET', '/sales?limit=5', me);
    await expectAnswer(400, '/sales', 'GET', '/sales?status=NOPE', me);
    await expectAnswer(405, '/sales', 'DELETE', '/sales', op);

    // entry: hold, release, hold again, and the limit
    await expectAnswer(200, '/sales/{id}/availability', 'GET', `/sales/${saleId}/availability`);
    await expectAnswer(400, '/sales/{id}/availability', 'GET', `/sales/${'x'.repeat(65)}/availability`);
    const first = await expectAnswer(201, '/sales/{id}/entries', 'POST', `/sales/${saleId}/entries`, { ...me, body: {} });
    await expectAnswer(204, '/entries/{token}', 'DELETE', `/entries/${first.body.reservationToken}`, me);
    await expectAnswer(404, '/entries/{token}', 'DELETE', `/entries/${first.body.reservationToken}`, me);
    const held = await expectAnswer(201, '/sales/{id}/entries', 'POST', `/sales/${saleId}/entries`, { ...me, body: { qty: 1 } });
    await expectAnswer(409, '/sales/{id}/entries', 'POST', `/sales/${saleId}/entries`, { ...me, body: {} });
    await expectAnswer(415, '/sales/{id}/entries', 'POST', `/sales/${saleId}/entries`, { ...me, raw: 'qty=1', headers: { 'content-type': 'text/plain' } });
    const reservationToken = held.body.reservationToken as string;

    // payment: prepare, the sandbox widget, confirm (and its replay), read, refund
    const prepared = await expectAnswer(200, '/payments/prepare', 'POST', '/payments/prepare', { ...me, body: { reservationToken } });
    await expectAnswer(403, '/payments/prepare', 'POST', '/payments/prepare', { ...token(flooder), body: { reservationToken } });
    const checkout = await expectAnswer(201, '/sandbox/pg/checkout', 'POST', '/sandbox/pg/checkout', {
      body: { orderId: prepared.body.orderId, amount: prepared.body.amount, cardNumber: CARDS.success },
    });
    const confirmBody = { reservationToken, paymentKey: checkout.body.paymentKey, amount: prepared.body.amount };
    await expectAnswer(400, '/payments/confirm', 'POST', '/payments/confirm', { ...me, body: confirmBody });
    const idempotencyKey = { 'idempotency-key': `contract-${randomUUID()}` };
    const paid = await expectAnswer(200, '/payments/confirm', 'POST', '/payments/confirm', { ...me, headers: idempotencyKey, body: confirmBody });
    const replay = await expectAnswer(200, '/payments/confirm', 'POST', '/payments/confirm', { ...me, headers: idempotencyKey, body: confirmBody });
    if (replay.headers.get('idempotent-replayed') !== 'true') problems.push('a replayed confirm does not say Idempotent-Replayed: true');
    if (JSON.stringify(replay.body) !== JSON.stringify(paid.body)) problems.push('a replayed confirm answers differently');
    const paymentId = paid.body.paymentId as string;
    await expectAnswer(200, '/payments/{id}', 'GET', `/payments/${paymentId}`, me);
    await expectAnswer(400, '/payments/{id}', 'GET', '/payments/not-a-uuid', me);
    await expectAnswer(404, '/payments/{id}', 'GET', `/payments/${paymentId}`, token(flooder));
    await expectAnswer(200, '/payments/{id}/refund', 'POST', `/payments/${paymentId}/refund`, { ...me, headers: { 'idempotency-key': `contract-${randomUUID()}` }, body: {} });
    await expectAnswer(409, '/payments/{id}/refund', 'POST', `/payments/${paymentId}/refund`, { ...me, headers: { 'idempotency-key': `contract-${randomUUID()}` }, body: {} });
    const subscription = await expectAnswer(201, '/subscriptions', 'POST', '/subscriptions', { ...me, body: { plan: 'basic', billingCycle: 'monthly' } });
    await expectAnswer(200, '/subscriptions/{id}', 'GET', `/subscriptions/${subscription.body.subscriptionId}`, me);
    await expectAnswer(404, '/subscriptions/{id}', 'GET', `/subscriptions/${subscription.body.subscriptionId}`, token(flooder));

    // The provider's webhook, signed as the provider signs it, reaches payment with its headers.
    const raw = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { orderId: paid.body.orderId, status: 'CANCELED' } });
    const now = Math.floor(Date.now() / 1000);
    const signature = signWebhook(platform.secrets.paymentWebhookSecret as string, now, raw);
    const webhook = { 'content-type': 'application/json', 'x-webhook-id': `contract-${randomUUID()}`, 'x-webhook-timestamp': String(now) };
    await expectAnswer(200, '/webhooks/pg', 'POST', '/webhooks/pg', { raw, headers: { ...webhook, 'x-webhook-signature': signature } });
    await expectAnswer(401, '/webhooks/pg', 'POST', '/webhooks/pg', { raw, headers: webhook });

    // event: orders, events and reward requests, audit
    await expectAnswer(200, '/orders', 'GET', '/orders', me);
    await expectAnswer(400, '/orders', 'GET', '/orders?bogus=1', me);
    await expectAnswer(200, '/sales/{id}/stats', 'GET', `/sales/${saleId}/stats`, op);
    const event = await expectAnswer(201, '/events', 'POST', '/events', {
      ...op,
      body: { title: 'Contract week', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), rewards: [{ type: 'BADGE', name: 'Checked' }] },
    });
    const eventId = event.body.id as string;
    await expectAnswer(200, '/events', 'GET', '/events?active=true', me);
    await expectAnswer(200, '/events', 'GET', '/events', op);
    await expectAnswer(200, '/events/{id}', 'GET', `/events/${eventId}`, me);
    await expectAnswer(404, '/events/{id}', 'GET', `/events/${randomUUID()}`, me);
    await expectAnswer(201, '/events/{id}/rewards', 'POST', `/events/${eventId}/rewards`, { ...op, body: { type: 'POINT', name: 'Points', quantity: 100 } });
    const request = await expectAnswer(201, '/events/{id}/request', 'POST', `/events/${eventId}/request`, me);
    await expectAnswer(409, '/events/{id}/request', 'POST', `/events/${eventId}/request`, me);
    await expectAnswer(200, '/events/requests', 'GET', `/events/requests?eventId=${eventId}`, me);
    await expectAnswer(200, '/events/requests/{id}/approve', 'POST', `/events/requests/${request.body.id}/approve`, { ...op, body: { note: 'ok' } });
    await expectAnswer(409, '/events/requests/{id}/reject', 'POST', `/events/requests/${request.body.id}/reject`, op);
    await expectAnswer(200, '/audit', 'GET', `/audit?entityId=${saleId}`, token(admin));
    await expectAnswer(403, '/audit', 'GET', '/audit', me);

    // The confirm limit (5 a minute per user) spent: 429 with Retry-After.
    for (let i = 0; i < 5; i++) await expectAnswer(400, '/payments/confirm', 'POST', '/payments/confirm', { ...token(flooder), body: {} });
    const limited = await expectAnswer(429, '/payments/confirm', 'POST', '/payments/confirm', { ...token(flooder), body: {} });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    expect(problems).toEqual([]);
  });
});
