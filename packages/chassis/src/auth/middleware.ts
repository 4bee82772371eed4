import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import { hasAnyRole, IDENTITY_HEADER, type Principal, type Role } from '@stampede/contracts';
import type { Verifier } from './verifier';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{10,4096})$/.exec(header);
  return m?.[1];
}

/**
 * Who sent a request: the gateway's identity header for exactly this request, or (a caller that
 * is not the gateway) a valid access token of a live session; otherwise 401 AUTH_REQUIRED. A
 * request with an identity header is judged by it alone: a bad one never falls back to the token.
 */
export async function principalFrom(
  verifier: Verifier,
  req: { method: string; url: string; headers: IncomingHttpHeaders; body?: Buffer | undefined },
): Promise<Principal> {
  const identity = req.headers[IDENTITY_HEADER];
  if (typeof identity === 'string') return verifier.fromIdentity(identity, { method: req.method, path: req.url, body: req.body });
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  return verifier.verify(token);
}

/** The Express form of principalFrom (routes served by Express). */
export function authenticate(verifier: Verifier): RequestHandler {
  return async (req, _res, next) => {
    req.principal = await principalFrom(verifier, { method: req.method, url: req.originalUrl, headers: req.headers, body: (req as { rawBody?: Buffer }).rawBody });
    next();
  };
}

/** 403 FORBIDDEN unless the authenticated principal has one of the roles. */
export function requireRoles(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) return next(new AppError('AUTH_REQUIRED', 'Authentication required'));
    if (!hasAnyRole(req.principal, roles)) return next(new AppError('FORBIDDEN', 'You are not allowed to do this'));
    next();
  };
}

/** The principal of an authenticated request (after `authenticate`). */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  return req.principal;
}
