import type { Logger } from 'pino';
import type { Verifier } from '@stampede/chassis/auth';
import type { AccessTokenSettings } from './domain/access-tokens';
import type { KeyRing } from './domain/signing-keys';
import type { SocialProvider, SocialStrategy } from './domain/social-login';
import type { AuthMetrics } from './metrics';
import type { LoginThrottle } from './store/login-throttle';
import type { RefreshTokenStore } from './store/refresh-tokens';
import type { SessionStore } from './store/sessions';
import type { UserStore } from './store/users';

/** Everything the auth use cases and routes use, built once in app.ts. */
export interface Deps {
  users: UserStore;
  refresh: RefreshTokenStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  keys: KeyRing;
  access: AccessTokenSettings;
  social: Map<SocialProvider, SocialStrategy>;
  /** Checks access tokens on the routes that need one (auth's own keys, the chassis verifier). */
  verifier: Verifier;
  /** A hash to verify against when the email is unknown (equal timing). */
  dummyHash: string;
  metrics: AuthMetrics;
  logger: Logger;
}
