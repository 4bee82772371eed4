import type { Em } from '@stampede/chassis/clients/orm';
import { WebhookDeliveryEntity } from './model';

/** Remembers a delivery id; false when it was seen before (a replay or the provider's retry). */
export async function recordDelivery(em: Em, deliveryId: string, eventType: string, orderId: string): Promise<boolean> {
  const inserted = await em.qb(WebhookDeliveryEntity).insert({ deliveryId, eventType, orderId }).onConflict('deliveryId').ignore().execute('run');
  return inserted.affectedRows > 0;
}
