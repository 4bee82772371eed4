import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for browsers authenticated by cookie: `<payload>.<HMAC-SHA256(payload)>`, payload =
 * base64url JSON {nonce, exp}. The token is set as a SameSite=Strict cookie and must be echoed in
 * the X-CSRF-Token header of a cookie-authenticated state-changing request (double submit): a
 * cross-site page can make the browser send the cookie but cannot read it to fill the header.
 */
export const CSRF_TTL_MS = 3_600_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requests that change nothing need no CSRF token. */
export const changesState = (method: string) => !SAFE_METHODS.has(method);

export function issueCsrfToken(secret: string, now = Date.now()): { token: string; expiresIn: number } {
  const payload = Buffer.from(JSON.stringify({ nonce: randomBytes(16).toString('base64url'), exp: now + CSRF_TTL_MS })).toString('base64url');
  return { token: `${payload}.${sign(secret, payload)}`, expiresIn: CSRF_TTL_MS };
}

export function verifyCsrfToken(secret: string, token: string | undefined, now = Date.now()): boolean {
  if (!token || token.length > 512) return false;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return false;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp?: unknown };
    return typeof exp === 'number' && exp > now;
  } catch {
    return false;
  }
}

/** The header token must be valid and the same as the cookie's. */
export function csrfMatches(secret: string, header: string | undefined, cookie: string | undefined): boolean {
  if (!header || !cookie || header.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(header), Buffer.from(cookie)) && verifyCsrfToken(secret, header);
}

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
