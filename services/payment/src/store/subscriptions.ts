import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { Subscription } from '../domain/subscription';
import { SubscriptionEntity } from './model';

export async function createSubscription(
  em: Em,
  s: { userId: string; customerKey: string; plan: string; billingCycle: string; amount: number },
): Promise<Subscription> {
  const id = randomUUID();
  await em.insert(SubscriptionEntity, { id, ...s, status: 'PENDING_BILLING_KEY' });
  return em.findOneOrFail(SubscriptionEntity, { id }, { refresh: true });
}

export const findSubscription = (em: Em, id: string): Promise<Subscription | null> => em.findOne(SubscriptionEntity, { id }, { refresh: true });

/** PENDING_BILLING_KEY → ACTIVE with the encrypted key; false when it already had one. */
export async function activateSubscription(em: Em, id: string, billingKeyEnc: string, cardMasked: string | null): Promise<boolean> {
  const moved = await em.nativeUpdate(
    SubscriptionEntity,
    { id, status: 'PENDING_BILLING_KEY' },
    { status: 'ACTIVE', billingKeyEnc, cardMasked, activatedAt: raw('now()') },
  );
  return moved > 0;
}

/** The stored (encrypted) billing key, or null. */
export async function storedBillingKey(em: Em, id: string): Promise<string | null> {
  const s = await em.findOne(SubscriptionEntity, { id }, { populate: ['billingKeyEnc'], refresh: true });
  return s?.billingKeyEnc ?? null;
}

/** Records whose billing key was written under another key id than `activeKeyId`. */
export async function underOtherKeys(em: Em, activeKeyId: string, o: { batch: number; ids?: string[] }): Promise<Array<{ id: string; billingKeyEnc: string }>> {
  const rows = await em.find(
    SubscriptionEntity,
    { billingKeyEnc: { $ne: null }, $not: { billingKeyEnc: { $like: `${activeKeyId}:%` } }, ...(o.ids ? { id: { $in: o.ids } } : {}) },
    { fields: ['id', 'billingKeyEnc'], limit: o.batch, refresh: true },
  );
  return rows.map((r) => ({ id: r.id, billingKeyEnc: r.billingKeyEnc as string }));
}

/** Replaces one encrypted key, only if it is still the one read (a concurrent rewrap wins once). */
export async function replaceBillingKey(em: Em, id: string, from: string, to: string): Promise<boolean> {
  return (await em.nativeUpdate(SubscriptionEntity, { id, billingKeyEnc: from }, { billingKeyEnc: to })) > 0;
}
