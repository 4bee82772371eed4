import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import { hasAnyRole, type Principal, type Role } from '@stampede/contracts';
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

/** 401 AUTH_REQUIRED unless the request carries a valid access token of a live session. */
export function authenticate(verifier: Verifier): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.header('authorization'));
    if (!token) return next(new AppError('AUTH_REQUIRED', 'Authentication required'));
    req.principal = await verifier.verify(token);
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
