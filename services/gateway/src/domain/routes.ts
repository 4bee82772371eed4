import type { Role } from '@stampede/contracts';
import type { RateLimitName } from './limits';

export type Upstream = 'auth' | 'event' | 'entry' | 'payment';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  /** Express path pattern, identical on the gateway and the upstream. */
  path: string;
  upstream: Upstream;
  /** 'public': no token needed; otherwise a valid access token with one of `roles`. */
  access: 'public' | Role[];
  rateLimit: RateLimitName;
  timeoutMs: number;
  summary: string;
  /** Mounted only when SANDBOX_ROUTES=true (the sandbox PG's widget stand-in). */
  sandbox?: boolean;
}

const ANY_USER: Role[] = ['USER', 'OPERATOR', 'AUDITOR', 'ADMIN'];
const OPERATORS: Role[] = ['OPERATOR', 'ADMIN'];
const READERS: Role[] = ['OPERATOR', 'AUDITOR', 'ADMIN'];
const FAST = 2_000;
const NORMAL = 5_000;
/** Confirm waits on the payment gateway. */
const PAYMENT = 15_000;

const r = (
  method: Method,
  path: string,
  upstream: Upstream,
  access: Route['access'],
  rateLimit: RateLimitName,
  summary: string,
  timeoutMs = NORMAL,
): Route => ({ method, path, upstream, access, rateLimit, summary, timeoutMs });

/** Every public route: the one table the router, the rate limits and the OpenAPI document use. */
export const ROUTES: Route[] = [
  // auth
  r('POST', '/users', 'auth', 'public', 'signUp', 'Sign up'),
  r('GET', '/users/:id', 'auth', ANY_USER, 'userDefault', 'Read a user (self, AUDITOR, ADMIN)'),
  r('PUT', '/users/:id/roles', 'auth', ['ADMIN'], 'userDefault', 'Replace a user\'s roles (ADMIN)'),
  r('POST', '/auth/login', 'auth', 'public', 'login', 'Log in with email and password'),
  r('POST', '/auth/refresh', 'auth', 'public', 'login', 'Rotate a refresh token'),
  r('POST', '/auth/logout', 'auth', ANY_USER, 'userDefault', 'Log out (revokes the session)'),
  r('POST', '/auth/social/:provider', 'auth', 'public', 'login', 'Log in with a Google, Apple or Kakao id_token'),
  r('GET', '/.well-known/jwks.json', 'auth', 'public', 'publicDefault', 'Public keys of access tokens', FAST),
  // event: sales
  r('POST', '/sales', 'event', OPERATORS, 'userDefault', 'Create a sale (DRAFT)'),
  r('GET', '/sales', 'event', ANY_USER, 'userDefault', 'List sales'),
  r('GET', '/sales/:id', 'event', ANY_USER, 'userDefault', 'Read a sale'),
  r('PATCH', '/sales/:id', 'event', OPERATORS, 'userDefault', 'Update a DRAFT sale'),
  r('POST', '/sales/:id/transition', 'event', OPERATORS, 'userDefault', 'Change a sale\'s status'),
  r('POST', '/sales/:id/arm', 'event', OPERATORS, 'userDefault', 'Write the sale\'s inventory to Redis'),
  r('GET', '/sales/:id/stats', 'event', READERS, 'userDefault', 'Sold, held, available, revenue'),
  r('GET', '/orders', 'event', ANY_USER, 'userDefault', 'Orders recorded from payment events (own for USER)'),
  // event: events, rewards, requests, audit
  r('POST', '/events', 'event', OPERATORS, 'userDefault', 'Create an event'),
  r('GET', '/events', 'event', ANY_USER, 'userDefault', 'List events'),
  r('GET', '/events/requests', 'event', ANY_USER, 'userDefault', 'List reward requests (own for USER)'),
  r('GET', '/events/:id', 'event', ANY_USER, 'userDefault', 'Read an event'),
  r('POST', '/events/:id/rewards', 'event', OPERATORS, 'userDefault', 'Attach a reward to an event'),
  r('POST', '/events/:id/request', 'event', ['USER'], 'userDefault', 'Request an event\'s reward'),
  r('POST', '/events/requests/:id/approve', 'event', OPERATORS, 'userDefault', 'Approve a reward request'),
  r('POST', '/events/requests/:id/reject', 'event', OPERATORS, 'userDefault', 'Reject a reward request'),
  r('GET', '/audit', 'event', ['AUDITOR', 'ADMIN'], 'userDefault', 'Read the audit log'),
  // entry: the hot path
  r('POST', '/sales/:id/entries', 'entry', ['USER'], 'entry', 'Enter a sale: hold a seat', FAST),
  r('DELETE', '/entries/:token', 'entry', ANY_USER, 'userDefault', 'Release a held seat', FAST),
  r('GET', '/sales/:id/availability', 'entry', 'public', 'publicDefault', 'Sale status and approximate seats left', FAST),
  // payment
  r('POST', '/payments/prepare', 'payment', ANY_USER, 'paymentPrepare', 'Prepare a payment for a reservation'),
  r('POST', '/payments/confirm', 'payment', ANY_USER, 'paymentConfirm', 'Confirm a payment (Idempotency-Key)', PAYMENT),
  r('GET', '/payments/:id', 'payment', ANY_USER, 'userDefault', 'Read a payment (holder or ADMIN)'),
  r('POST', '/payments/:id/refund', 'payment', ANY_USER, 'refundRequest', 'Refund a payment (holder or ADMIN)', PAYMENT),
  r('POST', '/subscriptions', 'payment', ANY_USER, 'subscriptionCreate', 'Start a subscription'),
  r('GET', '/subscriptions/:id', 'payment', ANY_USER, 'userDefault', 'Read a subscription'),
  r('POST', '/subscriptions/:id/billing-key', 'payment', ANY_USER, 'subscriptionCreate', 'Attach a billing key (stored AES-256-GCM)'),
  r('POST', '/webhooks/pg', 'payment', 'public', 'publicDefault', 'Payment gateway webhook (HMAC-signed)'),
  // The sandbox payment widget: local platform and tests only (SANDBOX_ROUTES=true).
  { ...r('POST', '/sandbox/pg/checkout', 'payment', 'public', 'publicDefault', 'Sandbox PG: pay with a test card, get a paymentKey'), sandbox: true },
];

/** The route the gateway answers itself (rate-limited per address, like the others documented). */
export const CSRF_TOKEN_ROUTE = {
  method: 'POST',
  path: '/csrf/token',
  access: 'public',
  rateLimit: 'csrfToken',
  summary: 'Issue a CSRF token (also set as an HttpOnly SameSite=Strict cookie) for cookie-authenticated browsers',
} as const satisfies Pick<Route, 'method' | 'path' | 'access' | 'rateLimit' | 'summary'>;
