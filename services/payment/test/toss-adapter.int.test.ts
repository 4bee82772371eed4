import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PspError } from '../src/clients/psp/psp';
import { TossPsp } from '../src/clients/psp/toss';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A local double of the Toss Payments API: records each request and answers what the test says. */
async function tossDouble() {
  const seen: Seen[] = [];
  let answer: (s: Seen) => { status: number; body: unknown } = () => ({ status: 200, body: {} });
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} };
      seen.push(s);
      const a = answer(s);
      res.statusCode = a.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answer: (f: typeof answer) => (answer = f),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Toss Payments adapter against a local double', () => {
  let toss: Awaited<ReturnType<typeof tossDouble>>;
  let gateway: TossPsp;
  const secretKey = 'test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R';

  beforeAll(async () => {
    toss = await tossDouble();
    gateway = new TossPsp({ baseUrl: toss.url, secretKey, timeoutMs: 2_000 });
  });
  afterAll(() => toss.stop());

  it('when confirming, then it POSTs /v1/payments/confirm with Basic secretKey:, the idempotency key and the exact body', async () => {
    toss.answer(() => ({ status: 200, body: { paymentKey: 'pk_1', orderId: 'ord_123456', status: 'DONE', approvedAt: '2026-01-30T10:00:00+09:00', totalAmount: 39000 } }));
    const charge = await gateway.confirm({ paymentKey: 'pk_1', orderId: 'ord_123456', amount: 39_000, idempotencyKey: 'confirm-1' });
    expect(charge).toEqual({ approvedAt: new Date('2026-01-30T01:00:00Z'), status: 'DONE' });
    const req = toss.seen.at(-1) as Seen;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/payments/confirm');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`);
    expect(req.headers['idempotency-key']).toBe('confirm-1');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ paymentKey: 'pk_1', orderId: 'ord_123456', amount: 39_000 });
  });

  it.each([
    [400, 'REJECT_CARD_PAYMENT', 'DECLINED'],
    [400, 'NOT_ENOUGH_BALANCE', 'INSUFFICIENT_FUNDS'],
    [400, 'ALREADY_PROCESSED_PAYMENT', 'REJECTED'],
    [500, 'FAILED_INTERNAL_SYSTEM_PROCESSING', 'UNAVAILABLE'],
    [503, 'SOMETHING', 'UNAVAILABLE'],
  ])('when Toss answers %i %s, then the adapter reports %s', async (status, code, kind) => {
    toss.answer(() => ({ status, body: { code, message: '카드 결제 실패' } }));
    const err = await gateway.confirm({ paymentKey: 'pk_2', orderId: 'ord_123456', amount: 1, idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PspError);
    expect(err).toMatchObject({ kind, pspCode: code });
    // The provider's text is not passed on (it may carry details meant for the merchant).
    expect((err as PspError).message).not.toContain('카드');
  });

  it('when cancelling, then it POSTs /v1/payments/{paymentKey}/cancel with reason and amount; an already cancelled payment counts as done', async () => {
    toss.answer(() => ({ status: 200, body: { status: 'CANCELED' } }));
    await gateway.cancel({ paymentKey: 'pk/3', amount: 39_000, reason: 'hold expired', idempotencyKey: 'void-1' });
    const req = toss.seen.at(-1) as Seen;
    expect(req.path).toBe('/v1/payments/pk%2F3/cancel');
    expect(req.headers['idempotency-key']).toBe('void-1');
    expect(req.body).toEqual({ cancelReason: 'hold expired', cancelAmount: 39_000 });

    toss.answer(() => ({ status: 400, body: { code: 'ALREADY_CANCELED_PAYMENT' } }));
    await expect(gateway.cancel({ paymentKey: 'pk_3', amount: 1, reason: 'x', idempotencyKey: 'void-1' })).resolves.toHaveProperty('canceledAt');
    toss.answer(() => ({ status: 400, body: { code: 'NOT_CANCELABLE_PAYMENT' } }));
    await expect(gateway.cancel({ paymentKey: 'pk_3', amount: 1, reason: 'x', idempotencyKey: 'void-2' })).rejects.toMatchObject({ kind: 'REJECTED' });
  });

  it('when issuing a billing key, then it POSTs /v1/billing/authorizations/issue with authKey and customerKey', async () => {
    toss.answer(() => ({ status: 200, body: { billingKey: 'bk_live_1', customerKey: 'cust_1', card: { number: '433012******1234' } } }));
    await expect(gateway.issueBillingKey({ authKey: 'ak_1', customerKey: 'cust_1' })).resolves.toEqual({ billingKey: 'bk_live_1', cardMasked: '433012******1234' });
    const req = toss.seen.at(-1) as Seen;
    expect(req.path).toBe('/v1/billing/authorizations/issue');
    expect(req.body).toEqual({ authKey: 'ak_1', customerKey: 'cust_1' });
  });

  it('when Toss cannot be reached, then the adapter reports UNAVAILABLE', async () => {
    const down = new TossPsp({ baseUrl: 'http://127.0.0.1:9', secretKey, timeoutMs: 500 });
    await expect(down.confirm({ paymentKey: 'p', orderId: 'ord_123456', amount: 1, idempotencyKey: 'k' })).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
  });
});
