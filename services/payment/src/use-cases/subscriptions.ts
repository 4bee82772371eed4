import { AppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import { priceOf, type BillingCycle, type Plan } from '../domain/plans';
import { PgError } from '../pg/gateway';
import { customerKeyOf } from '../store/customers';
import type { Subscription } from '../store/model';
import type { PaymentContext } from './context';
import { timed } from './gateway-call';

export const subscriptionView = (s: Subscription) => ({
  subscriptionId: s.id,
  plan: s.plan,
  billingCycle: s.billingCycle,
  amount: s.amount,
  currency: 'KRW',
  status: s.status,
  customerKey: s.customerKey,
  cardMasked: s.cardMasked,
});

/** Seed 004's subscription start: the widget then registers a card for the returned customerKey. */
export async function createSubscription(ctx: PaymentContext, who: Principal, plan: Plan, billingCycle: BillingCycle) {
  const customerKey = await customerKeyOf(ctx.knex, who.userId);
  const s = await ctx.subscriptions.create({ userId: who.userId, customerKey, plan, billingCycle, amount: priceOf(plan, billingCycle) });
  return subscriptionView(s);
}

async function owned(ctx: PaymentContext, who: Principal, id: string): Promise<Subscription> {
  const s = await ctx.subscriptions.findById(id);
  // Someone else's subscription looks like no subscription at all.
  if (!s || s.userId !== who.userId) throw new AppError('NOT_FOUND', 'Subscription not found');
  return s;
}

export async function getSubscription(ctx: PaymentContext, who: Principal, id: string) {
  return subscriptionView(await owned(ctx, who, id));
}

/** Exchanges the widget's authKey for a billing key and stores it encrypted (AES-256-GCM). */
export async function registerBillingKey(ctx: PaymentContext, who: Principal, id: string, authKey: string) {
  const s = await owned(ctx, who, id);
  if (s.status !== 'PENDING_BILLING_KEY') throw new AppError('INVALID_TRANSITION', 'This subscription already has a billing key');
  let issued;
  try {
    issued = await timed(ctx.metrics, 'billing_key', () => ctx.gateway.issueBillingKey({ authKey, customerKey: s.customerKey }));
  } catch (e) {
    if (e instanceof PgError && e.kind !== 'UNAVAILABLE') throw new AppError('PAYMENT_FAILED', 'The card could not be registered', { pgCode: e.pgCode });
    throw new AppError('UPSTREAM_UNAVAILABLE', 'The payment gateway is unavailable; retry shortly');
  }
  if (!(await ctx.subscriptions.activate(s.id, issued.billingKey, issued.cardMasked))) {
    throw new AppError('INVALID_TRANSITION', 'This subscription already has a billing key');
  }
  ctx.logger.info({ subscriptionId: s.id }, 'billing key registered');
  return subscriptionView((await ctx.subscriptions.findById(s.id)) as Subscription);
}
