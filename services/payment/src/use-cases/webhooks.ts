import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@stampede/chassis/errors';
import { parse } from '@stampede/chassis/http';
import { verifyWebhook } from '../domain/webhook-signature';
import type { PaymentContext } from './context';

/** Toss-style delivery: `{eventType, createdAt, data: {orderId, status, ...}}`. */
const deliverySchema = z.object({
  eventType: z.string().min(1).max(64),
  createdAt: z.string().max(64).optional(),
  data: z.object({ orderId: z.string().min(1).max(64), status: z.string().min(1).max(32) }).passthrough(),
});

export interface WebhookHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
  deliveryId: string | undefined;
}

/**
 * A signed gateway notification. Nothing is read from the body before the signature holds. The
 * delivery id (header, or the body's hash) is recorded in the same transaction as the status
 * change, so a replayed or retried delivery changes nothing.
 */
export async function receiveWebhook(ctx: PaymentContext, rawBody: Buffer, h: WebhookHeaders): Promise<{ received: true; duplicate: boolean; changed: boolean }> {
  const secrets = [ctx.config.WEBHOOK_SECRET, ...(ctx.config.WEBHOOK_SECRET_PREVIOUS ? [ctx.config.WEBHOOK_SECRET_PREVIOUS] : [])];
  const check = verifyWebhook({ secrets, signature: h.signature, timestamp: h.timestamp, rawBody, toleranceSeconds: ctx.config.WEBHOOK_TOLERANCE_SECONDS });
  if (!check.ok) {
    ctx.logger.warn({ reason: check.reason }, 'webhook signature rejected');
    throw new AppError('INVALID_SIGNATURE', 'Missing, invalid or expired webhook signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('INVALID_INPUT', 'Webhook body is not valid JSON');
  }
  const delivery = parse(deliverySchema, json);
  const deliveryId = h.deliveryId && /^[A-Za-z0-9._:-]{1,128}$/.test(h.deliveryId) ? h.deliveryId : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;

  return ctx.knex.transaction(async (trx) => {
    const fresh = (await trx('webhook_deliveries')
      .insert({ delivery_id: deliveryId, event_type: delivery.eventType, order_id: delivery.data.orderId })
      .onConflict('delivery_id')
      .ignore()
      .returning('delivery_id')) as unknown[];
    if (fresh.length === 0) return { received: true as const, duplicate: true, changed: false };
    const changed =
      delivery.eventType === 'PAYMENT_STATUS_CHANGED' && (await ctx.payments.applyPgStatus(trx, delivery.data.orderId, delivery.data.status, 'WEBHOOK'));
    ctx.logger.info({ eventType: delivery.eventType, orderId: delivery.data.orderId, pgStatus: delivery.data.status, changed }, 'webhook received');
    return { received: true as const, duplicate: false, changed };
  });
}
