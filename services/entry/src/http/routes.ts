import { trace } from '@opentelemetry/api';
import { authenticate, principalOf, requireRoles } from '@stampede/chassis/auth';
import { parse } from '@stampede/chassis/http';
import { entryBody, saleIdField } from '@stampede/contracts/api';
import type { Express, Request } from 'express';
import type { Deps } from '../deps';
import { outcomeOf } from '../domain/rules';
import { availability } from '../use-cases/availability';
import { cancel, enter } from '../use-cases/entries';

export function routes(app: Express, deps: Deps): void {
  const auth = authenticate(deps.verifier);

  app.post('/sales/:id/entries', auth, requireRoles('USER'), async (req, res) => {
    // Every attempt is counted by its outcome, bad input included.
    try {
      const saleId = parse(saleIdField, req.params.id, 'sale id');
      trace.getActiveSpan()?.setAttribute('stampede.sale_id', saleId);
      const { qty } = parse(entryBody, req.body ?? {});
      const held = await enter(deps, principalOf(req), { saleId, qty });
      deps.metrics.entry('HELD');
      res.status(201).setHeader('cache-control', 'no-store');
      res.json(held);
    } catch (e) {
      deps.metrics.entry(outcomeOf(e));
      throw e;
    }
  });

  app.delete('/entries/:token', auth, async (req, res) => {
    const token = String(req.params.token);
    maskToken(req, token);
    await cancel(deps, principalOf(req), token);
    res.status(204).end();
  });

  app.get('/sales/:id/availability', async (req, res) => {
    const saleId = parse(saleIdField, req.params.id, 'sale id');
    const body = await availability(deps, saleId);
    res.setHeader('cache-control', `public, max-age=${Math.max(1, Math.ceil(deps.availabilityCacheMs / 1000))}`);
    res.json(body);
  });
}

/** The request log prints the URL: a reservation token in the path must not reach it. */
function maskToken(req: Request, token: string): void {
  if (token) req.originalUrl = req.originalUrl.replace(encodeURIComponent(token), 'rt_[REDACTED]').replace(token, 'rt_[REDACTED]');
}
