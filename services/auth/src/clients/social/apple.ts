import { createHash, timingSafeEqual } from 'node:crypto';
import type { SocialStrategy } from '../../domain/social-login';
import { idTokenVerifier, lowerEmail, type ProviderSettings } from './strategy';

/** Sign in with Apple: RS256 id_tokens; `email_verified` may be the string "true". */
export const APPLE_DEFAULTS = {
  issuers: ['https://appleid.apple.com'],
  jwksUrl: 'https://appleid.apple.com/auth/keys',
};

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Apple's client libraries send SHA-256(raw nonce) to Apple, so the token carries the hash while
 * the app holds the raw value: either form of the given nonce is accepted.
 */
const appleNonce = (claim: string, given: string) =>
  same(claim, given) || same(claim, createHash('sha256').update(given, 'utf8').digest('hex'));

export function appleStrategy(s: ProviderSettings): SocialStrategy {
  const verify = idTokenVerifier(s, { algorithms: ['RS256'], nonceMatches: appleNonce });
  return {
    provider: 'apple',
    async verify(idToken, nonce) {
      const p = await verify(idToken, nonce);
      const verified = p.email_verified === true || p.email_verified === 'true';
      return { subject: p.sub, email: verified ? lowerEmail(p.email) : null };
    },
  };
}
