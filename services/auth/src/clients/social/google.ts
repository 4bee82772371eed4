import type { SocialStrategy } from '../../domain/social-login';
import { idTokenVerifier, lowerEmail, type ProviderSettings } from './strategy';

/** Google Sign-In: RS256 id_tokens; both issuer spellings are in use. */
export const GOOGLE_DEFAULTS = {
  issuers: ['https://accounts.google.com', 'accounts.google.com'],
  jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
};

export function googleStrategy(s: ProviderSettings): SocialStrategy {
  const verify = idTokenVerifier(s, { algorithms: ['RS256'] });
  return {
    provider: 'google',
    async verify(idToken, nonce) {
      const p = await verify(idToken, nonce);
      return { subject: p.sub, email: p.email_verified === true ? lowerEmail(p.email) : null };
    },
  };
}
