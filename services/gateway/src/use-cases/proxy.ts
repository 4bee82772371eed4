import type { Principal } from '@stampede/contracts';
import { hasAnyRole } from '@stampede/contracts';
import { AppError } from '@stampede/chassis/errors';
import type { Deps } from '../deps';
import { changesState, csrfMatches } from '../domain/csrf';
import type { Answer, PublicRequest } from '../domain/forwarding';
import type { Route } from '../domain/routes';
import { consumeLimit } from './rate-limits';

/** The access and CSRF tokens a request presents, as read from its headers and cookies. */
export interface Credentials {
  /** From `Authorization: Bearer …`. */
  bearer?: string;
  /** From the access-token cookie. */
  cookie?: string;
  csrfHeader?: string;
  csrfCookie?: string;
}

export interface Admitted {
  /** The rate limit's headers, sent with whatever the service answers. */
  headers: Record<string, string>;
  /** The access token to send the service as a bearer header, when it came in the cookie. */
  bearer?: string;
}

/**
 * Whether a request to a route may go through: for a protected route a valid access token with one
 * of the route's roles, then the route's rate limit (per user once known, else per address).
 */
export async function admit(d: Deps, route: Route, req: { method: string; credentials: Credentials; ip?: string }): Promise<Admitted> {
  let principal: Principal | undefined;
  let bearer: string | undefined;
  if (route.access !== 'public') {
    ({ principal, bearer } = await authenticate(d, req.method, req.credentials));
    if (!hasAnyRole(principal, route.access)) throw new AppError('FORBIDDEN', 'You are not allowed to do this');
  }
  const headers = await consumeLimit(d, route.rateLimit, { userId: principal?.userId, ip: req.ip });
  return { headers, bearer };
}

/** The owning service's answer to an admitted request. */
export function forward(d: Deps, route: Route, req: PublicRequest, admitted: Admitted): Promise<Answer> {
  const headers = admitted.bearer ? { ...req.headers, authorization: `Bearer ${admitted.bearer}` } : req.headers;
  return d.upstreams.forward(route.upstream, { ...req, headers }, route.timeoutMs);
}

/**
 * A bearer token is used as is: a cross-site page cannot make a browser attach it, so it needs no
 * CSRF token. An access token in the cookie is attached by the browser to any request, so a
 * state-changing one must also echo the CSRF token (double submit). The cookie's token is then
 * forwarded as a bearer header: services verify it again themselves.
 */
async function authenticate(d: Deps, method: string, c: Credentials): Promise<{ principal: Principal; bearer?: string }> {
  if (c.bearer) return { principal: await d.verifier.verify(c.bearer) };
  if (!c.cookie) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  if (changesState(method) && !csrfMatches(d.csrfSecret, c.csrfHeader, c.csrfCookie)) {
    throw new AppError('CSRF_INVALID', 'A valid CSRF token is required for this request');
  }
  return { principal: await d.verifier.verify(c.cookie), bearer: c.cookie };
}
