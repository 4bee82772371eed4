/** Subscription plans and their prices in integer KRW per billing cycle. */
export const PLANS = ['basic', 'pro'] as const;
export const BILLING_CYCLES = ['monthly', 'yearly'] as const;
export type Plan = (typeof PLANS)[number];
export type BillingCycle = (typeof BILLING_CYCLES)[number];

const MONTHLY: Record<Plan, number> = { basic: 9_900, pro: 29_900 };

/** Yearly is ten months' price: two months free. */
export const priceOf = (plan: Plan, cycle: BillingCycle): number => (cycle === 'monthly' ? MONTHLY[plan] : MONTHLY[plan] * 10);
