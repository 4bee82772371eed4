import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { authenticate, principalOf } from '@stampede/chassis/auth';
import { parse } from '@stampede/chassis/http';
import {
  billingKeyBody,
  checkoutBody,
  confirmBody,
  HEADERS,
  idempotencyKeyHeader,
  paymentIdParams,
  prepareBody,
  refundBody,
  subscriptionBody,
} from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { fingerprint, idempotent, type IdempotentAnswer } from '../use-cases/idempotency';
import { confirmPayment, getPayment, preparePayment, refundPayment } from '../use-cases/payments';
import { saleIdOfToken } from '../use-cases/reservations';
import { createSubscription, getSubscription, registerBillingKey } from '../use-cases/subscriptions';
import { sandboxCheckout, sandboxLedger } from '../use-cases/sandbox';
import { receiveWebhook } from '../use-cases/webhooks';
import { ledgerQuery } from './schemas';
import { traced } from './tracing';

/** The webhook needs its raw bytes for the signature, so it is mounted before the JSON parser. */
export function rawBodyRoutes(app: Express, deps: Deps): void {
  app.post('/webhooks/pg', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // The request log sees the parsed body (redacted by key), never raw bytes.
    req.body = undefined;
    const result = await receiveWebhook(deps, raw, {
      signature: req.header(HEADERS.webhookSignature),
      timestamp: req.header(HEADERS.webhookTimestamp),
      deliveryId: req.header(HEADERS.webhookId),
    });
    res.json(result);
  });
}

/** Sends a stored or fresh idempotent answer; an error answer carries the id of this request. */
function answer(req: Request, res: Response, a: IdempotentAnswer): void {
  if (a.replayed) res.setHeader(HEADERS.idempotentReplayed, 'true');
  const body = a.response.body as { error?: Record<string, unknown> };
  res.status(a.response.status).json(body?.error ? { error: { ...body.error, requestId: req.id } } : body);
}

const idempotencyKeyOf = (req: Request) => parse(idempotencyKeyHeader, req.header(HEADERS.idempotencyKey), HEADERS.idempotencyKey);

export function routes(app: Express, deps: Deps): void {
  const auth: RequestHandler = authenticate(deps.verifier);

  app.post('/payments/prepare', auth, async (req, res) => {
    const body = parse(prepareBody, req.body);
    res.json(await preparePayment(deps, principalOf(req), body.reservationToken));
  });

  app.post('/payments/confirm', auth, async (req, res) => {
    // Validate before the idempotency record, so a malformed request is not remembered.
    const body = parse(confirmBody, req.body);
    const key = idempotencyKeyOf(req);
    const who = principalOf(req);
    const print = fingerprint(fingerprint(body.reservationToken), fingerprint(body.paymentKey), body.amount);
    const saleId = saleIdOfToken(body.reservationToken) ?? 'unknown';
    const work = () => traced('payment.confirm', { 'stampede.sale_id': saleId }, (headers) => confirmPayment(deps, who, body, headers));
    answer(req, res, await idempotent(deps, who, { scope: 'confirm', key, fingerprint: print }, work));
  });

  app.get('/payments/:id', auth, async (req, res) => {
    const { id } = parse(paymentIdParams, req.params, 'path');
    res.json(await getPayment(deps, principalOf(req), id));
  });

  app.post('/payments/:id/refund', auth, async (req, res) => {
    const { id } = parse(paymentIdParams, req.params, 'path');
    const body = parse(refundBody, req.body ?? {});
    const key = idempotencyKeyOf(req);
    const who = principalOf(req);
    const work = () => traced('payment.refund', { 'payment.id': id }, (headers) => refundPayment(deps, who, id, body.reason ?? '', headers));
    answer(req, res, await idempotent(deps, who, { scope: 'refund', key, fingerprint: fingerprint(id, body.reason ?? '') }, work));
  });

  app.post('/subscriptions', auth, async (req, res) => {
    const body = parse(subscriptionBody, req.body);
    res.status(201).json(await createSubscription(deps, principalOf(req), body.plan, body.billingCycle));
  });

  app.get('/subscriptions/:id', auth, async (req, res) => {
    const { id } = parse(paymentIdParams, req.params, 'path');
    res.json(await getSubscription(deps, principalOf(req), id));
  });

  app.post('/subscriptions/:id/billing-key', auth, async (req, res) => {
    const { id } = parse(paymentIdParams, req.params, 'path');
    const body = parse(billingKeyBody, req.body);
    // authKey is not among the chassis' redacted field names: hide it here.
    req.body = { authKey: '[REDACTED]' };
    res.json(await registerBillingKey(deps, principalOf(req), id, body.authKey));
  });

  if (deps.sandbox) sandboxRoutes(app, deps);
}

/** Mounted only when the sandbox is the provider (local platform and tests). */
function sandboxRoutes(app: Express, deps: Deps): void {
  app.post('/sandbox/pg/checkout', async (req: Request, res) => {
    const body = parse(checkoutBody, req.body);
    res.status(201).json(await sandboxCheckout(deps, body));
  });
  app.get('/sandbox/pg/ledger', async (req: Request, res) => {
    const { orderId } = parse(ledgerQuery, req.query, 'query');
    res.json({ orderId, entries: await sandboxLedger(deps, orderId) });
  });
}
