import { SpanStatusCode, trace } from '@opentelemetry/api';
import { traceHeaders } from '@stampede/chassis/clients/kafka';

const tracer = trace.getTracer('stampede-payment');

/**
 * Runs `fn` in a span of its own (a child of the request's span when instrumentation is on) and
 * hands it the W3C trace headers of that span, which travel with the outbox event to Kafka.
 */
export function traced<T>(name: string, attributes: Record<string, string>, fn: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn(traceHeaders());
      span.setAttribute('stampede.outcome', 'OK');
      return result;
    } catch (e) {
      span.setAttribute('stampede.outcome', (e as { code?: string }).code ?? 'ERROR');
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}
