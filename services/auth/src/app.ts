import { hkdfSync } from 'node:crypto';
import { createLocalJWKSet } from 'jose';
import type { Logger } from 'pino';
import { verifierFromConfig } from '@stampede/chassis/auth';
import { ConfigError } from '@stampede/chassis/config';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { newStores, postgresStore, redisStore } from '@stampede/chassis/stores';
import { socialStrategies } from './clients/social';
import type { Config } from './config';
import type { Deps } from './deps';
import { dummyHash } from './domain/credentials';
import { loadKeyRing, type KeyRing } from './domain/signing-keys';
import { routes } from './http/routes';
import { authMetrics } from './metrics';
import { LoginThrottle } from './store/login-throttle';
import { model } from './store/model';
import { SessionStore } from './store/sessions';
import { adminSetting, bootstrapAdmin } from './use-cases/admin';

async function keyRing(config: Config): Promise<KeyRing> {
  try {
    return await loadKeyRing(config.AUTH_SIGNING_KEYS);
  } catch (e) {
    throw new ConfigError([{ variable: 'AUTH_SIGNING_KEYS', problem: e instanceof Error ? e.message : String(e) }]);
  }
}

/** How long a login challenge may be solved and used. */
const LOGIN_PROOF_TTL_MS = 5 * 60_000;

/**
 * Every replica derives the same challenge key from the active signing key (no extra secret to
 * distribute); a key rotation only voids challenges issued in the last few minutes.
 */
const loginProofKey = (keys: Config['AUTH_SIGNING_KEYS']) =>
  Buffer.from(hkdfSync('sha256', Buffer.from((keys[0] as { d: string }).d, 'base64url'), 'stampede-auth', 'login-proof', 32));

export async function buildAuth(config: Config, logger: Logger): Promise<RunningService> {
  // Configuration problems stop the start before anything connects.
  const keys = await keyRing(config);
  const admin = adminSetting(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  const social = socialStrategies(config);

  const metrics = createMetrics('auth');
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const orm = await postgresStore(config, model, stores);

  // Auth checks its own tokens with its own public keys: the same verifier every service uses.
  const verifier = verifierFromConfig(config, redis, logger, createLocalJWKSet(keys.jwks));
  const deps: Deps = {
    orm,
    // A session lives as long as its refresh chain; access tokens are re-issued within it.
    sessions: new SessionStore(redis, config.REFRESH_TOKEN_TTL_SECONDS, config.MAX_SESSIONS_PER_USER),
    throttle: new LoginThrottle(redis, {
      maxFailuresPerAccountAddress: config.LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS,
      maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_IP,
      proofAfterAccountFailures: config.LOGIN_PROOF_AFTER_ACCOUNT_FAILURES,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    }),
    loginProof: { key: loginProofKey(config.AUTH_SIGNING_KEYS), bits: config.LOGIN_PROOF_BITS, ttlMs: LOGIN_PROOF_TTL_MS },
    keys,
    access: { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS },
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    social,
    verifier,
    dummyHash: await dummyHash(),
    metrics: authMetrics(metrics.registry),
    logger,
  };
  if (admin) await bootstrapAdmin(deps, admin);
  logger.info({ kid: keys.active.kid, published: keys.jwks.keys.length, social: [...social.keys()] }, 'auth configured');

  return createService({
    name: 'auth',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    routes: (app) => routes(app, deps),
    closers: stores.closers,
  });
}
