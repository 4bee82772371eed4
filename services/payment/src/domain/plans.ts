import type { BillingCycle, Plan } from '@stampede/contracts/api';

/** Subscription plans (the API's PLANS) and their prices in integer KRW per billing cycle. */
export type { BillingCycle, Plan };

const MONTHLY: Record<Plan, number> = { basic: 9_900, pro: 29_900 };

/** Yearly is ten months' price: two months free. */
export const priceOf = (plan: Plan, cycle: BillingCycle): number => (cycle === 'monthly' ? MONTHLY[plan] : MONTHLY[plan] * 10);
