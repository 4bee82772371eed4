import type { SubscriptionView } from '@stampede/contracts/api';

export interface Subscription {
  id: string;
  userId: string;
  customerKey: string;
  plan: string;
  billingCycle: string;
  amount: number;
  status: 'PENDING_BILLING_KEY' | 'ACTIVE' | 'CANCELED';
  /** `{keyId}:{iv}:{authTag}:{data}`, AES-256-GCM; the plain billing key is never stored. */
  billingKeyEnc: string | null;
  cardMasked: string | null;
  createdAt: Date;
  activatedAt: Date | null;
}

export const subscriptionView = (s: Subscription): SubscriptionView => ({
  subscriptionId: s.id,
  plan: s.plan,
  billingCycle: s.billingCycle,
  amount: s.amount,
  currency: 'KRW',
  status: s.status,
  customerKey: s.customerKey,
  cardMasked: s.cardMasked,
});
