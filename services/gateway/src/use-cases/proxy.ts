import { AppError } from '@stampede/chassis/errors';
import { hasAnyRole, signIdentity, type Principal } from '@stampede/contracts';
import type { Deps } from '../deps';
import { changesState, csrfMatches } from '../domain/csrf';
import type { Answer, PublicRequest } from '../domain/forwarding';
import { RATE_LIMITS, type RateLimitName } from '../domain/limits';
import type { Route } from '../domain/routes';
import { sessionAndLimit } from '../store/session-limits';
import { consumeLimit, limited } from './rate-limits';

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
  /** Who the gateway vouches for to the service (protected routes). */
  principal?: Principal;
}

/** How long a service may take to receive the identity the gateway signed for a request. */
const IDENTITY_TTL_MS = 10_000;

/**
 * Whether a request to a route may go through. A protected route needs a valid access token (its
 * signature checked once per token per replica) with one of the route's roles, and then one Redis
 * round trip decides both that its session is live and that the user is within the route's limit.
 * A public route counts against its limit per client address.
 */
export async function admit(d: Deps, route: Route, req: { method: string; credentials: Credentials; ip: string }): Promise<Admitted> {
  if (route.access === 'public') return { headers: await consumeLimit(d, route.rateLimit, { ip: req.ip }) };
  const principal = await d.verifier.verifyToken(tokenOf(d, req.method, req.credentials));
  if (!hasAnyRole(principal, route.access)) throw new AppError('FORBIDDEN', 'You are not allowed to do this');
  return { principal, headers: await sessionWithinLimit(d, route.rateLimit, principal) };
}

async function sessionWithinLimit(d: Deps, name: RateLimitName, who: Principal): Promise<Record<string, string>> {
  const limit = RATE_LIMITS[name];
  const key = `u:${who.userId}`;
  // A client already over the limit is answered from memory until its window ends.
  limited(d, name, key);
  const r = await sessionAndLimit(d.redis, { userId: who.userId, sessionId: who.sessionId, namespace: d.rateLimitNamespace, limit: name, windowMs: limit.durationSeconds * 1000 });
  if (!r.live) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  if (r.count > limit.points) {
    d.blocked.set(`${name}:${key}`, Date.now() + r.msLeft, { ttl: Math.max(1, r.msLeft) });
    limited(d, name, key);
  }
  return { 'RateLimit-Limit': String(limit.points), 'RateLimit-Remaining': String(Math.max(0, limit.points - r.count)) };
}

/**
 * A bearer token is used as is: a cross-site page cannot make a browser attach it, so it needs no
 * CSRF token. An access token in the cookie is attached by the browser to any request, so a
 * state-changing one must also echo the CSRF token (double submit).
 */
function tokenOf(d: Deps, method: string, c: Credentials): string {
  if (c.bearer) return c.bearer;
  if (!c.cookie) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  if (changesState(method) && !csrfMatches(d.csrfSecret, c.csrfHeader, c.csrfCookie)) {
    throw new AppError('CSRF_INVALID', 'A valid CSRF token is required for this request');
  }
  return c.cookie;
}

/**
 * The owning service's answer to an admitted request. A protected request carries the gateway's
 * identity for exactly this request instead of the token: the service checks one HMAC, not the
 * signature and the session again.
 */
export function forward(d: Deps, route: Route, req: PublicRequest, admitted: Admitted): Promise<Answer> {
  const identity = admitted.principal ? signIdentity(d.identityKeys, admitted.principal, { method: req.method, path: req.url, body: req.body }, Date.now(), IDENTITY_TTL_MS) : undefined;
  return d.upstreams.forward(route.upstream, { ...req, identity }, route.timeoutMs);
}
