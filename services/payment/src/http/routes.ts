import express, { type Express, type Request, type RequestHandler } from 'express';
import { authenticate, principalOf, type Verifier } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { parse } from '@stampede/chassis/http';
import { hasAnyRole } from '@stampede/contracts';
import { parseReservationToken } from '@stampede/ledger';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../domain/webhook-signature';
import { confirmPayment, confirmResult } from '../service/confirm';
import type { PaymentContext } from '../service/context';
import { preparePayment } from '../service/prepare';
import { refundPayment } from '../service/refund';
import { createSubscription, getSubscription, registerBillingKey } from '../service/subscriptions';
import { receiveWebhook } from '../service/webhooks';
import { fingerprint, idempotent } from './idempotent';
import {
  billingKeyBody,
  checkoutBody,
  confirmBody,
  ledgerQuery,
  paymentIdParam,
  prepareBody,
  refundBody,
  subscriptionBody,
} from './schemas';
import { traced } from './tracing';

/** The webhook needs its raw bytes for the signature, so it is mounted before the JSON parser. */
export function webhookRoute(ctx: PaymentContext): (app: Express) => void {
  return (app) => {
    app.post('/webhooks/pg', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // The request log sees the parsed body (redacted by key), never raw bytes.
      req.body = undefined;
      const result = await receiveWebhook(ctx, raw, {
        signature: req.header(SIGNATURE_HEADER),
        timestamp: req.header(TIMESTAMP_HEADER),
        deliveryId: req.header('x-webhook-id'),
      });
      res.json(result);
    });
  };
}

const sha = (s: string) => fingerprint(s);

export function paymentRoutes(ctx: PaymentContext, verifier: Verifier): (app: Express) => void {
  const auth: RequestHandler = authenticate(verifier);
  return (app) => {
    app.post('/payments/prepare', auth, async (req, res) => {
      const body = parse(prepareBody, req.body);
      res.json(await preparePayment(ctx, principalOf(req), body.reservationToken));
    });

    app.post('/payments/confirm', auth, async (req, res) => {
      // Validate before the idempotency record, so a malformed request is not remembered.
      const body = parse(confirmBody, req.body);
      const print = fingerprint(sha(body.reservationToken), sha(body.paymentKey), body.amount);
      await idempotent(ctx, req, res, 'confirm', print, () =>
        traced('payment.confirm', { 'stampede.sale_id': parseReservationToken(body.reservationToken)?.saleId ?? 'unknown' }, (headers) => confirmPayment(ctx, principalOf(req), body, headers)),
      );
    });

    app.get('/payments/:id', auth, async (req, res) => {
      const { id } = parse(paymentIdParam, req.params, 'path');
      const who = principalOf(req);
      const p = await ctx.payments.findById(id);
      if (!p || (p.userId !== who.userId && !hasAnyRole(who, ['ADMIN', 'AUDITOR', 'OPERATOR']))) throw new AppError('NOT_FOUND', 'Payment not found');
      res.json({ ...(p.confirmedAt ? confirmResult(p) : { paymentId: p.id, orderId: p.orderId, amount: p.amount }), status: p.status, pgStatus: p.pgStatus });
    });

    app.post('/payments/:id/refund', auth, async (req, res) => {
      const { id } = parse(paymentIdParam, req.params, 'path');
      const body = parse(refundBody, req.body ?? {});
      await idempotent(ctx, req, res, 'refund', fingerprint(id, body.reason ?? ''), () =>
        traced('payment.refund', { 'payment.id': id }, (headers) => refundPayment(ctx, principalOf(req), id, body.reason ?? '', headers)),
      );
    });

    app.post('/subscriptions', auth, async (req, res) => {
      const body = parse(subscriptionBody, req.body);
      res.status(201).json(await createSubscription(ctx, principalOf(req), body.plan, body.billingCycle));
    });

    app.get('/subscriptions/:id', auth, async (req, res) => {
      const { id } = parse(paymentIdParam, req.params, 'path');
      res.json(await getSubscription(ctx, principalOf(req), id));
    });

    app.post('/subscriptions/:id/billing-key', auth, async (req, res) => {
      const { id } = parse(paymentIdParam, req.params, 'path');
      const body = parse(billingKeyBody, req.body);
      // authKey is not among the chassis' redacted field names (seed 004 lists it): hide it here.
      req.body = { authKey: '[REDACTED]' };
      res.json(await registerBillingKey(ctx, principalOf(req), id, body.authKey));
    });

    if (ctx.sandbox) sandboxRoutes(ctx, app);
  };
}

/**
 * The sandbox gateway's side (local platform and tests only): a checkout that stands in for the
 * payment widget, and its ledger of charges.
 */
function sandboxRoutes(ctx: PaymentContext, app: Express): void {
  const sandbox = ctx.sandbox as NonNullable<PaymentContext['sandbox']>;
  app.post('/sandbox/pg/checkout', async (req: Request, res) => {
    const body = parse(checkoutBody, req.body);
    res.status(201).json(await sandbox.checkout(body));
  });
  app.get('/sandbox/pg/ledger', async (req: Request, res) => {
    const { orderId } = parse(ledgerQuery, req.query, 'query');
    res.json({ orderId, entries: await sandbox.ledger(orderId) });
  });
}
