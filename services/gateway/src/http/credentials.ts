import { bearerToken, type Verifier } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import type { RequestHandler } from 'express';
import { csrfMatches } from '../domain/csrf';
import { ACCESS_COOKIE, CSRF_COOKIE, parseCookies } from './cookies';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates a protected route. A bearer token is used as is: a cross-site page cannot make a
 * browser attach it, so it needs no CSRF token. An access token in the cookie is attached by the
 * browser to any request, so a state-changing one must also echo the CSRF token (double submit).
 * The token is then forwarded as a bearer header: services verify it again themselves.
 */
export function authenticateRoute(verifier: Verifier, csrfSecret: string): RequestHandler {
  return async (req, _res, next) => {
    let token = bearerToken(req.header('authorization'));
    if (!token) {
      const cookies = parseCookies(req.header('cookie'));
      token = cookies[ACCESS_COOKIE];
      if (!token) return next(new AppError('AUTH_REQUIRED', 'Authentication required'));
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(csrfSecret, req.header('x-csrf-token'), cookies[CSRF_COOKIE])) {
        return next(new AppError('CSRF_INVALID', 'A valid CSRF token is required for this request'));
      }
      req.headers.authorization = `Bearer ${token}`;
    }
    req.principal = await verifier.verify(token);
    next();
  };
}
