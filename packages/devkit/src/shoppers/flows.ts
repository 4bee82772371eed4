/**
 * The steps of a flash sale as a client performs them, shared by `npm run demo`, the tests and
 * the benchmark. Everything goes through the gateway except bulk shopper preparation, which
 * goes straight to auth the way a load tool would (the gateway's per-IP sign-up and login limits
 * exist precisely to stop one address from creating hundreds of accounts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { call, expectStatus, pool, type Answer } from './client';

export interface Urls {
  gateway: string;
  /** Auth's own URL, for bulk shopper preparation only. */
  auth: string;
}

export interface Session {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export const CARDS = { success: '4330000000000000', declined: '4000000000000000', insufficient: '4111111111111111' };

export async function login(base: string, email: string, password: string): Promise<Session> {
  const res = await call('POST', `${base}/auth/login`, { body: { email, password } });
  expectStatus(`login ${email}`, res, 200);
  const claims = JSON.parse(Buffer.from((res.body.accessToken as string).split('.')[1] as string, 'base64url').toString()) as { sub: string };
  return { userId: claims.sub, email, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

export async function signUpAndLogin(base: string, tag: string): Promise<Session & { password: string }> {
  const email = `${tag}-${randomUUID().slice(0, 8)}@stampede.test`;
  const password = `Pw-${randomBytes(9).toString('base64url')}9`;
  const res = await call('POST', `${base}/users`, { body: { email, password } });
  expectStatus(`sign up ${email}`, res, 201);
  return { ...(await login(base, email, password)), password };
}

/** An operator: signed up, promoted by the admin, logged in again (promotion ends old sessions). */
export async function createOperator(u: Urls, admin: Session): Promise<Session> {
  const user = await signUpAndLogin(u.gateway, 'operator');
  const promoted = await call('PUT', `${u.gateway}/users/${user.userId}/roles`, { token: admin.accessToken, body: { roles: ['USER', 'OPERATOR'] } });
  expectStatus('promote operator', promoted, 200);
  return login(u.gateway, user.email, user.password);
}

export interface SaleSpec {
  stock: number;
  unitPrice: number;
  holdTtlSeconds: number;
  perUserLimit?: number;
}

/** Creates a sale, schedules, opens and arms it. Returns its id. */
export async function openSale(u: Urls, operator: Session, spec: SaleSpec): Promise<string> {
  const sku = `TICKET-${randomUUID().slice(0, 8)}`;
  const created = await call('POST', `${u.gateway}/sales`, {
    token: operator.accessToken,
    body: {
      name: 'Stampede launch concert',
      product: { sku, name: 'Floor seat' },
      unitPrice: spec.unitPrice,
      stock: spec.stock,
      perUserLimit: spec.perUserLimit ?? 1,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      holdTtlSeconds: spec.holdTtlSeconds,
    },
  });
  expectStatus('create sale', created, 201);
  const id = created.body.id as string;
  for (const to of ['SCHEDULED', 'OPEN']) {
    expectStatus(`sale → ${to}`, await call('POST', `${u.gateway}/sales/${id}/transition`, { token: operator.accessToken, body: { to } }), 200);
  }
  expectStatus('arm sale', await call('POST', `${u.gateway}/sales/${id}/arm`, { token: operator.accessToken }), 200, 201);
  return id;
}

/** Shoppers signed up and logged in straight at auth, a few at a time (argon2 is CPU-bound). */
export async function prepareShoppers(u: Urls, count: number, concurrency = 6): Promise<Session[]> {
  return pool(Array.from({ length: count }), concurrency, () => signUpAndLogin(u.auth, 'shopper'));
}

export interface EntryResult {
  session: Session;
  answer: Answer;
}

export async function enter(u: Urls, saleId: string, s: Session): Promise<EntryResult> {
  return { session: s, answer: await call('POST', `${u.gateway}/sales/${saleId}/entries`, { token: s.accessToken, body: {} }) };
}

/** Prepare, get a payment key from the sandbox widget with a test card, confirm. */
export async function pay(u: Urls, s: Session, reservationToken: string, card: string, amountDelta = 0): Promise<Answer> {
  const prepared = await call('POST', `${u.gateway}/payments/prepare`, { token: s.accessToken, body: { reservationToken } });
  expectStatus('prepare', prepared, 200, 201);
  const { orderId, amount } = prepared.body as { orderId: string; amount: number };
  const checkout = await call('POST', `${u.gateway}/sandbox/pg/checkout`, { body: { orderId, amount, cardNumber: card } });
  expectStatus('sandbox checkout', checkout, 200, 201);
  return call('POST', `${u.gateway}/payments/confirm`, {
    token: s.accessToken,
    headers: { 'idempotency-key': `confirm-${randomUUID()}` },
    body: { reservationToken, paymentKey: checkout.body.paymentKey, amount: amount + amountDelta },
  });
}
