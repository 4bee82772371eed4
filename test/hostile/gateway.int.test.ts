import { randomBytes, randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { call, CARDS, createOperator, http, login, openSale, pay, signUpAndLogin, testInfra, waitFor, type JsonResponse, type Session, type Urls } from '@stampede/devkit';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { hmacWithPublicKey, resign, signingKey, unsigned, webhookSignature } from './support/forge';
import { StateProbe } from './support/state';
import { ROUTES, type Route } from '../../services/gateway/src/domain/routes';

/**
 * Issue 10: hostile input through the gateway, on every real service process. Every case must
 * get a clear 4xx with the right code, never a 5xx, and leave Redis and PostgreSQL exactly as they
 * were (the suite's sales, holds, tokens, and every row its users own, compared before and after).
 */
interface Case {
  name: string;
  method: string;
  path: string;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  raw?: string;
  /** Expected status and error code. */
  expect: [number, string];
}

interface Tally {
  cases: number;
  requests: number;
  fiveXx: string[];
}

const HUGE = 'x'.repeat(200 * 1024);
const INJECTIONS = ["' OR '1'='1", '1; DROP TABLE sales; --', '{"$gt": ""}', '<script>alert(1)</script>', '${jndi:ldap://x/a}', '../../../../etc/passwd'];

describe('hostile input through the gateway', () => {
  const tag = `hostile${randomBytes(3).toString('hex')}`;
  const adminEmail = `admin-${tag}@stampede.test`;
  const adminPassword = `Admin-${randomBytes(12).toString('base64url')}7`;
  const key = signingKey();
  const tally: Tally = { cases: 0, requests: 0, fiveXx: [] };
  let platform: TestPlatform;
  let u: Urls;
  let gw: string;
  let redis: Cluster;
  let probe: StateProbe;
  let operator: Session;
  let saleId: string;
  let holder: Session; // holds a seat, payment prepared
  let buyer: Session; // bought a seat: token spent, payment confirmed
  let others: Session[]; // probe users, rotated so per-user rate limits are not what answers
  let heldToken: string;
  let spentToken: string;
  let prepared: { orderId: string; amount: number; paymentId: string };
  let confirmed: { paymentId: string; orderId: string; amount: number };
  let turn = 0;
  const other = () => others[turn++ % others.length] as Session;

  beforeAll(async () => {
    platform = await startTestPlatform({
      replicas: { entry: 1, payment: 1 },
      shift: 100,
      env: {
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD: adminPassword,
        AUTH_SIGNING_KEYS: key.env,
        // Floods here must not spend the limits of other test files' gateways.
        RATE_LIMIT_NAMESPACE: tag,
      },
    });
    u = { gateway: platform.gateway, auth: platform.urlsOf('auth')[0] as string };
    gw = u.gateway;
    redis = createRedisCluster({ nodes: testInfra().redisPorts.map((port) => ({ host: '127.0.0.1', port })) });
    const admin = await login(gw, adminEmail, adminPassword);
    operator = await createOperator(u, admin);
    saleId = await openSale(u, operator, { stock: 5, unitPrice: 10_000, holdTtlSeconds: 600 });
    const users: Session[] = await Promise.all(Array.from({ length: 12 }, () => signUpAndLogin(u.auth, tag)));
    [holder, buyer] = users as [Session, Session];
    others = users.slice(2);

    const held = await call('POST', `${gw}/sales/${saleId}/entries`, { token: holder.accessToken, body: {} });
    heldToken = held.body.reservationToken;
    const prep = await call('POST', `${gw}/payments/prepare`, { token: holder.accessToken, body: { reservationToken: heldToken } });
    prepared = prep.body;
    const bought = await call('POST', `${gw}/sales/${saleId}/entries`, { token: buyer.accessToken, body: {} });
    spentToken = bought.body.reservationToken;
    const paid = await pay(u, buyer, spentToken, CARDS.success);
    expect(paid.status).toBe(200);
    confirmed = paid.body;
    // The order arrives through Kafka: wait for it, so the snapshots compare a settled state.
    await waitFor('the setup order recorded', async () => (await call('GET', `${gw}/orders?saleId=${saleId}`, { token: buyer.accessToken })).body?.items?.length === 1, 30_000, 200);

    probe = new StateProbe(redis, {
      saleIds: [saleId],
      userIds: [holder, buyer, operator, ...others].map((s) => s.userId),
      tokens: [heldToken, spentToken],
      emailPrefix: `${tag}-`,
    });
  }, 180_000);

  afterAll(async () => {
    process.stdout.write(`\n[hostile] cases tried: ${tally.cases}, requests sent: ${tally.requests}, 5xx seen: ${tally.fiveXx.length}${tally.fiveXx.length ? ' ' + JSON.stringify(tally.fiveXx) : ''}\n`);
    await probe?.close();
    redis?.disconnect();
    await platform?.stop();
  });

  const send = async (c: Omit<Case, 'name' | 'expect'>): Promise<JsonResponse<any>> => {
    tally.requests++;
    const res = await http(c.method, `${gw}${c.path}`, { token: c.token, headers: c.headers, body: c.body, raw: c.raw });
    if (res.status >= 500) tally.fiveXx.push(`${c.method} ${c.path} → ${res.status}`);
    return res;
  };

  /** Runs cases one by one: right status and code, a well-formed error body, state unchanged. */
  async function runCases(cases: Case[]): Promise<void> {
    const wrong: string[] = [];
    for (const c of cases) {
      tally.cases++;
      const before = await probe.snapshot();
      const res = await send(c);
      const after = await probe.snapshot();
      const got = [res.status, res.body?.error?.code ?? null];
      if (got[0] !== c.expect[0] || got[1] !== c.expect[1]) wrong.push(`${c.name}: expected ${c.expect.join(' ')}, got ${got.join(' ')} ${String(JSON.stringify(res.body)).slice(0, 160)}`);
      else if (typeof res.body?.error?.message !== 'string' || !res.body.error.requestId) wrong.push(`${c.name}: error body without message or requestId`);
      if (after !== before) wrong.push(`${c.name}: state changed\n  before ${before}\n  after  ${after}`);
    }
    expect(wrong).toEqual([]);
  }

  const entry = (name: string, body: unknown, exp: Case['expect'] = [400, 'INVALID_INPUT']): Case => ({
    name: `entry ${name}`, method: 'POST', path: `/sales/${saleId}/entries`, token: other().accessToken, body, expect: exp,
  });
  const confirm = (name: string, body: Record<string, unknown>, exp: Case['expect'] = [400, 'INVALID_INPUT'], who?: Session): Case => ({
    name: `confirm ${name}`, method: 'POST', path: '/payments/confirm', token: (who ?? other()).accessToken,
    headers: { 'idempotency-key': `hostile-${randomUUID()}` }, body, expect: exp,
  });
  const rawEntry = (name: string, raw: string, exp: Case['expect'], headers: Record<string, string> = {}): Case => ({
    name: `entry ${name}`, method: 'POST', path: `/sales/${saleId}/entries`, token: other().accessToken, raw, headers, expect: exp,
  });

  it('when bodies are malformed, oversized, of the wrong type or carry unknown fields, then 400/413/415 and nothing changes', async () => {
    const rt = () => heldToken;
    await runCases([
      rawEntry('truncated JSON', '{"qty":', [400, 'INVALID_INPUT']),
      rawEntry('not JSON at all', 'qty=1', [400, 'INVALID_INPUT']),
      rawEntry('a JSON array', '[1,2,3]', [400, 'INVALID_INPUT']),
      rawEntry('JSON null', 'null', [400, 'INVALID_INPUT']),
      rawEntry('a JSON string', '"qty"', [400, 'INVALID_INPUT']),
      rawEntry('10 000 nested arrays', '['.repeat(10_000) + ']'.repeat(10_000), [400, 'INVALID_INPUT']),
      rawEntry('a 200 KB body', JSON.stringify({ qty: 1, pad: HUGE }), [413, 'PAYLOAD_TOO_LARGE']),
      {
        // A body that is not declared JSON is refused before any route reads it.
        name: 'confirm with JSON sent as text/plain', method: 'POST', path: '/payments/confirm', token: other().accessToken,
        headers: { 'content-type': 'text/plain', 'idempotency-key': `hostile-${randomUUID()}` },
        raw: JSON.stringify({ reservationToken: heldToken, paymentKey: 'sbx_x', amount: 10_000 }), expect: [415, 'UNSUPPORTED_MEDIA_TYPE'],
      },
      rawEntry('a duplicate key smuggling a second qty', '{"qty":1,"qty":-5}', [400, 'INVALID_INPUT']),
      entry('qty as a string', { qty: '1' }),
      entry('qty as a boolean', { qty: true }),
      entry('qty as null', { qty: null }),
      entry('qty as an array', { qty: [1] }),
      entry('qty as an object', { qty: { $gt: 0 } }),
      entry('an unknown field (price)', { qty: 1, price: 1 }),
      entry('an unknown field (userId)', { userId: buyer.userId }),
      entry('a prototype-pollution key', JSON.parse('{"__proto__":{"admin":true},"qty":1}')),
      { name: 'sign-up with a numeric email', method: 'POST', path: '/users', body: { email: 1, password: 2 }, expect: [400, 'INVALID_INPUT'] },
      { name: 'login with an operator object as email', method: 'POST', path: '/auth/login', body: { email: { $gt: '' }, password: { $gt: '' } }, expect: [400, 'INVALID_INPUT'] },
      confirm('with the token as a number', { reservationToken: 123, paymentKey: 'k', amount: 10_000 }),
      confirm('with paymentKey as an object', { reservationToken: rt(), paymentKey: {}, amount: 10_000 }),
      confirm('with amount as a string', { reservationToken: rt(), paymentKey: 'sbx_x', amount: '10000' }),
      confirm('with an unknown field (userId)', { reservationToken: rt(), paymentKey: 'sbx_x', amount: 10_000, userId: buyer.userId }),
      {
        name: 'confirm without an Idempotency-Key', method: 'POST', path: '/payments/confirm', token: other().accessToken,
        body: { reservationToken: rt(), paymentKey: 'sbx_x', amount: 10_000 }, expect: [400, 'INVALID_INPUT'],
      },
      {
        name: 'sale creation with a 200 KB name', method: 'POST', path: '/sales', token: operator.accessToken,
        body: { name: HUGE.slice(0, 60_000), product: { sku: 'X', name: 'Y' }, unitPrice: 1, stock: 1, opensAt: new Date().toISOString(), closesAt: new Date(Date.now() + 3_600_000).toISOString(), holdTtlSeconds: 60 },
        expect: [400, 'INVALID_INPUT'],
      },
    ]);
  });

  it('when any public route that takes a body gets text/plain or a form instead of JSON, then 415 and nothing changes', async () => {
    const params: Record<string, () => string> = {
      '/sales/:id': () => saleId,
      '/payments/:id': () => confirmed.paymentId,
      '/users/:id': () => operator.userId,
      '/auth/social/:provider': () => 'google',
    };
    const fill = (path: string) =>
      path.replace(/\/:(\w+)/g, (m, name: string, at: number) => {
        const prefix = path.slice(0, at) + m;
        const known = Object.entries(params).find(([p]) => prefix.endsWith(p));
        return `/${known ? known[1]() : name === 'provider' ? 'google' : randomUUID()}`;
      });
    const tokenFor = (access: Route['access']) =>
      access === 'public' ? undefined : access.includes('USER') ? other().accessToken : access.includes('OPERATOR') ? operator.accessToken : undefined;
    const bodyRoutes = ROUTES.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.sandbox);
    expect(bodyRoutes.length).toBeGreaterThan(20);
    const cases: Case[] = bodyRoutes.flatMap((r, i) =>
      [
        ['text/plain', JSON.stringify({ qty: 1, name: 'x' })],
        ['application/x-www-form-urlencoded', 'qty=1&name=x'],
      ].map(([type, raw]) => ({
        name: `${r.method} ${r.path} as ${type}`,
        method: r.method,
        path: fill(r.path),
        token: tokenFor(r.access),
        headers: { 'content-type': type as string, 'idempotency-key': `hostile-415-${i}-${randomUUID()}` },
        raw,
        expect: [415, 'UNSUPPORTED_MEDIA_TYPE'] as Case['expect'],
      })),
    );
    await runCases(cases);
  });

  it('when numbers are huge, negative or fractional, then 400 and nothing changes', async () => {
    const sale = (change: Record<string, unknown>) => ({
      name: 'Hostile sale', product: { sku: `H-${randomBytes(3).toString('hex')}`, name: 'Seat' }, unitPrice: 10_000, stock: 10, perUserLimit: 1,
      opensAt: new Date(Date.now() - 60_000).toISOString(), closesAt: new Date(Date.now() + 3_600_000).toISOString(), holdTtlSeconds: 60, ...change,
    });
    const create = (name: string, change: Record<string, unknown>): Case => ({
      name: `create sale with ${name}`, method: 'POST', path: '/sales', token: operator.accessToken, body: sale(change), expect: [400, 'INVALID_INPUT'],
    });
    await runCases([
      entry('qty 0', { qty: 0 }),
      entry('qty -1', { qty: -1 }),
      entry('qty 1.5', { qty: 1.5 }),
      entry('qty 1e308', { qty: 1e308 }),
      rawEntry('qty 2^53 + 1', '{"qty":9007199254740993}', [400, 'INVALID_INPUT']),
      rawEntry('qty 1e999 (Infinity once parsed)', '{"qty":1e999}', [400, 'INVALID_INPUT']),
      rawEntry('qty -0.0000001', '{"qty":-0.0000001}', [400, 'INVALID_INPUT']),
      confirm('with amount -10000', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: -10_000 }),
      confirm('with amount 0.5', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: 0.5 }),
      confirm('with amount 1e21', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: 1e21 }),
      create('a negative stock', { stock: -5 }),
      create('a fractional stock', { stock: 2.5 }),
      create('a stock of 1e12', { stock: 1e12 }),
      create('a negative price', { unitPrice: -1 }),
      create('a fractional price', { unitPrice: 99.99 }),
      create('a price above 2^31', { unitPrice: 2 ** 31 }),
      create('a per-user limit of 0', { perUserLimit: 0 }),
      create('a hold window of -60 s', { holdTtlSeconds: -60 }),
      create('a closing time before opening', { closesAt: new Date(Date.now() - 3_600_000).toISOString() }),
    ]);
  });

  it('when strings carry Unicode edge cases, injection or path traversal, then a clear 4xx and nothing changes', async () => {
    const ids = ['..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fadmin', "1'%20OR%20'1'%3D'1", '%00', 'a'.repeat(300), '%E2%80%AE', '%F0%9F%92%A5'];
    const cases: Case[] = [];
    for (const id of ids) {
      cases.push(
        { name: `entry on sale id ${id.slice(0, 24)}`, method: 'POST', path: `/sales/${id}/entries`, token: other().accessToken, body: {}, expect: [400, 'INVALID_INPUT'] },
        { name: `read payment ${id.slice(0, 24)}`, method: 'GET', path: `/payments/${id}`, token: other().accessToken, expect: [400, 'INVALID_INPUT'] },
        { name: `arm sale ${id.slice(0, 24)}`, method: 'POST', path: `/sales/${id}/arm`, token: operator.accessToken, expect: [404, 'NOT_FOUND'] },
        { name: `cancel entry ${id.slice(0, 24)}`, method: 'DELETE', path: `/entries/${id}`, token: other().accessToken, expect: [404, 'NOT_FOUND'] },
      );
    }
    for (const s of INJECTIONS) {
      cases.push(
        { name: `login as ${s}`, method: 'POST', path: '/auth/login', body: { email: s, password: s }, expect: [400, 'INVALID_INPUT'] },
        confirm(`with the token ${s}`, { reservationToken: s, paymentKey: 'sbx_x', amount: 10_000 }),
        confirm(`with the payment key ${s}`, { reservationToken: heldToken, paymentKey: s, amount: 10_000 }),
      );
    }
    cases.push(
      { name: 'sign-up with a NUL in the email', method: 'POST', path: '/users', body: { email: `${tag}-nul\u0000@stampede.test`, password: 'Valid-Passw0rd-123' }, expect: [400, 'INVALID_INPUT'] },
      { name: 'sign-up with a right-to-left override in the email', method: 'POST', path: '/users', body: { email: `${tag}-\u202egnp.exe@stampede.test`, password: 'Valid-Passw0rd-123' }, expect: [400, 'INVALID_INPUT'] },
      {
        name: 'sign-up with a lone surrogate', method: 'POST', path: '/users', headers: { 'content-type': 'application/json' },
        raw: `{"email":"${tag}-\\ud800@stampede.test","password":"Valid-Passw0rd-123"}`, expect: [400, 'INVALID_INPUT'],
      },
      { name: 'sign-up with an email of 5 000 characters', method: 'POST', path: '/users', body: { email: `${tag}-${'a'.repeat(5_000)}@stampede.test`, password: 'Valid-Passw0rd-123' }, expect: [400, 'INVALID_INPUT'] },
      { name: 'login with a 100 KB password', method: 'POST', path: '/auth/login', body: { email: `${tag}-x@stampede.test`, password: HUGE.slice(0, 50_000) }, expect: [400, 'INVALID_INPUT'] },
      {
        name: 'sale creation with a NUL in the name', method: 'POST', path: '/sales', token: operator.accessToken, expect: [400, 'INVALID_INPUT'],
        body: { name: 'Bad\u0000name', product: { sku: 'N', name: 'N' }, unitPrice: 1, stock: 1, opensAt: new Date().toISOString(), closesAt: new Date(Date.now() + 3_600_000).toISOString(), holdTtlSeconds: 60 },
      },
      { name: 'read a user by an injected id', method: 'GET', path: `/users/${encodeURIComponent("1' OR '1'='1")}`, token: other().accessToken, expect: [400, 'INVALID_INPUT'] },
      { name: 'an unknown route under a traversal', method: 'GET', path: '/sales/../../internal/sales/x/snapshot', token: other().accessToken, expect: [404, 'NOT_FOUND'] },
      { name: 'the internal snapshot route', method: 'GET', path: `/internal/sales/${saleId}/snapshot`, token: operator.accessToken, expect: [404, 'NOT_FOUND'] },
    );
    await runCases(cases);
  });

  it('when a sign-up carries roles or a filter carries injection, then the sign-up is refused and the filter finds nothing', async () => {
    tally.cases++;
    const email = `${tag}-roles@stampede.test`;
    const signUp = await send({ method: 'POST', path: '/users', body: { email, password: 'Valid-Passw0rd-123', roles: ['ADMIN'], id: operator.userId } });
    expect(signUp.status).toBe(400);
    expect(signUp.body.error.code).toBe('INVALID_INPUT');
    expect(signUp.body.error.message).toMatch(/roles|id|unrecognized/i);
    const loginAfter = await send({ method: 'POST', path: '/auth/login', body: { email, password: 'Valid-Passw0rd-123' } });
    expect(loginAfter.status).toBe(401);
    const before = await probe.snapshot();
    for (const s of INJECTIONS) {
      tally.cases++;
      const res = await send({ method: 'GET', path: `/orders?saleId=${encodeURIComponent(s)}`, token: other().accessToken });
      expect({ s, status: res.status, items: res.body.items }).toEqual({ s, status: 200, items: [] });
    }
    expect(await probe.snapshot()).toBe(before);
  });

  it('when access tokens are forged, expired, not yet valid or meant for someone else, then 401 and nothing changes', async () => {
    const real = others[0] as Session;
    const now = Math.floor(Date.now() / 1000);
    const wrongKey = signingKey().jwk;
    const asUser = async (name: string, token: string | Promise<string>): Promise<Case> => ({
      name, method: 'POST', path: `/sales/${saleId}/entries`, token: await token, body: {}, expect: [401, 'AUTH_REQUIRED'],
    });
    const cases = await Promise.all([
      asUser('alg none', unsigned(real.accessToken, key.jwk.kid)),
      asUser('HS256 signed with the public key', hmacWithPublicKey(key.jwk, real.accessToken)),
      asUser('signed by another key under the real kid', resign({ ...wrongKey, kid: key.jwk.kid }, real.accessToken, {})),
      asUser('signed by another key under an unknown kid', resign(wrongKey, real.accessToken, {})),
      asUser('expired an hour ago', resign(key.jwk, real.accessToken, { iat: now - 7_200, exp: now - 3_600 })),
      asUser('not valid before an hour from now', resign(key.jwk, real.accessToken, { nbf: now + 3_600 })),
      asUser('issued for another audience', resign(key.jwk, real.accessToken, { aud: 'someone-else' })),
      asUser('issued by another issuer', resign(key.jwk, real.accessToken, { iss: 'https://evil.example' })),
      asUser('without an expiry', resign(key.jwk, real.accessToken, { exp: undefined })),
      asUser('for a session that does not exist', resign(key.jwk, real.accessToken, { sid: randomUUID() })),
      asUser('with a tampered payload (sub of another user)',
        real.accessToken.split('.').map((p, i) => (i === 1 ? Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: buyer.userId })).toString('base64url') : p)).join('.'),
      ),
      asUser('a truncated token', real.accessToken.slice(0, -10)),
      asUser('an 8 KB token', 'e'.repeat(8_192)),
    ]);
    const forgedAdmin = await resign(wrongKey, real.accessToken, { roles: ['ADMIN'] });
    cases.push(
      { name: 'a 16 KB token (over the HTTP header limit)', method: 'POST', path: `/sales/${saleId}/entries`, token: 'e'.repeat(16_384), body: {}, expect: [431, 'HEADERS_TOO_LARGE'] },
      { name: 'role change with an ADMIN token signed by another key', method: 'PUT', path: `/users/${real.userId}/roles`, token: forgedAdmin, body: { roles: ['ADMIN'] }, expect: [401, 'AUTH_REQUIRED'] },
      { name: 'a Basic credential', method: 'POST', path: `/sales/${saleId}/entries`, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, body: {}, expect: [401, 'AUTH_REQUIRED'] },
      { name: 'no credential', method: 'POST', path: '/payments/confirm', headers: { 'idempotency-key': 'hostile-none-123' }, body: { reservationToken: heldToken, paymentKey: 'k', amount: 10_000 }, expect: [401, 'AUTH_REQUIRED'] },
      { name: 'a USER token on an operator route', method: 'POST', path: `/sales/${saleId}/arm`, token: real.accessToken, expect: [403, 'FORBIDDEN'] },
      { name: 'a USER making themself ADMIN', method: 'PUT', path: `/users/${real.userId}/roles`, token: real.accessToken, body: { roles: ['ADMIN'] }, expect: [403, 'FORBIDDEN'] },
    );
    await runCases(cases);
  });

  it('when a reservation token is someone else’s, replayed or paid with a tampered amount, then 403/400/409 and nothing is charged', async () => {
    const thief = others[1] as Session;
    await runCases([
      { name: 'prepare with another user’s token', method: 'POST', path: '/payments/prepare', token: thief.accessToken, body: { reservationToken: heldToken }, expect: [403, 'FORBIDDEN'] },
      confirm('with another user’s token', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: 10_000 }, [403, 'FORBIDDEN'], thief),
      { name: 'cancel another user’s hold', method: 'DELETE', path: `/entries/${heldToken}`, token: thief.accessToken, expect: [403, 'FORBIDDEN'] },
      // Another user's payment is "not found": its existence is not revealed.
      { name: 'read another user’s payment', method: 'GET', path: `/payments/${confirmed.paymentId}`, token: thief.accessToken, expect: [404, 'NOT_FOUND'] },
      { name: 'refund another user’s payment', method: 'POST', path: `/payments/${confirmed.paymentId}/refund`, token: thief.accessToken, headers: { 'idempotency-key': `hostile-${randomUUID()}` }, body: {}, expect: [403, 'FORBIDDEN'] },
      confirm('with the amount one won short', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: prepared.amount - 1 }, [400, 'AMOUNT_MISMATCH'], holder),
      confirm('with the amount one won over', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: prepared.amount + 1 }, [400, 'AMOUNT_MISMATCH'], holder),
      confirm('with the amount 1', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: 1 }, [400, 'AMOUNT_MISMATCH'], holder),
      confirm('with the amount 0', { reservationToken: heldToken, paymentKey: 'sbx_x', amount: 0 }, [400, 'AMOUNT_MISMATCH'], holder),
      { name: 'cancel a hold that is already paid', method: 'DELETE', path: `/entries/${spentToken}`, token: buyer.accessToken, expect: [409, 'CONFLICT'] },
      confirm('of the paid token with a tampered amount', { reservationToken: spentToken, paymentKey: 'sbx_x', amount: 1 }, [400, 'AMOUNT_MISMATCH'], buyer),
      { name: 'a second entry by the buyer (per-user limit)', method: 'POST', path: `/sales/${saleId}/entries`, token: buyer.accessToken, body: {}, expect: [409, 'ALREADY_ENTERED'] },
      { name: 'a token with one character changed', method: 'POST', path: '/payments/prepare', token: holder.accessToken, body: { reservationToken: heldToken.slice(0, -1) + (heldToken.endsWith('A') ? 'B' : 'A') }, expect: [410, 'HOLD_EXPIRED'] },
    ]);
  });

  it('when the paid token is replayed with a new Idempotency-Key, then the first payment is answered and nothing is charged again', async () => {
    tally.cases++;
    const before = await probe.snapshot();
    const replay = await send({
      method: 'POST', path: '/payments/confirm', token: buyer.accessToken,
      headers: { 'idempotency-key': `hostile-${randomUUID()}` },
      body: { reservationToken: spentToken, paymentKey: 'sbx_forged_key', amount: confirmed.amount },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ paymentId: confirmed.paymentId, orderId: confirmed.orderId, status: 'CONFIRMED' });
    const after = await probe.snapshot();
    // No charge, payment, hold, seat or order changes.
    expect(after).toBe(before);
  });

  it('when webhooks come with bad, missing or stale signatures, then 401 INVALID_SIGNATURE and nothing changes', async () => {
    const secret = platform.secrets.paymentWebhookSecret as string;
    const raw = JSON.stringify({ eventType: 'PAYMENT_STATUS_CHANGED', createdAt: new Date().toISOString(), data: { orderId: confirmed.orderId, status: 'CANCELED' } });
    const now = Math.floor(Date.now() / 1000);
    const hook = (name: string, headers: Record<string, string>, body = raw): Case => ({
      name: `webhook ${name}`, method: 'POST', path: '/webhooks/pg', headers: { 'content-type': 'application/json', 'x-webhook-id': `hostile-${randomUUID()}`, ...headers }, raw: body, expect: [401, 'INVALID_SIGNATURE'],
    });
    await runCases([
      hook('without a signature', { 'x-webhook-timestamp': String(now) }),
      hook('without a timestamp', { 'x-webhook-signature': webhookSignature(secret, now, raw) }),
      hook('signed with another secret', { 'x-webhook-timestamp': String(now), 'x-webhook-signature': webhookSignature('not-the-secret-0123456789', now, raw) }),
      hook('signed over another body', { 'x-webhook-timestamp': String(now), 'x-webhook-signature': webhookSignature(secret, now, raw.replace('CANCELED', 'DONE')) }),
      hook('ten minutes stale', { 'x-webhook-timestamp': String(now - 600), 'x-webhook-signature': webhookSignature(secret, now - 600, raw) }),
      hook('ten minutes in the future', { 'x-webhook-timestamp': String(now + 600), 'x-webhook-signature': webhookSignature(secret, now + 600, raw) }),
      hook('with a signature that is not hex', { 'x-webhook-timestamp': String(now), 'x-webhook-signature': 'v1=zz' }),
      hook('with a timestamp that is not a number', { 'x-webhook-timestamp': 'yesterday', 'x-webhook-signature': webhookSignature(secret, now, raw) }),
      hook('with a valid signature for a stale timestamp swapped to now', { 'x-webhook-timestamp': String(now), 'x-webhook-signature': webhookSignature(secret, now - 600, raw) }),
    ]);
  });

  it('when a cookie-authenticated request lacks or fakes the CSRF token, then 403 CSRF_INVALID and nothing changes', async () => {
    const victim = others[2] as Session;
    const cookie = `stampede_access=${victim.accessToken}`;
    await runCases([
      { name: 'entry with the access cookie and no CSRF token', method: 'POST', path: `/sales/${saleId}/entries`, headers: { cookie }, body: {}, expect: [403, 'CSRF_INVALID'] },
      { name: 'entry with a CSRF header but no CSRF cookie', method: 'POST', path: `/sales/${saleId}/entries`, headers: { cookie, 'x-csrf-token': 'abc.def' }, body: {}, expect: [403, 'CSRF_INVALID'] },
      {
        name: 'entry with a forged CSRF token in header and cookie', method: 'POST', path: `/sales/${saleId}/entries`,
        headers: { cookie: `${cookie}; __csrf_token=eyJub25jZSI6IngiLCJleHAiOjk5OTk5OTk5OTk5OTl9.forged`, 'x-csrf-token': 'eyJub25jZSI6IngiLCJleHAiOjk5OTk5OTk5OTk5OTl9.forged' }, body: {},
        expect: [403, 'CSRF_INVALID'],
      },
      { name: 'logout with the access cookie and no CSRF token', method: 'POST', path: '/auth/logout', headers: { cookie }, body: {}, expect: [403, 'CSRF_INVALID'] },
      { name: 'refund with the access cookie and no CSRF token', method: 'POST', path: `/payments/${confirmed.paymentId}/refund`, headers: { cookie: `stampede_access=${buyer.accessToken}`, 'idempotency-key': `hostile-${randomUUID()}` }, body: {}, expect: [403, 'CSRF_INVALID'] },
    ]);
  });

  it('when one user floods entries and confirms, then 429 with Retry-After arrives, never a 5xx, and nothing changes', async () => {
    const flooder = others[3] as Session;
    const before = await probe.snapshot();
    const fire = (n: number, req: Omit<Case, 'name' | 'expect'>) => Promise.all(Array.from({ length: n }, () => send(req)));
    tally.cases += 3;
    const entries = await fire(25, { method: 'POST', path: `/sales/${saleId}/entries`, token: flooder.accessToken, body: { qty: 0 } });
    const confirms = await fire(12, {
      method: 'POST', path: '/payments/confirm', token: flooder.accessToken, headers: { 'idempotency-key': `hostile-${randomUUID()}` },
      body: { reservationToken: `rt_${saleId}_${'A'.repeat(43)}`, paymentKey: 'sbx_x', amount: 10_000 },
    });
    const signUps = await fire(15, { method: 'POST', path: '/users', body: { email: 'not-an-email', password: 'x' } });
    const after = await probe.snapshot();
    for (const [what, answers, ok] of [['entries', entries, 400], ['confirms', confirms, 410], ['sign-ups', signUps, 400]] as const) {
      const statuses = answers.map((a) => a.status);
      expect({ what, other: statuses.filter((s) => s !== ok && s !== 429) }).toEqual({ what, other: [] });
      const limited = answers.filter((a) => a.status === 429);
      expect({ what, limited: limited.length > 0 }).toEqual({ what, limited: true });
      for (const a of limited) {
        expect(a.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
        expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(after).toBe(before);
  });
});
