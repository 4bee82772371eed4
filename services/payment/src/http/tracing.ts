import { SpanStatusCode, trace } from '@opentelemetry/api';
import { traceHeaders } from '@stampede/chassis';

const tracer = trace.getTracer('stampede-payment');

/**
 * Runs `fn` in a span of its own (a child of the request's span when instrumentation is on) and
 * hands it the W3C trace headers of that span, which travel with the outbox event to Kafka.
 */
export function traced<T>(name: string, attributes: Record<string, string>, fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(traceHeaders());
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}
