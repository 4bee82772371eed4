import type { Config } from '../../config';
import type { SocialProvider, SocialStrategy } from '../../domain/social-login';
import { APPLE_DEFAULTS, appleStrategy } from './apple';
import { GOOGLE_DEFAULTS, googleStrategy } from './google';
import { KAKAO_DEFAULTS, kakaoStrategy } from './kakao';
import type { ProviderSettings } from './strategy';

const PROVIDERS: Record<SocialProvider, {
  defaults: { issuers: string[]; jwksUrl: string };
  make: (s: ProviderSettings) => SocialStrategy;
  settings: (c: Config) => { clientIds?: string[] | undefined; issuers?: string[] | undefined; jwksUrl?: string | undefined };
}> = {
  google: {
    defaults: GOOGLE_DEFAULTS,
    make: googleStrategy,
    settings: (c) => ({ clientIds: c.SOCIAL_GOOGLE_CLIENT_IDS, issuers: c.SOCIAL_GOOGLE_ISSUERS, jwksUrl: c.SOCIAL_GOOGLE_JWKS_URL }),
  },
  apple: {
    defaults: APPLE_DEFAULTS,
    make: appleStrategy,
    settings: (c) => ({ clientIds: c.SOCIAL_APPLE_CLIENT_IDS, issuers: c.SOCIAL_APPLE_ISSUERS, jwksUrl: c.SOCIAL_APPLE_JWKS_URL }),
  },
  kakao: {
    defaults: KAKAO_DEFAULTS,
    make: kakaoStrategy,
    settings: (c) => ({ clientIds: c.SOCIAL_KAKAO_CLIENT_IDS, issuers: c.SOCIAL_KAKAO_ISSUERS, jwksUrl: c.SOCIAL_KAKAO_JWKS_URL }),
  },
};

/** The strategies of the providers that have client ids configured. */
export function socialStrategies(config: Config): Map<SocialProvider, SocialStrategy> {
  const enabled = new Map<SocialProvider, SocialStrategy>();
  for (const [name, p] of Object.entries(PROVIDERS) as [SocialProvider, (typeof PROVIDERS)[SocialProvider]][]) {
    const s = p.settings(config);
    if (!s.clientIds?.length) continue;
    enabled.set(
      name,
      p.make({
        clientIds: s.clientIds,
        issuers: s.issuers?.length ? s.issuers : p.defaults.issuers,
        jwksUrl: s.jwksUrl ?? p.defaults.jwksUrl,
        cooldownMs: config.SOCIAL_JWKS_COOLDOWN_MS,
      }),
    );
  }
  return enabled;
}
