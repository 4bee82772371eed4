import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Verifier } from '@stampede/chassis/auth';
import type { AccessTokenSettings } from './domain/access-tokens';
import type { KeyRing } from './domain/signing-keys';
import type { SocialProvider, SocialStrategy } from './domain/social-login';
import type { AuthMetrics } from './metrics';
import type { LoginThrottle } from './store/login-throttle';
import type { SessionStore } from './store/sessions';

/** Everything the auth use cases and routes use, built once in app.ts. */
export interface Deps {
  /** Accounts and refresh-token families (PostgreSQL): use cases open `transaction(orm, …)` or `reader(orm)`. */
  orm: MikroORM;
  /** Live sessions (Redis), in the layout the chassis verifier reads. */
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** Proofs of work asked of logins on an account under attack: the MAC key and the difficulty. */
  loginProof: { key: Buffer; bits: number; ttlMs: number };
  keys: KeyRing;
  access: AccessTokenSettings;
  /** How long a refresh token (and so its session) lives. */
  refreshTtlSeconds: number;
  social: Map<SocialProvider, SocialStrategy>;
  /** Checks access tokens on the routes that need one (auth's own keys, the chassis verifier). */
  verifier: Verifier;
  /** A hash to verify against when the email is unknown (equal timing). */
  dummyHash: string;
  metrics: AuthMetrics;
  logger: Logger;
}
