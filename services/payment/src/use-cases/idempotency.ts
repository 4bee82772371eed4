import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { principalOf } from '@stampede/chassis/auth';
import { isAppError, type AppError } from '@stampede/chassis/errors';
import { parse } from '@stampede/chassis/http';
import type { PaymentContext } from '../service/context';
import type { StoredResponse } from '../store/idempotency';
import { idempotencyKeyHeader } from './schemas';

export const fingerprint = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

function send(req: Request, res: Response, r: StoredResponse): void {
  const body = r.body as { error?: Record<string, unknown> };
  // An error answer carries the id of the request being answered.
  res.status(r.status).json(body?.error ? { error: { ...body.error, requestId: req.id } } : body);
}

/**
 * Runs `work` once per (scope, user, Idempotency-Key): repeats get the first answer, success or
 * client error alike; a 5xx is forgotten so the retry runs again. The fingerprint (hashes only,
 * never the token or payment key) makes a reused key with a different request a 409.
 */
export async function idempotent(ctx: PaymentContext, req: Request, res: Response, scope: string, print: string, work: () => Promise<unknown>): Promise<void> {
  const key = parse(idempotencyKeyHeader, req.header('idempotency-key'), 'Idempotency-Key');
  const principal = principalOf(req).userId;
  const begun = await ctx.idempotency.begin(scope, principal, key, print);
  if (begun.kind === 'replay') {
    res.setHeader('idempotent-replayed', 'true');
    return send(req, res, begun.response);
  }
  let response: StoredResponse;
  try {
    response = { status: 200, body: await work() };
  } catch (e) {
    if (!isAppError(e) || e.status >= 500) {
      await ctx.idempotency.release(scope, principal, key).catch(() => undefined);
      throw e;
    }
    response = { status: e.status, body: { error: errorBody(e) } };
  }
  await ctx.idempotency.finish(scope, principal, key, response);
  send(req, res, response);
}

const errorBody = (e: AppError) => ({ code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) });
