import client, { Histogram, Registry } from 'prom-client';
import { trace } from '@opentelemetry/api';


export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/** Buckets tuned for a hot path whose p99 target is tens of milliseconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(service: string): Metrics {
  // OpenMetrics, so latency buckets can carry exemplars (a trace id per bucket) for Grafana.
  const registry = new Registry();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as typeof Registry.PROMETHEUS_CONTENT_TYPE);
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests handled, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    enableExemplars: true,
  });
  return { registry, httpDuration };
}

/** The current trace id as exemplar labels, or none when no span is recording. */
export function traceExemplar(): Record<string, string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && ctx.traceFlags & 1 ? { trace_id: ctx.traceId } : {};
}
