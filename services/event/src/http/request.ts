import type { Request } from 'express';
import { principalOf } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import type { Actor } from '../domain/access';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A malformed id cannot name anything: it is simply not found (no 500, no query). */
export function idParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('NOT_FOUND', `${what} not found`);
  return value;
}

/** The verified caller and the request id their audit lines carry. */
export const actorOf = (req: Request): Actor => ({ ...principalOf(req), requestId: req.id });

/** An ISO date-time a schema already checked, or nothing. */
export const optionalDate = (iso: string | undefined) => (iso ? new Date(iso) : undefined);
