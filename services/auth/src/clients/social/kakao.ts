import type { SocialStrategy } from '../../domain/social-login';
import { idTokenVerifier, type ProviderSettings } from './strategy';

/** Kakao Login (OpenID Connect): RS256 id_tokens from kauth.kakao.com. */
export const KAKAO_DEFAULTS = {
  issuers: ['https://kauth.kakao.com'],
  jwksUrl: 'https://kauth.kakao.com/.well-known/jwks.json',
};

export function kakaoStrategy(s: ProviderSettings): SocialStrategy {
  const verify = idTokenVerifier(s, { algorithms: ['RS256'] });
  return {
    provider: 'kakao',
    async verify(idToken, nonce) {
      const p = await verify(idToken, nonce);
      // Kakao's id_token carries no email_verified flag, so its email is not recorded.
      return { subject: p.sub, email: null };
    },
  };
}
