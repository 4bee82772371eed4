import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createVerifier } from '@stampede/chassis/auth';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { newStores, redisStore } from '@stampede/chassis/stores';
import { createUpstreams } from './clients/upstreams';
import { apiDocument } from './domain/openapi';
import type { Config } from './config';
import type { Deps } from './deps';
import { fastRoutes, routes } from './http/routes';
import { cors, securityHeaders } from './http/security';
import { gatewayMetrics } from './metrics';
import { createLimiters } from './store/rate-limits';

export async function buildGateway(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('gateway');
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const upstreams = createUpstreams(
    { auth: config.UPSTREAM_AUTH, event: config.UPSTREAM_EVENT, entry: config.UPSTREAM_ENTRY, payment: config.UPSTREAM_PAYMENT },
    logger,
  );
  const deps: Deps = {
    verifier: createVerifier({ jwksUrl: config.AUTH_JWKS_URL, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, redis }),
    redis,
    rateLimitNamespace: config.RATE_LIMIT_NAMESPACE,
    blocked: new LRUCache<string, number>({ max: 100_000 }),
    identityKeys: config.INTERNAL_IDENTITY_KEYS,
    corsOrigins: new Set(config.CORS_ORIGINS),
    upstreams,
    limiters: createLimiters(redis, config.RATE_LIMIT_NAMESPACE),
    metrics: gatewayMetrics(metrics),
    csrfSecret: config.CSRF_SECRET,
    cookieSecure: config.COOKIE_SECURE,
    sandboxRoutes: config.SANDBOX_ROUTES,
    openapi: apiDocument({ sandboxRoutes: config.SANDBOX_ROUTES }),
    logger,
  };
  return createService({
    name: 'gateway',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    staticHeaders: securityHeaders(),
    before: (app) => app.use(cors(deps.corsOrigins)),
    // The route table's routes: bodies read raw under BODY_LIMIT and forwarded byte for byte
    // (webhook signatures cover the raw body).
    fast: fastRoutes(deps),
    routes: (app) => routes(app, deps),
    closers: [() => upstreams.close(), ...stores.closers],
  });
}
