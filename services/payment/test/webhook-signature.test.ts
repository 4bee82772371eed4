import { signWebhook, verifyWebhook } from '../src/domain/webhook-signature';

const secret = 'whsec_0123456789abcdef';
const body = Buffer.from('{"eventType":"PAYMENT_STATUS_CHANGED","data":{"orderId":"ord_1","status":"DONE"}}');
const now = 1_760_000_000;
const check = (o: Partial<Parameters<typeof verifyWebhook>[0]>) =>
  verifyWebhook({ secrets: [secret], signature: signWebhook(secret, now, body), timestamp: String(now), rawBody: body, toleranceSeconds: 300, nowSeconds: now, ...o });

describe('webhook signature (HMAC-SHA256 over timestamp and raw body)', () => {
  it('when the signature matches, then it is accepted', () => {
    expect(check({})).toEqual({ ok: true, timestamp: now });
  });

  it('when a byte of the body changed, then it is a mismatch', () => {
    expect(check({ rawBody: Buffer.from(body.toString().replace('DONE', 'CANCELED')) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when the timestamp is replaced with a fresh one, then the old signature no longer matches', () => {
    expect(check({ timestamp: String(now + 10) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when signed with another secret, then it is a mismatch', () => {
    expect(check({ signature: signWebhook('another-secret-xxxxxxxx', now, body) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it.each([
    ['older than 5 minutes', now - 301],
    ['more than 5 minutes in the future', now + 301],
  ])('when the timestamp is %s, then it is stale even with a valid signature', (_what, ts) => {
    expect(check({ timestamp: String(ts), signature: signWebhook(secret, ts, body) })).toEqual({ ok: false, reason: 'stale' });
  });

  it('when exactly 5 minutes old, then it is still accepted', () => {
    expect(check({ timestamp: String(now - 300), signature: signWebhook(secret, now - 300, body) }).ok).toBe(true);
  });

  it.each([
    ['signature', { signature: undefined }],
    ['timestamp', { timestamp: undefined }],
  ])('when the %s header is missing, then it is refused', (_what, o) => {
    expect(check(o)).toEqual({ ok: false, reason: 'missing' });
  });

  it('when the headers are malformed, then it is refused', () => {
    expect(check({ timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'malformed' });
    expect(check({ signature: 'sha256=abc' })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('during a secret rotation, then a delivery signed with the previous secret is accepted', () => {
    expect(check({ secrets: ['new-secret-yyyyyyyyyyyy', secret] }).ok).toBe(true);
  });
});
