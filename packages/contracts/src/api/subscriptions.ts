import { z } from 'zod';
import { krw } from './common';

/** Subscription plans and billing cycles. */
export const PLANS = ['basic', 'pro'] as const;
export const BILLING_CYCLES = ['monthly', 'yearly'] as const;
export type Plan = (typeof PLANS)[number];
export type BillingCycle = (typeof BILLING_CYCLES)[number];

export const SUBSCRIPTION_STATUSES = ['PENDING_BILLING_KEY', 'ACTIVE', 'CANCELED'] as const;

// Requests

export const subscriptionBody = z.object({ plan: z.enum(PLANS), billingCycle: z.enum(BILLING_CYCLES) }).strict();

export const billingKeyBody = z.object({ authKey: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/, 'not an auth key') }).strict();

// Responses

/** A subscription as its owner reads it; the billing key itself never leaves the service. */
export const subscriptionView = z.strictObject({
  subscriptionId: z.uuid(),
  plan: z.string(),
  billingCycle: z.string(),
  /** Per billing cycle. */
  amount: krw,
  currency: z.literal('KRW'),
  status: z.enum(SUBSCRIPTION_STATUSES),
  /** The payment widget registers a card for this customer. */
  customerKey: z.string(),
  cardMasked: z.string().nullable(),
}).meta({ id: 'Subscription' });
export type SubscriptionView = z.infer<typeof subscriptionView>;
