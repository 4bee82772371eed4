import type { Logger } from 'pino';
import type { AccessTokenSettings } from '../domain/access-tokens';
import type { KeyRing } from '../domain/signing-keys';
import type { LoginThrottle } from '../store/login-throttle';
import type { RefreshTokenStore } from '../store/refresh-tokens';
import type { SessionStore } from '../store/sessions';
import type { UserStore } from '../store/users';
import type { AuthMetrics } from '../metrics';
import type { SocialProvider, SocialStrategy } from '../social';

/** Everything the auth flows use, built once in app.ts. */
export interface AuthDeps {
  users: UserStore;
  refresh: RefreshTokenStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  keys: KeyRing;
  access: AccessTokenSettings;
  social: Map<SocialProvider, SocialStrategy>;
  /** A hash to verify against when the email is unknown (equal timing). */
  dummyHash: string;
  metrics: AuthMetrics;
  logger: Logger;
}
