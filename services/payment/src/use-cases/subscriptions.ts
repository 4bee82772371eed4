import { reader, transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import { codeDetails, isVerdict, type BillingKeyIssue } from '../clients/psp/psp';
import type { Deps } from '../deps';
import { priceOf, type BillingCycle, type Plan } from '../domain/plans';
import { subscriptionView, type Subscription } from '../domain/subscription';
import { customerKeyOf } from '../store/customers';
import * as subscriptions from '../store/subscriptions';

/** A subscription start: the widget then registers a card for the returned customerKey. */
export async function createSubscription(deps: Deps, who: Principal, plan: Plan, billingCycle: BillingCycle) {
  const s = await transaction(deps.orm, async (em) =>
    subscriptions.createSubscription(em, { userId: who.userId, customerKey: await customerKeyOf(em, who.userId), plan, billingCycle, amount: priceOf(plan, billingCycle) }),
  );
  return subscriptionView(s);
}

async function owned(deps: Deps, who: Principal, id: string): Promise<Subscription> {
  const s = await subscriptions.findSubscription(reader(deps.orm), id);
  // Someone else's subscription looks like no subscription at all.
  if (!s || s.userId !== who.userId) throw new AppError('NOT_FOUND', 'Subscription not found');
  return s;
}

export async function getSubscription(deps: Deps, who: Principal, id: string) {
  return subscriptionView(await owned(deps, who, id));
}

/** Exchanges the widget's authKey for a billing key and stores it encrypted (AES-256-GCM). */
export async function registerBillingKey(deps: Deps, who: Principal, id: string, authKey: string) {
  const s = await owned(deps, who, id);
  if (s.status !== 'PENDING_BILLING_KEY') throw new AppError('INVALID_TRANSITION', 'This subscription already has a billing key');
  let issued: BillingKeyIssue;
  try {
    issued = await deps.psp.issueBillingKey({ authKey, customerKey: s.customerKey });
  } catch (e) {
    if (isVerdict(e)) throw new AppError('PAYMENT_FAILED', 'The card could not be registered', codeDetails(e));
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
  }
  const active = await transaction(deps.orm, async (em) =>
    (await subscriptions.activateSubscription(em, s.id, deps.cipher.encrypt(issued.billingKey), issued.cardMasked)) ? subscriptions.findSubscription(em, s.id) : null,
  );
  if (!active) throw new AppError('INVALID_TRANSITION', 'This subscription already has a billing key');
  deps.logger.info({ subscriptionId: s.id }, 'billing key registered');
  return subscriptionView(active);
}

/** The plain billing key, for a recurring charge. Throws if the stored record was tampered with. */
export async function billingKeyOf(deps: Pick<Deps, 'orm' | 'cipher'>, id: string): Promise<string | null> {
  const stored = await subscriptions.storedBillingKey(reader(deps.orm), id);
  return stored ? deps.cipher.decrypt(stored) : null;
}

/**
 * Re-encrypts records written under older keys with the active key, so a retired key can then be
 * removed from configuration. Records no configured key can open are counted, never changed.
 */
export async function rewrapBillingKeys(deps: Pick<Deps, 'orm' | 'cipher'>, opts: { batch?: number; ids?: string[] } = {}): Promise<{ moved: number; unreadable: number }> {
  const { cipher } = deps;
  return transaction(deps.orm, async (em) => {
    let moved = 0;
    let unreadable = 0;
    for (const r of await subscriptions.underOtherKeys(em, cipher.activeKey, { batch: opts.batch ?? 500, ids: opts.ids })) {
      let plain: string;
      try {
        plain = cipher.decrypt(r.billingKeyEnc);
      } catch {
        unreadable++;
        continue;
      }
      if (await subscriptions.replaceBillingKey(em, r.id, r.billingKeyEnc, cipher.encrypt(plain))) moved++;
    }
    return { moved, unreadable };
  });
}
