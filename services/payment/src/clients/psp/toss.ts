import { PspError, type CancelRequest, type Charge, type ChargeRequest, type Psp } from './psp';

/** Toss error codes that mean the card itself said no, and the one that means "no money". */
const INSUFFICIENT = new Set(['NOT_ENOUGH_BALANCE', 'REJECT_ACCOUNT_PAYMENT', 'EXCEED_MAX_AMOUNT']);
const DECLINED = new Set(['REJECT_CARD_PAYMENT', 'REJECT_CARD_COMPANY', 'INVALID_CARD_NUMBER', 'INVALID_STOPPED_CARD', 'INVALID_CARD_EXPIRATION', 'NOT_AVAILABLE_PAYMENT', 'EXCEED_MAX_DAILY_PAYMENT_COUNT']);
/** Codes after which the outcome is unknown or the provider is at fault: safe to retry. */
const UNAVAILABLE = new Set(['PROVIDER_ERROR', 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING', 'UNKNOWN_PAYMENT_ERROR']);

interface TossOptions {
  baseUrl: string;
  secretKey: string;
  timeoutMs: number;
}

/**
 * Toss Payments: confirm (POST /v1/payments/confirm), cancel (POST /v1/payments/{key}/cancel)
 * and billing-key issue (POST /v1/billing/authorizations/issue), authenticated with HTTP Basic
 * `secretKey:`. Every call carries an Idempotency-Key, so a retry after a timeout is safe.
 */
export class TossPsp implements Psp {
  readonly provider = 'toss';
  private readonly authorization: string;

  constructor(private readonly o: TossOptions) {
    this.authorization = `Basic ${Buffer.from(`${o.secretKey}:`).toString('base64')}`;
  }

  async confirm(req: ChargeRequest): Promise<Charge> {
    const body = await this.call('/v1/payments/confirm', { paymentKey: req.paymentKey, orderId: req.orderId, amount: req.amount }, req.idempotencyKey);
    if (body.status !== 'DONE') throw new PspError('REJECTED', `STATUS_${String(body.status)}`, 'The payment was not approved');
    return { approvedAt: new Date(String(body.approvedAt ?? new Date().toISOString())), status: 'DONE' };
  }

  async cancel(req: CancelRequest): Promise<{ canceledAt: Date }> {
    try {
      await this.call(`/v1/payments/${encodeURIComponent(req.paymentKey)}/cancel`, { cancelReason: req.reason, cancelAmount: req.amount }, req.idempotencyKey);
    } catch (e) {
      if (!(e instanceof PspError && e.pspCode === 'ALREADY_CANCELED_PAYMENT')) throw e;
    }
    return { canceledAt: new Date() };
  }

  async issueBillingKey(req: { authKey: string; customerKey: string }) {
    const body = await this.call('/v1/billing/authorizations/issue', req);
    const card = body.card as { number?: unknown } | undefined;
    if (typeof body.billingKey !== 'string') throw new PspError('REJECTED', 'INVALID_RESPONSE', 'The gateway returned no billing key');
    return { billingKey: body.billingKey, cardMasked: typeof card?.number === 'string' ? card.number : null };
  }

  private async call(path: string, payload: unknown, idempotencyKey?: string): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.o.baseUrl), {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch {
      throw new PspError('UNAVAILABLE', 'NETWORK', 'The payment gateway could not be reached');
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) return body;
    const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
    if (res.status >= 500 || UNAVAILABLE.has(code)) throw new PspError('UNAVAILABLE', code, 'The payment gateway is unavailable');
    if (INSUFFICIENT.has(code)) throw new PspError('INSUFFICIENT_FUNDS', code, 'The card has insufficient funds');
    if (DECLINED.has(code)) throw new PspError('DECLINED', code, 'The card was declined by the issuer');
    throw new PspError('REJECTED', code, 'The payment gateway rejected the request');
  }
}
