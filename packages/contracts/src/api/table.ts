import { z } from 'zod';
import * as audit from './audit';
import * as auth from './auth';
import * as entries from './entries';
import type { ErrorCode } from './errors';
import { csrfTokenView } from './gateway';
import { HEADERS, idempotencyKeyHeader, type HeaderSpec } from './headers';
import * as orders from './orders';
import * as payments from './payments';
import * as promotions from './promotions';
import * as sales from './sales';
import * as sandbox from './sandbox';
import * as subscriptions from './subscriptions';

/** One success answer of an operation: its body (none for 204) and the headers it carries. */
export interface SuccessSpec {
  description: string;
  body?: z.ZodType;
  headers?: Record<string, HeaderSpec>;
}

/** What one public operation takes and answers, as the service that owns it validates and answers. */
export interface OperationContract {
  /** Path parameters, where the service checks them with a schema (else any string: a bad id is simply not found). */
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The service reads a missing body as `{}` (every field has a default). */
  bodyOptional?: boolean;
  /** Request headers beyond authentication and Content-Type. */
  headers?: Record<string, HeaderSpec>;
  /** Success answers by status. */
  success: Partial<Record<200 | 201 | 204, SuccessSpec>>;
  /**
   * The codes its use case answers with. Those of input validation, of authentication and roles
   * and of the platform (rate limits, outages) are added from the operation's shape: see
   * `inputErrors` and `PLATFORM_ERRORS`, and the gateway's route table for access.
   */
  errors: ErrorCode[];
}

const header = (schema: z.ZodType, description: string, required = true): HeaderSpec => ({ schema, description, required });

const idempotencyKey = { [HEADERS.idempotencyKey]: header(idempotencyKeyHeader, 'One outcome per key: a retry with the same key and request gets the first answer, never a second charge.') };
const replayed = { [HEADERS.idempotentReplayed]: header(z.literal('true'), 'Present when this is the stored answer of an earlier request with the same Idempotency-Key.', false) };
const noStore = { [HEADERS.cacheControl]: header(z.literal('no-store'), 'A stored copy would be a usable credential.') };
const publicCache = { [HEADERS.cacheControl]: header(z.string().regex(/^public, max-age=\d+$/), 'Shared caches may keep it this long.') };
const location = (what: string) => ({ [HEADERS.location]: header(z.string().startsWith('/'), `The path of the new ${what}.`) });

const ok = (body: z.ZodType, description = 'OK', headers?: Record<string, HeaderSpec>): SuccessSpec => ({ description, body, headers });
const noContent: SuccessSpec = { description: 'Done; no body' };

/**
 * Every public operation, keyed `METHOD /path` exactly as the gateway's route table keys its
 * routes (plus the gateway's own POST /csrf/token). The services validate with these request
 * schemas and answer with these response schemas; the gateway builds the OpenAPI document from
 * this table and its route table.
 */
