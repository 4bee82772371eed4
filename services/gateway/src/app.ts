import type { Logger } from 'pino';
import { createVerifier } from '@stampede/chassis/auth';
import { createMetrics } from '@stampede/chassis/metrics';
import { createService, type RunningService, serviceOptionsFrom } from '@stampede/chassis/service';
import { newStores, redisStore } from '@stampede/chassis/stores';
import express from 'express';
import { Counter } from 'prom-client';
import type { Config } from './config';
import { createProxy } from './http/proxy';
import { createLimiters } from './http/rate-limit';
import { RATE_LIMITS } from './routes/limits';
import { mountRoutes } from './http/routes';
import { mountDocs } from './openapi/serve';
import { cors, securityHeaders } from './http/security';

export async function buildGateway(config: Config, logger: Logger): Promise<RunningService> {
  const metrics = createMetrics('gateway');
  const stores = newStores(metrics.registry);
  const redis = redisStore(config, stores);
  const verifier = createVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    redis,
  });
  const proxy = createProxy(
    { auth: config.UPSTREAM_AUTH, event: config.UPSTREAM_EVENT, entry: config.UPSTREAM_ENTRY, payment: config.UPSTREAM_PAYMENT },
    logger,
  );
  const rateLimited = new Counter({
    name: 'stampede_rate_limit_rejections_total',
    help: 'Requests refused with 429 by the gateway, by limit',
    labelNames: ['limit'] as const,
    registers: [metrics.registry],
  });
  // Every limit exported from the start (at 0), so dashboards and alerts see the series.
  for (const limit of Object.keys(RATE_LIMITS)) rateLimited.inc({ limit }, 0);
  return createService({
    name: 'gateway',
    logger,
    metrics,
    ...serviceOptionsFrom(config),
    checks: stores.checks,
    before: (app) => {
      app.use(securityHeaders());
      app.use(cors(config.CORS_ORIGINS));
      // Bodies are forwarded byte for byte (webhook signatures cover the raw body); the limit
      // still applies here, before any service sees the request.
      app.use(express.raw({ type: () => true, limit: config.BODY_LIMIT }));
    },
    routes: (app) => {
      mountDocs(app);
      mountRoutes(app, {
        verifier,
        proxy,
        limiters: createLimiters(redis, config.RATE_LIMIT_NAMESPACE),
        rateLimited,
        csrfSecret: config.CSRF_SECRET,
        cookieSecure: config.COOKIE_SECURE,
        sandboxRoutes: config.SANDBOX_ROUTES,
        logger,
      });
    },
    closers: [() => proxy.close(), ...stores.closers],
  });
}
