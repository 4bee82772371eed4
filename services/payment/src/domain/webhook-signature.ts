import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook deliveries are signed HMAC-SHA256 over `{timestamp}.{rawBody}`: the timestamp is inside
 * the MAC, so an old delivery cannot be replayed with a fresh timestamp. Header format (the API's
 * X-Webhook-Signature and X-Webhook-Timestamp) `X-Webhook-Signature: v1=<hex>`, several `v1=`
 * entries comma separated during a rotation.
 */

export function signWebhook(secret: string, timestamp: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `v1=${mac}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export function verifyWebhook(opts: {
  secrets: string[];
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: Buffer;
  toleranceSeconds: number;
  nowSeconds?: number;
}): SignatureCheck {
  if (!opts.signature || !opts.timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(opts.timestamp)) return { ok: false, reason: 'malformed' };
  const ts = Number(opts.timestamp);
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > opts.toleranceSeconds) return { ok: false, reason: 'stale' };
  const given = opts.signature
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^v1=[0-9a-f]{64}$/.test(s))
    .map((s) => Buffer.from(s.slice(3), 'hex'));
  if (given.length === 0) return { ok: false, reason: 'malformed' };
  for (const secret of opts.secrets) {
    const expected = Buffer.from(signWebhook(secret, ts, opts.rawBody).slice(3), 'hex');
    if (given.some((g) => timingSafeEqual(g, expected))) return { ok: true, timestamp: ts };
  }
  return { ok: false, reason: 'mismatch' };
}
