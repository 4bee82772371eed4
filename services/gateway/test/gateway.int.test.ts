import { randomBytes } from 'node:crypto';
import { http, rawHttp, startApp, startTestIssuer, testStoreEnv, waitFor, type StartedApp, type TestIssuer } from '@stampede/devkit';
import { openIdentity } from '@stampede/contracts';
import { buildGateway } from '../src/app';
import { configShape } from '../src/config';
import { RATE_LIMITS } from '../src/domain/limits';
import { DEAD_URL, startEcho, type EchoUpstream } from './upstreams';

describe('gateway', () => {
  let issuer: TestIssuer;
  let upstreamA: EchoUpstream;
  let upstreamB: EchoUpstream;
  let gateways: StartedApp[];
  const csrfSecret = randomBytes(32).toString('hex');
  const namespace = `t-${randomBytes(4).toString('hex')}`;

  const envFor = (overrides: Record<string, string> = {}) => ({
    ...testStoreEnv(),
    ...issuer.env(),
    UPSTREAM_AUTH: upstreamA.url,
    UPSTREAM_EVENT: upstreamA.url,
    UPSTREAM_ENTRY: `${upstreamA.url},${upstreamB.url}`,
    UPSTREAM_PAYMENT: upstreamA.url,
    CSRF_SECRET: csrfSecret,
    CORS_ORIGINS: 'https://shop.example',
    COOKIE_SECURE: 'false',
    BODY_LIMIT: '8kb',
    // Counters of this test alone: other test files share the Redis Cluster and 127.0.0.1.
    RATE_LIMIT_NAMESPACE: namespace,
    ...overrides,
  });

  beforeAll(async () => {
    issuer = await startTestIssuer();
    upstreamA = await startEcho();
    upstreamB = await startEcho();
    gateways = [await startApp(configShape, buildGateway, envFor()), await startApp(configShape, buildGateway, envFor())];
    for (const g of gateways) await waitFor('gateway ready', async () => (await http('GET', `${g.url}/readyz`)).status === 200, 10_000, 50);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await upstreamA.close();
    await upstreamB.close();
    await issuer.stop();
  });
  const gw = () => (gateways[0] as StartedApp).url;

  it('when a client sends identity headers, then the service never sees them, only the gateway\'s signed identity for this request', async () => {
    const { token, userId } = await issuer.user(['USER']);
    const res = await http('GET', `${gw()}/sales/s1`, {
      token,
      headers: { 'x-user-id': 'admin', 'x-roles': 'ADMIN', 'x-forwarded-user': 'admin', cookie: 'a=b' },
    });
    expect(res.status).toBe(200);
    const seen = res.body.headers as Record<string, string>;
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen['x-roles']).toBeUndefined();
    expect(seen['x-forwarded-user']).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    // The token stays at the gateway: the service gets one HMAC to check instead.
    expect(seen.authorization).toBeUndefined();
    const vouched = openIdentity(issuer.identityKeys, seen['x-stampede-identity'] as string, { method: 'GET', path: '/sales/s1' }, Date.now());
    expect(vouched).toMatchObject({ ok: true, principal: { userId, roles: ['USER'] } });
    expect(res.headers.get('x-internal-secret')).toBeNull();
  });

  it('when no token is given on a protected route, then 401 AUTH_REQUIRED and nothing is forwarded', async () => {
    const before = upstreamA.requests.length;
    const res = await http('POST', `${gw()}/payments/confirm`, { body: { reservationToken: 'x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
    expect(upstreamA.requests.length).toBe(before);
  });

  it('when a USER calls an operator route, then 403 FORBIDDEN and nothing is forwarded', async () => {
    const { token } = await issuer.user(['USER']);
    const before = upstreamA.requests.length;
    const res = await http('POST', `${gw()}/sales`, { token, body: { name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(upstreamA.requests.length).toBe(before);
  });

  it('when public routes are called without a token, then they are forwarded', async () => {
    expect((await http('GET', `${gw()}/sales/abc/availability`)).status).toBe(200);
    expect((await http('GET', `${gw()}/.well-known/jwks.json`)).status).toBe(200);
  });

  it('when a body is forwarded, then the upstream receives the exact bytes', async () => {
    const raw = '{"b": 1,   "a": "é"}';
    const res = await http('POST', `${gw()}/webhooks/pg`, { raw });
    expect(res.status).toBe(200);
    expect(res.body.body).toBe(raw);
  });

  it('when the body is over the limit, then 413 before any service sees it', async () => {
    const before = upstreamA.requests.length;
    const res = await http('POST', `${gw()}/webhooks/pg`, { raw: JSON.stringify({ x: 'y'.repeat(10_000) }) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstreamA.requests.length).toBe(before);
  });

  it('every response carries the CSP and the other security headers, errors and probes included', async () => {
    for (const path of ['/sales/abc/availability', '/nowhere', '/healthz']) {
      const res = await fetch(`${gw()}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain('https://js.tosspayments.com');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('when a known path is asked with another method, then 405 with Allow and the security headers, and nothing is forwarded', async () => {
    const before = upstreamA.requests.length;
    const res = await http('GET', `${gw()}/auth/login`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.body.error).toEqual({ code: 'METHOD_NOT_ALLOWED', message: expect.any(String), requestId: expect.any(String) });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(upstreamA.requests.length).toBe(before);
  });

  it('when a body is not JSON, then 415 at the gateway and nothing is forwarded', async () => {
    const { token } = await issuer.user(['USER']);
    const before = upstreamA.requests.length;
    const res = await http('POST', `${gw()}/payments/prepare`, { token, raw: 'reservationToken=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(upstreamA.requests.length).toBe(before);
  });

  it('when the headers are over the limit, then 431 in the uniform body with a request id and the security headers', async () => {
    const res = await rawHttp(gw(), `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.body).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String), requestId: res.headers['x-request-id'] } });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('CORS headers go only to allowed origins', async () => {
    const ok = await fetch(`${gw()}/sales/abc/availability`, { headers: { origin: 'https://shop.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const evil = await fetch(`${gw()}/sales/abc/availability`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('CSRF for cookie-authenticated browsers', () => {
    it('when a cookie-authenticated POST has no CSRF token, then 403 and nothing is forwarded', async () => {
      const { token } = await issuer.user(['USER']);
      const before = upstreamA.requests.length;
      const res = await http('POST', `${gw()}/payments/prepare`, { body: { reservationToken: 'x' }, headers: { cookie: `stampede_access=${token}` } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('CSRF_INVALID');
      expect(upstreamA.requests.length).toBe(before);
    });

    it('when it echoes the token from POST /csrf/token, then it is forwarded as the gateway\'s identity for that user', async () => {
      const { token, userId } = await issuer.user(['USER']);
      const issued = await fetch(`${gw()}/csrf/token`, { method: 'POST' });
      const { token: csrf } = (await issued.json()) as { token: string };
      const setCookie = issued.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/__csrf_token=.*HttpOnly.*SameSite=Strict/i);
      const cookie = `stampede_access=${token}; ${setCookie.split(';')[0]}`;
      const res = await http('POST', `${gw()}/payments/prepare`, { body: { reservationToken: 'x' }, headers: { cookie, 'x-csrf-token': csrf } });
      expect(res.status).toBe(200);
      const vouched = openIdentity(issuer.identityKeys, res.body.headers['x-stampede-identity'], { method: 'POST', path: '/payments/prepare', body: Buffer.from(JSON.stringify({ reservationToken: 'x' })) }, Date.now());
      expect(vouched).toMatchObject({ ok: true, principal: { userId } });
    });

    it('when the CSRF header does not match the cookie, then 403', async () => {
      const { token } = await issuer.user(['USER']);
      const a = (await (await fetch(`${gw()}/csrf/token`, { method: 'POST' })).json()) as { token: string };
      const b = (await (await fetch(`${gw()}/csrf/token`, { method: 'POST' })).json()) as { token: string };
      const res = await http('POST', `${gw()}/payments/prepare`, {
        body: {},
        headers: { cookie: `stampede_access=${token}; __csrf_token=${a.token}`, 'x-csrf-token': b.token },
      });
      expect(res.status).toBe(403);
    });

    it('bearer-token clients need no CSRF token', async () => {
      const { token } = await issuer.user(['USER']);
      expect((await http('POST', `${gw()}/payments/prepare`, { token, body: {} })).status).toBe(200);
    });
  });

  it('with two gateway replicas, the 6th confirm within a minute gets 429 with Retry-After whichever replica serves it', async () => {
    const { token } = await issuer.user(['USER']);
    const limit = RATE_LIMITS.paymentConfirm.points;
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) {
      const g = gateways[i % 2] as StartedApp;
      statuses.push((await http('POST', `${g.url}/payments/confirm`, { token, body: {}, headers: { 'idempotency-key': `k${i}` } })).status);
    }
    expect(statuses).toEqual(Array(limit).fill(200));
    for (const g of gateways) {
      const res = await http('POST', `${g.url}/payments/confirm`, { token, body: {}, headers: { 'idempotency-key': 'k-over' } });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another user is not affected.
    const other = await issuer.user(['USER']);
    expect((await http('POST', `${gw()}/payments/confirm`, { token: other.token, body: {} })).status).toBe(200);
  });

  it('when clients forge X-Forwarded-For at an edge gateway, then per-IP limits still count them as one', async () => {
    const edge = await startApp(configShape, buildGateway, envFor({ TRUST_PROXY_HOPS: '0', RATE_LIMIT_NAMESPACE: `edge-${randomBytes(4).toString('hex')}` }));
    try {
      // Until Redis is ready each replica counts alone (the in-memory fallback): wait for it.
      await waitFor('edge ready', async () => (await http('GET', `${edge.url}/readyz`)).status === 200, 10_000, 50);
      const limit = RATE_LIMITS.signUp.points;
      const statuses: number[] = [];
      for (let i = 0; i <= limit; i++) {
        statuses.push((await http('POST', `${edge.url}/users`, { body: {}, headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status);
      }
      expect(statuses.slice(0, limit)).toEqual(Array(limit).fill(200));
      expect(statuses[limit]).toBe(429);
      // The service sees the address the gateway saw, not the forged one.
      const seen = upstreamA.requests.at(-1)?.headers['x-forwarded-for'];
      expect(seen).not.toMatch(/^10\.0\.0\./);
    } finally {
      await edge.stop();
    }
  });

  describe('upstream failures', () => {
    let flaky: StartedApp;
    let alive: EchoUpstream;
    beforeAll(async () => {
      alive = await startEcho();
      flaky = await startApp(configShape, buildGateway, envFor({ UPSTREAM_ENTRY: `${DEAD_URL},${alive.url}`, UPSTREAM_PAYMENT: DEAD_URL }));
    });
    afterAll(async () => {
      await flaky.stop();
      await alive.close();
    });

    it('when one replica is down, then a GET is retried once on another and succeeds', async () => {
      for (let i = 0; i < 4; i++) {
        expect((await http('GET', `${flaky.url}/sales/x/availability`)).status).toBe(200);
      }
    });

    it('when a POST finds a replica refusing connections, then it goes to a live one (nothing was sent)', async () => {
      const { token } = await issuer.user(['USER']);
      for (let i = 0; i < 4; i++) {
        expect((await http('POST', `${flaky.url}/sales/x/entries`, { token, body: {} })).status).toBe(200);
      }
    });

    it('when a non-idempotent request hits a dead replica, then it is not retried: 503 UPSTREAM_UNAVAILABLE', async () => {
      const { token } = await issuer.user(['USER']);
      const res = await http('POST', `${flaky.url}/payments/prepare`, { token, body: {} });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('when a request passes its rate limit, then the answer carries the limit and what is left, a service answer or a 503 alike', async () => {
      const { token } = await issuer.user(['USER']);
      const ok = await http('GET', `${flaky.url}/sales/x/availability`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-limit')).toBe(String(RATE_LIMITS.publicDefault.points));
      expect(Number(ok.headers.get('ratelimit-remaining'))).toBeLessThan(RATE_LIMITS.publicDefault.points);
      const failed = await http('POST', `${flaky.url}/payments/prepare`, { token, body: {} });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('ratelimit-limit')).toBe(String(RATE_LIMITS.paymentPrepare.points));
      expect(failed.headers.get('ratelimit-remaining')).toBe(String(RATE_LIMITS.paymentPrepare.points - 1));
    });
  });
});

describe('gateway API docs', () => {
  let app: StartedApp;
  beforeAll(async () => {
    app = await startApp(configShape, buildGateway, {
      ...testStoreEnv(),
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      UPSTREAM_AUTH: 'http://127.0.0.1:9',
      UPSTREAM_EVENT: 'http://127.0.0.1:9',
      UPSTREAM_ENTRY: 'http://127.0.0.1:9',
      UPSTREAM_PAYMENT: 'http://127.0.0.1:9',
      CSRF_SECRET: 'y'.repeat(32),
      INTERNAL_IDENTITY_KEYS: `docs:${'k'.repeat(43)}`,
    });
  });
  afterAll(() => app.stop());

  it('serves the OpenAPI 3.1 document at /openapi.json and Swagger UI at /docs', async () => {
    const doc = await http('GET', `${app.url}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const ui = await fetch(`${app.url}/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});
