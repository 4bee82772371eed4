import type { Metrics } from '@stampede/chassis/metrics';
import { Counter } from 'prom-client';
import { RATE_LIMITS } from './domain/limits';

export interface GatewayMetrics {
  rateLimited: Counter<'limit'>;
}

export function gatewayMetrics(metrics: Metrics): GatewayMetrics {
  const rateLimited = new Counter({
    name: 'stampede_rate_limit_rejections_total',
    help: 'Requests refused with 429 by the gateway, by limit',
    labelNames: ['limit'] as const,
    registers: [metrics.registry],
  });
  // Every limit exported from the start (at 0), so dashboards and alerts see the series.
  for (const limit of Object.keys(RATE_LIMITS)) rateLimited.inc({ limit }, 0);
  return { rateLimited };
}
