import type { Logger } from 'pino';
import type { Verifier } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole } from '@stampede/contracts';
import type { Express, RequestHandler } from 'express';
import type { Counter } from 'prom-client';
import { issueCsrfToken, CSRF_TTL_MS } from '../domain/csrf';
import { ROUTES, type Route } from '../routes/table';
import { CSRF_COOKIE } from './cookies';
import { authenticateRoute } from './credentials';
import type { Proxy } from './proxy';
import { rateLimit, type Limiters } from './rate-limit';

export interface RouteDeps {
  verifier: Verifier;
  proxy: Proxy;
  limiters: Limiters;
  rateLimited: Counter<'limit'>;
  csrfSecret: string;
  cookieSecure: boolean;
  sandboxRoutes: boolean;
  logger: Logger;
}

const requireRoles = (route: Route): RequestHandler => (req, _res, next) => {
  if (route.access !== 'public' && req.principal && !hasAnyRole(req.principal, route.access)) {
    return next(new AppError('FORBIDDEN', 'You are not allowed to do this'));
  }
  next();
};

/** Mounts every route of the table: authentication, roles, rate limit, then the upstream. */
export function mountRoutes(app: Express, d: RouteDeps): void {
  app.post('/csrf/token', rateLimit(d.limiters, 'csrfToken', d.rateLimited, d.logger), (_req, res) => {
    const { token, expiresIn } = issueCsrfToken(d.csrfSecret);
    res.cookie(CSRF_COOKIE, token, {
      httpOnly: true,
      secure: d.cookieSecure,
      sameSite: 'strict',
      path: '/',
      maxAge: CSRF_TTL_MS,
    });
    res.json({ token, expiresIn });
  });

  for (const route of ROUTES) {
    if (route.sandbox && !d.sandboxRoutes) continue;
    const handlers: RequestHandler[] = [];
    if (route.access !== 'public') handlers.push(authenticateRoute(d.verifier, d.csrfSecret), requireRoles(route));
    handlers.push(rateLimit(d.limiters, route.rateLimit, d.rateLimited, d.logger));
    handlers.push((req, res) => d.proxy.forward(req, res, route.upstream, route.timeoutMs));
    app[route.method.toLowerCase() as 'get'](route.path, ...handlers);
  }
}
