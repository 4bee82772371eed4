/** The platform's HTTP API as the scenarios use it. Every call is tagged with a stable name. */
import { check, fail } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { config } from './config.ts';

export interface Shopper {
  userId: string;
  email: string;
  accessToken: string;
}

type Res = RefinedResponse<ResponseType | undefined>;

const json = (body: unknown) => JSON.stringify(body);
const headers = (token?: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...extra,
});

/** The `error.code` of an error body, or '' when there is none. */
export function errorCode(res: Res): string {
  try {
    const body = res.json() as { error?: { code?: string } } | null;
    return body?.error?.code ?? '';
  } catch {
    return '';
  }
}

function claimsOf(token: string): { sub: string } {
  const part = token.split('.')[1] ?? '';
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(String.fromCharCode(...decodeBase64(b64))) as { sub: string };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function decodeBase64(s: string): number[] {
  const out: number[] = [];
  let buf = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch);
    if (v < 0) continue;
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buf >> bits) & 0xff);
    }
  }
  return out;
}

export function login(base: string, email: string, password: string): Shopper {
  const res = http.post(`${base}/auth/login`, json({ email, password }), { headers: headers(), tags: { name: 'login' } });
  if (res.status !== 200) fail(`login ${email}: ${res.status} ${errorCode(res)}`);
  const accessToken = (res.json() as { accessToken: string }).accessToken;
  return { userId: claimsOf(accessToken).sub, email, accessToken };
}

/** Shoppers signed up and logged in straight at auth, `batch` at a time (setup() only). */
export function prepareShoppers(count: number, batch: number, tag: string): Shopper[] {
  const out: Shopper[] = [];
  const password = `Pw-${tag}-k6-load-9`;
  for (let start = 0; start < count; start += batch) {
    const emails = Array.from({ length: Math.min(batch, count - start) }, (_, i) => `k6-${tag}-${start + i}@stampede.test`);
    const signUps = http.batch(emails.map((email) => ({ method: 'POST', url: `${config.authUrl}/users`, body: json({ email, password }), params: { headers: headers(), tags: { name: 'prepare_signup' } } })));
    signUps.forEach((r, i) => {
      if (r.status !== 201 && r.status !== 409) fail(`sign-up ${emails[i]}: ${r.status} ${errorCode(r)}`);
    });
    const logins = http.batch(emails.map((email) => ({ method: 'POST', url: `${config.authUrl}/auth/login`, body: json({ email, password }), params: { headers: headers(), tags: { name: 'prepare_login' } } })));
    logins.forEach((r, i) => {
      if (r.status !== 200) fail(`login ${emails[i]}: ${r.status} ${errorCode(r)}`);
      const accessToken = (r.json() as { accessToken: string }).accessToken;
      out.push({ userId: claimsOf(accessToken).sub, email: emails[i] as string, accessToken });
    });
  }
  return out;
}

/** An operator session: the admin logs in, signs up and promotes a fresh operator, who logs in. */
export function operatorSession(tag: string): Shopper {
  if (!config.adminPassword) fail('ADMIN_PASSWORD is required to create a sale (or pass SALE_ID of an open, armed sale)');
  const admin = login(config.baseUrl, config.adminEmail, config.adminPassword);
  const email = `k6-operator-${tag}@stampede.test`;
  const password = `Pw-${tag}-operator-9`;
  const signUp = http.post(`${config.authUrl}/users`, json({ email, password }), { headers: headers(), tags: { name: 'prepare_signup' } });
  if (signUp.status !== 201 && signUp.status !== 409) fail(`operator sign-up: ${signUp.status} ${errorCode(signUp)}`);
  const user = login(config.authUrl, email, password);
  const promoted = http.put(`${config.baseUrl}/users/${user.userId}/roles`, json({ roles: ['USER', 'OPERATOR'] }), { headers: headers(admin.accessToken), tags: { name: 'promote' } });
  if (promoted.status !== 200) fail(`promote operator: ${promoted.status} ${errorCode(promoted)}`);
  return login(config.baseUrl, email, password);
}

/** Creates, schedules, opens and arms a sale (its waiting room off: shoppers enter directly); returns its id. */
export function openSale(operator: Shopper, stock: number, perUserLimit: number, tag: string): string {
  const now = Date.now();
  const created = http.post(
    `${config.baseUrl}/sales`,
    json({
      name: `k6 ${tag}`,
      product: { sku: `K6-${tag}`, name: 'Load-test seat' },
      unitPrice: 55000,
      stock,
      perUserLimit,
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 6 * 3_600_000).toISOString(),
      holdTtlSeconds: 300,
      waitingRoom: { enabled: false },
    }),
    { headers: headers(operator.accessToken), tags: { name: 'create_sale' } },
  );
  if (created.status !== 201) fail(`create sale: ${created.status} ${errorCode(created)}`);
  const id = (created.json() as { id: string }).id;
  for (const to of ['SCHEDULED', 'OPEN']) {
    const r = http.post(`${config.baseUrl}/sales/${id}/transition`, json({ to }), { headers: headers(operator.accessToken), tags: { name: 'transition' } });
    if (r.status !== 200) fail(`sale → ${to}: ${r.status} ${errorCode(r)}`);
  }
  const armed = http.post(`${config.baseUrl}/sales/${id}/arm`, null, { headers: headers(operator.accessToken), tags: { name: 'arm' } });
  if (armed.status !== 200 && armed.status !== 201) fail(`arm sale: ${armed.status} ${errorCode(armed)}`);
  return id;
}

export function enter(saleId: string, s: Shopper): Res {
  return http.post(`${config.baseUrl}/sales/${saleId}/entries`, '{}', { headers: headers(s.accessToken), tags: { name: 'enter' } });
}

export interface SaleStats {
  stock: number;
  /** Orders recorded in PostgreSQL (from Kafka). */
  sold: number;
  /** Redis's live counters (null until armed). */
  available: number | null;
  held: number | null;
  redisSold: number | null;
}

export function saleStats(saleId: string, operator: Shopper): SaleStats | undefined {
  const r = http.get(`${config.baseUrl}/sales/${saleId}/stats`, { headers: headers(operator.accessToken), tags: { name: 'stats' } });
  return r.status === 200 ? (r.json() as unknown as SaleStats) : undefined;
}

/** Prepare, pay with the sandbox widget's success card, confirm. True when confirmed. */
export function pay(s: Shopper, reservationToken: string, idempotencyKey: string): boolean {
  const prepared = http.post(`${config.baseUrl}/payments/prepare`, json({ reservationToken }), { headers: headers(s.accessToken), tags: { name: 'prepare' } });
  if (!check(prepared, { 'prepare 200/201': (r) => r.status === 200 || r.status === 201 })) return false;
  const { orderId, amount } = prepared.json() as { orderId: string; amount: number };
  const checkout = http.post(`${config.baseUrl}/sandbox/pg/checkout`, json({ orderId, amount, cardNumber: '4330000000000000' }), { headers: headers(), tags: { name: 'sandbox_checkout' } });
  if (!check(checkout, { 'sandbox checkout 200/201': (r) => r.status === 200 || r.status === 201 })) return false;
  const paymentKey = (checkout.json() as { paymentKey: string }).paymentKey;
  const confirmed = http.post(`${config.baseUrl}/payments/confirm`, json({ reservationToken, paymentKey, amount }), {
    headers: headers(s.accessToken, { 'idempotency-key': idempotencyKey }),
    tags: { name: 'confirm' },
  });
  return check(confirmed, { 'confirm 200': (r) => r.status === 200 });
}
