import { changesState, csrfMatches, CSRF_TTL_MS, issueCsrfToken, verifyCsrfToken } from '../src/domain/csrf';

const SECRET = 'k'.repeat(32);

describe('CSRF tokens', () => {
  it('when a token is issued, then it verifies with its secret until it expires, and never with another secret', () => {
    const now = Date.now();
    const { token, expiresIn } = issueCsrfToken(SECRET, now);
    expect(expiresIn).toBe(CSRF_TTL_MS);
    expect(verifyCsrfToken(SECRET, token, now)).toBe(true);
    expect(verifyCsrfToken(SECRET, token, now + CSRF_TTL_MS - 1)).toBe(true);
    expect(verifyCsrfToken(SECRET, token, now + CSRF_TTL_MS)).toBe(false);
    expect(verifyCsrfToken('o'.repeat(32), token, now)).toBe(false);
  });

  it('when a token is edited, truncated, extended or missing, then it does not verify', () => {
    const { token } = issueCsrfToken(SECRET);
    const [payload, mac] = token.split('.') as [string, string];
    const longer = Buffer.from(JSON.stringify({ nonce: 'x', exp: Date.now() + 10 * CSRF_TTL_MS })).toString('base64url');
    for (const bad of [undefined, '', payload, `${payload}.`, `${longer}.${mac}`, `${token}.x`, token.slice(0, -1), 'a'.repeat(600)]) {
      expect(verifyCsrfToken(SECRET, bad)).toBe(false);
    }
  });

  it('when the header and the cookie carry the same valid token, then they match; otherwise not', () => {
    const a = issueCsrfToken(SECRET).token;
    const b = issueCsrfToken(SECRET).token;
    expect(a).not.toBe(b);
    expect(csrfMatches(SECRET, a, a)).toBe(true);
    expect(csrfMatches(SECRET, a, b)).toBe(false);
    expect(csrfMatches(SECRET, a, undefined)).toBe(false);
    expect(csrfMatches(SECRET, undefined, a)).toBe(false);
    expect(csrfMatches('o'.repeat(32), a, a)).toBe(false);
  });

  it('when a request only reads, then it needs no CSRF token; every other method does', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(changesState)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(changesState)).toEqual([true, true, true, true]);
  });
});
