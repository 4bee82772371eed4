import { trace } from '@opentelemetry/api';
import { authenticate, principalFrom, principalOf } from '@stampede/chassis/auth';
import { AppError } from '@stampede/chassis/errors';
import { parse, type FastRoute } from '@stampede/chassis/http';
import { hasAnyRole } from '@stampede/contracts';
import { entryBody, saleIdField } from '@stampede/contracts/api';
import type { Express, Request } from 'express';
import type { Deps } from '../deps';
import { outcomeOf } from '../domain/rules';
import { availability } from '../use-cases/availability';
import { cancel, enter } from '../use-cases/entries';

/**
 * The hot path, served without Express: an entry (one identity check, one Redis round trip) and
 * the availability that shoppers poll.
 */
export function fastRoutes(deps: Deps): FastRoute[] {
  return [
    {
      method: 'POST',
      path: '/sales/:id/entries',
      async handle(req) {
        // Every attempt is counted by its outcome, bad input and refused callers included.
        try {
          const who = await principalFrom(deps.verifier, req);
          if (!hasAnyRole(who, ['USER'])) throw new AppError('FORBIDDEN', 'You are not allowed to do this');
          const saleId = parse(saleIdField, req.params.id, 'sale id');
          trace.getActiveSpan()?.setAttribute('stampede.sale_id', saleId);
          const { qty } = parse(entryBody, req.json() ?? {});
          const held = await enter(deps, who, { saleId, qty });
          deps.metrics.entry('HELD');
          return { status: 201, headers: { 'cache-control': 'no-store' }, body: held };
        } catch (e) {
          deps.metrics.entry(outcomeOf(e));
          throw e;
        }
      },
    },
    {
      method: 'GET',
      path: '/sales/:id/availability',
      async handle(req) {
        const saleId = parse(saleIdField, req.params.id, 'sale id');
        const body = await availability(deps, saleId);
        return { status: 200, headers: { 'cache-control': `public, max-age=${Math.max(1, Math.ceil(deps.availabilityCacheMs / 1000))}` }, body };
      },
    },
  ];
}

export function routes(app: Express, deps: Deps): void {
  app.delete('/entries/:token', authenticate(deps.verifier), async (req, res) => {
    const token = String(req.params.token);
    maskToken(req, token);
    await cancel(deps, principalOf(req), token);
    res.status(204).end();
  });
}

/** The request log prints the URL: a reservation token in the path must not reach it. */
function maskToken(req: Request, token: string): void {
  if (token) req.originalUrl = req.originalUrl.replace(encodeURIComponent(token), 'rt_[REDACTED]').replace(token, 'rt_[REDACTED]');
}