export const API = {
  // auth
  'POST /users': { body: auth.signUpBody, success: { 201: ok(auth.userView, 'The new account (role USER)') }, errors: ['ALREADY_EXISTS'] },
  'GET /users/:id': { params: auth.userIdParams, success: { 200: ok(auth.userWithIdentitiesView) }, errors: ['FORBIDDEN', 'NOT_FOUND'] },
  'PUT /users/:id/roles': {
    params: auth.userIdParams,
    body: auth.rolesBody,
    success: { 200: ok(auth.userView, 'The account with its new roles; every session of the user has ended') },
    // An administrator removing their own ADMIN role: 409.
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  // Login throttling per account and address answers 429 (and 503 when its store is down).
  'POST /auth/login': { body: auth.loginBody, success: { 200: ok(auth.tokenPair, 'A new session', noStore) }, errors: ['AUTH_REQUIRED', 'RATE_LIMIT_EXCEEDED', 'PROOF_OF_WORK_REQUIRED'] },
  'POST /auth/refresh': {
    body: auth.refreshBody,
    success: { 200: ok(auth.tokenPair, 'The rotated pair of the same session', noStore) },
    errors: ['AUTH_REQUIRED', 'TOKEN_REUSE_DETECTED'],
  },
  'POST /auth/logout': { success: { 204: noContent }, errors: [] },
  'POST /auth/social/:provider': {
    params: auth.socialParams,
    body: auth.socialBody,
    success: { 200: ok(auth.tokenPair, 'A new session of a linked account', noStore), 201: ok(auth.tokenPair, 'A new session of an account made by this login', noStore) },
    // A provider that is not enabled is a 400; its key set out of reach, a 503.
    errors: ['AUTH_REQUIRED', 'UPSTREAM_UNAVAILABLE'],
  },
  'GET /.well-known/jwks.json': { success: { 200: ok(auth.jwks, 'The public keys of access tokens, the previous one included during a rotation', publicCache) }, errors: [] },

  // event: sales
  'POST /sales': { body: sales.createSaleSchema, success: { 201: ok(sales.staffSaleView, 'The new DRAFT sale', location('sale')) }, errors: [] },
  'GET /sales': { query: sales.listSalesQuery, success: { 200: ok(sales.salePage, 'Staff read every sale in full; shoppers read scheduled-or-later sales, public fields only') }, errors: [] },
  'GET /sales/:id': { success: { 200: ok(sales.saleView, 'The full record for staff, the public fields for shoppers') }, errors: ['NOT_FOUND'] },
  'PATCH /sales/:id': { body: sales.updateSaleSchema, success: { 200: ok(sales.staffSaleView) }, errors: ['NOT_FOUND', 'CONFLICT'] },
  'POST /sales/:id/transition': { body: sales.transitionSchema, success: { 200: ok(sales.staffSaleView) }, errors: ['NOT_FOUND', 'INVALID_TRANSITION'] },
  'POST /sales/:id/arm': { success: { 200: ok(sales.armResult, 'Armed (now or before)') }, errors: ['NOT_FOUND', 'CONFLICT'] },
  'GET /sales/:id/stats': { success: { 200: ok(sales.saleStats) }, errors: ['NOT_FOUND'] },
  'GET /orders': { query: orders.ordersQuery, success: { 200: ok(orders.orderPage, 'Own orders for a shopper, every order for staff') }, errors: [] },

  // event: events (promotions), rewards, requests, audit
  'POST /events': { body: promotions.createPromotionSchema, success: { 201: ok(promotions.staffPromotionView, 'The new event', location('event')) }, errors: [] },
  'GET /events': { query: promotions.listPromotionsQuery, success: { 200: ok(promotions.promotionPage) }, errors: [] },
  'GET /events/requests': { query: promotions.listRewardRequestsQuery, success: { 200: ok(promotions.rewardRequestPage, 'Own requests for a shopper') }, errors: [] },
  'GET /events/:id': { success: { 200: ok(promotions.promotionView) }, errors: ['NOT_FOUND'] },
  'POST /events/:id/rewards': { body: promotions.rewardSchema, success: { 201: ok(promotions.rewardView, 'The new reward') }, errors: ['NOT_FOUND'] },
  'POST /events/:id/request': {
    success: { 201: ok(promotions.rewardRequestView, 'The PENDING request', location('reward request')) },
    errors: ['NOT_FOUND', 'CONDITION_NOT_MET', 'ALREADY_EXISTS'],
  },
  'POST /events/requests/:id/approve': { body: promotions.decisionSchema, bodyOptional: true, success: { 200: ok(promotions.rewardRequestView) }, errors: ['NOT_FOUND', 'INVALID_TRANSITION'] },
  'POST /events/requests/:id/reject': { body: promotions.decisionSchema, bodyOptional: true, success: { 200: ok(promotions.rewardRequestView) }, errors: ['NOT_FOUND', 'INVALID_TRANSITION'] },
  'GET /audit': { query: audit.auditQuery, success: { 200: ok(audit.auditPage, 'Newest first') }, errors: [] },

  // entry: the hot path
  'POST /sales/:id/entries': {
    params: entries.saleIdParams,
    body: entries.entryBody,
    bodyOptional: true,
    success: { 201: ok(entries.heldView, 'Seats held until expiresAt', noStore) },
    // The sale snapshot comes from the event service: 503 UPSTREAM_UNAVAILABLE when it cannot be had.
    errors: ['NOT_FOUND', 'SALE_NOT_OPEN', 'NOT_ELIGIBLE', 'SOLD_OUT', 'ALREADY_ENTERED', 'UPSTREAM_UNAVAILABLE'],
  },
  'DELETE /entries/:token': { success: { 204: noContent }, errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'] },
  'GET /sales/:id/availability': {
    params: entries.saleIdParams,
    success: { 200: ok(entries.availabilityView, 'OK', publicCache) },
    errors: ['NOT_FOUND', 'UPSTREAM_UNAVAILABLE'],
  },

  // payment
  'POST /payments/prepare': { body: payments.prepareBody, success: { 200: ok(payments.prepareResult, 'What the payment widget needs') }, errors: ['HOLD_EXPIRED', 'FORBIDDEN', 'INVALID_TRANSITION'] },
  'POST /payments/confirm': {
    body: payments.confirmBody,
    headers: idempotencyKey,
    success: { 200: ok(payments.confirmResult, 'Paid: the seat is sold', replayed) },
    errors: ['FORBIDDEN', 'AMOUNT_MISMATCH', 'HOLD_EXPIRED', 'PAYMENT_FAILED', 'CONFLICT', 'IDEMPOTENCY_CONFLICT', 'UPSTREAM_UNAVAILABLE'],
  },
  'GET /payments/:id': { params: payments.paymentIdParams, success: { 200: ok(payments.paymentView) }, errors: ['NOT_FOUND'] },
  'POST /payments/:id/refund': {
    params: payments.paymentIdParams,
    body: payments.refundBody,
    bodyOptional: true,
    headers: idempotencyKey,
    success: { 200: ok(payments.refundResult, 'Refunded in full', replayed) },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'ALREADY_REFUNDED', 'INVALID_TRANSITION', 'PAYMENT_FAILED', 'CONFLICT', 'IDEMPOTENCY_CONFLICT', 'UPSTREAM_UNAVAILABLE'],
  },
  'POST /subscriptions': { body: subscriptions.subscriptionBody, success: { 201: ok(subscriptions.subscriptionView, 'Waiting for a billing key') }, errors: [] },
  'GET /subscriptions/:id': { params: payments.paymentIdParams, success: { 200: ok(subscriptions.subscriptionView) }, errors: ['NOT_FOUND'] },
  'POST /subscriptions/:id/billing-key': {
    params: payments.paymentIdParams,
    body: subscriptions.billingKeyBody,
    success: { 200: ok(subscriptions.subscriptionView, 'ACTIVE, with the masked card') },
    errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'PAYMENT_FAILED', 'UPSTREAM_UNAVAILABLE'],
  },
  'POST /webhooks/pg': {
    body: payments.webhookDelivery,
    headers: {
      [HEADERS.webhookSignature]: header(z.string().max(1024), 'v1=<hex HMAC-SHA256 of "{timestamp}.{raw body}">; several, comma-separated, during a secret rotation.'),
      [HEADERS.webhookTimestamp]: header(z.string().regex(/^\d{1,12}$/), 'Unix seconds; outside the tolerance window the delivery is refused.'),
      [HEADERS.webhookId]: header(z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/), 'The delivery id; without it the body\'s hash stands in.', false),
    },
    success: { 200: ok(payments.webhookResult, 'Received') },
    errors: ['INVALID_SIGNATURE'],
  },
  'POST /sandbox/pg/checkout': { body: sandbox.checkoutBody, success: { 201: ok(sandbox.checkoutResult, 'A payment session for the card') }, errors: [] },

  // gateway
  'POST /csrf/token': {
    success: {
      200: ok(csrfTokenView, 'A fresh token', {
        [HEADERS.setCookie]: header(z.string(), 'The same token as an HttpOnly SameSite=Strict cookie, compared with X-CSRF-Token.'),
      }),
    },
    errors: [],
  },
} satisfies Record<string, OperationContract>;

export type RouteKey = keyof typeof API;

/** Codes input validation answers with: 400 for a body, query or path that fails its schema; 413 and 415 for a body. */
export function inputErrors(op: OperationContract): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (op.body || op.query || op.params || op.headers) codes.push('INVALID_INPUT');
  if (op.body) codes.push('PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  return codes;
}

/**
 * Codes any operation may answer, whatever it does: its rate limit (429 with Retry-After), an
 * internal error, a store briefly unreachable or a process shutting down (503).
 */
export const PLATFORM_ERRORS: readonly ErrorCode[] = ['RATE_LIMIT_EXCEEDED', 'INTERNAL', 'UNAVAILABLE', 'SHUTTING_DOWN'];

/** The API's version in its document; raised with every change a client must adapt to. */
export const API_VERSION = '0.1.0';
