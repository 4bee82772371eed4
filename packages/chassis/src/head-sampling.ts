import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * Whether an incoming request is traced, decided before any span exists. The SDK's parent-based
 * samplers give the same answer, but only after the HTTP instrumentation has built a span (with
 * its attributes, context and metric) for every request, and a non-recording span still makes
 * every Redis command below it build one too: on a stampede's hot path that was more CPU than the
 * request's own work. Deciding here lets an unsampled request make no span at all, while a
 * sampled one is traced exactly as before.
 *
 * - a `traceparent` from the caller decides: its sampled flag is followed;
 * - without one, the request is a trace's root and is sampled with the configured ratio.
 */
export interface HeadSampler {
  traced(headers: IncomingHttpHeaders): boolean;
}

/** The root ratio the SDK's sampler variables name, or undefined when they name no parent-based sampler (then the SDK decides alone). */
export function parentBasedRatio(env: NodeJS.ProcessEnv): number | undefined {
  switch (env.OTEL_TRACES_SAMPLER) {
    case 'parentbased_always_on':
      return 1;
    case 'parentbased_always_off':
      return 0;
    case 'parentbased_traceidratio': {
      const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
      return Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
    }
    default:
      return undefined;
  }
}

// version-traceid-parentid-flags, e.g. 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-([0-9a-f]{2})$/;

export function headSampler(ratio: number, random: () => number = Math.random): HeadSampler {
  return {
    traced(headers) {
      const parent = headers.traceparent;
      if (typeof parent === 'string') {
        const flags = TRACEPARENT.exec(parent)?.[1];
        if (flags !== undefined) return (parseInt(flags, 16) & 1) === 1;
      }
      return ratio >= 1 || random() < ratio;
    },
  };
}

/**
 * The `traceparent` a service sends downstream for a request it did not trace, so the next service
 * follows the decision instead of rolling its own dice (its trace would be a fragment).
 */
export const unsampledTraceparent = (): string => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
