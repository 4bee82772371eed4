/**
 * What the payment service needs from a payment service provider (PSP). Implementations: the
 * in-project sandbox (local platform, tests, load runs) and Toss Payments. Secrets and payment
 * keys go to the provider only; nothing here logs them.
 */
export interface ChargeRequest {
  paymentKey: string;
  orderId: string;
  /** Integer KRW, from the sealed reservation. */
  amount: number;
  /** Sent as the provider's Idempotency-Key, so a retried call never charges twice. */
  idempotencyKey: string;
}

export interface CancelRequest {
  paymentKey: string;
  amount: number;
  reason: string;
  idempotencyKey: string;
}

export interface Charge {
  approvedAt: Date;
  status: string;
}

export interface BillingKeyIssue {
  billingKey: string;
  cardMasked: string | null;
}

export interface Psp {
  readonly provider: 'sandbox' | 'toss';
  confirm(req: ChargeRequest): Promise<Charge>;
  /** Cancels (voids or refunds) a charge; cancelling an already cancelled charge succeeds. */
  cancel(req: CancelRequest): Promise<{ canceledAt: Date }>;
  issueBillingKey(req: { authKey: string; customerKey: string }): Promise<BillingKeyIssue>;
}

/**
 * A provider's refusal. `kind` drives the answer: DECLINED and INSUFFICIENT_FUNDS are the card's
 * verdict (402, the user may retry), REJECTED is a request the provider would not process (402),
 * UNAVAILABLE means the outcome is unknown or the provider is down (503, safe to retry: the
 * provider's idempotency key prevents a double charge).
 */
export type PspFailureKind = 'DECLINED' | 'INSUFFICIENT_FUNDS' | 'REJECTED' | 'UNAVAILABLE';

export class PspError extends Error {
  constructor(
    readonly kind: PspFailureKind,
    /** The provider's code, safe to store and log (never carries card data). */
    readonly pspCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'PspError';
  }
}

/** A refusal that is the card's or the request's verdict, not an outage (the user may act on it). */
export const isVerdict = (e: unknown): e is PspError => e instanceof PspError && e.kind !== 'UNAVAILABLE';

/**
 * The provider's code as error details carry it. `pgCode` ("payment gateway") is the field name
 * clients already read in 402 answers, so it keeps that name.
 */
export const codeDetails = (e: PspError) => ({ pgCode: e.pspCode });
