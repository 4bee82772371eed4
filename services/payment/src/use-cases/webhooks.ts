import { createHash } from 'node:crypto';
import { transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import { parse } from '@stampede/chassis/http';
import { webhookDelivery, type WebhookResult } from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { verifyWebhook } from '../domain/webhook-signature';
import { applyPspStatus } from '../store/payments';
import { recordDelivery } from '../store/webhooks';

export interface WebhookHeaders {
  signature: string | undefined;
  timestamp: string | undefined;
  deliveryId: string | undefined;
}

/**
 * A signed provider notification. Nothing is read from the body before the signature holds. The
 * delivery id (header, or the body's hash) is recorded in the same transaction as the status
 * change, so a replayed or retried delivery changes nothing.
 */
export async function receiveWebhook(deps: Deps, rawBody: Buffer, h: WebhookHeaders): Promise<WebhookResult> {
  const { config, logger } = deps;
  const secrets = [config.WEBHOOK_SECRET, ...(config.WEBHOOK_SECRET_PREVIOUS ? [config.WEBHOOK_SECRET_PREVIOUS] : [])];
  const check = verifyWebhook({ secrets, signature: h.signature, timestamp: h.timestamp, rawBody, toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS });
  if (!check.ok) {
    logger.warn({ reason: check.reason }, 'webhook signature rejected');
    throw new AppError('INVALID_SIGNATURE', 'Missing, invalid or expired webhook signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('INVALID_INPUT', 'Webhook body is not valid JSON');
  }
  const delivery = parse(webhookDelivery, json);
  const deliveryId = h.deliveryId && /^[A-Za-z0-9._:-]{1,128}$/.test(h.deliveryId) ? h.deliveryId : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;

  return transaction(deps.orm, async (em) => {
    if (!(await recordDelivery(em, deliveryId, delivery.eventType, delivery.data.orderId))) return { received: true as const, duplicate: true, changed: false };
    const changed = delivery.eventType === 'PAYMENT_STATUS_CHANGED' && (await applyPspStatus(em, delivery.data.orderId, delivery.data.status, 'WEBHOOK'));
    logger.info({ eventType: delivery.eventType, orderId: delivery.data.orderId, pspStatus: delivery.data.status, changed }, 'webhook received');
    return { received: true as const, duplicate: false, changed };
  });
}
