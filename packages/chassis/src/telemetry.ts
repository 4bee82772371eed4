/**
 * Imported first by every service's main.ts, before express, ioredis, pg or kafkajs are loaded,
 * so their instrumentations can patch them. Spans are exported only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; context propagation works either way.
 * OTEL_SDK_DISABLED=true turns the SDK off entirely.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { headSampler, parentBasedRatio } from './head-sampling';

export { unsampledTraceparent } from './head-sampling';

let sdk: NodeSDK | undefined;

const TOKEN = /rt_[A-Za-z0-9_-]+/;
const TOKEN_G = /rt_[A-Za-z0-9_-]+/g;

/** SQL with every string literal replaced, e.g. `where email = '?'`. */
export const redactSql = (sql: string) => sql.replace(/'(?:[^']|'')*'/g, "'?'");

export function startTelemetry(serviceName: string): void {
  if (sdk || process.env.OTEL_SDK_DISABLED === 'true') return;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const exporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  // Without an endpoint, nothing is exported (the SDK would otherwise fall back to localhost:4318);
  // context still propagates and exemplars still get trace ids.
  process.env.OTEL_TRACES_EXPORTER ??= exporting ? 'otlp' : 'none';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // A stampede is thousands of identical requests a second: recording a span for each costs more
  // CPU than the rest of a hot-path request, and a sample tells the same story. The edge decides
  // once (one request in twenty by default) and every service follows its parent's choice, so a
  // sampled trace is whole. OTEL_TRACES_SAMPLER / _ARG override it (e.g. parentbased_always_on).
  if (!process.env.OTEL_TRACES_SAMPLER) {
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG ??= '0.05';
  }
  // Requests are sampled before the instrumentation makes a span (see head-sampling): an
  // unsampled request then makes none, and no Redis or SQL span below it either.
  const ratio = parentBasedRatio(process.env);
  const head = ratio === undefined ? undefined : headSampler(ratio);
  sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME,
    traceExporter: exporting ? new OTLPTraceExporter() : undefined,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') || (head !== undefined && !head.traced(req.headers)),
        // Reservation tokens travel in some paths: traces never keep them.
        requestHook: (span, request) => {
          const url = 'url' in request ? request.url : undefined;
          if (url && TOKEN.test(url)) {
            const clean = url.replace(TOKEN_G, 'rt_[REDACTED]');
            span.setAttributes({ 'http.target': clean, 'url.path': clean.split('?')[0] ?? clean, 'http.url': clean });
          }
        },
      }),
      // No span per middleware layer (a dozen per request, most of the tracing cost); the HTTP
      // server span still carries the route.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER] }),
      // Command names only: arguments hold keys with tokens and sealed payloads. Only under a traced
      // request or job (requireParentSpan): a command outside any trace makes no span.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
      // The ORM inlines some values into SQL (emails, hashes): keep the statement's shape only.
      new PgInstrumentation({
        requestHook: (span, info) => {
          const text = info.query.text;
          if (text) span.setAttributes({ 'db.query.text': redactSql(text), 'db.statement': redactSql(text) });
        },
      }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
