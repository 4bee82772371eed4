import { headSampler, parentBasedRatio, unsampledTraceparent } from '../src/head-sampling';

const SAMPLED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UNSAMPLED = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';

describe('head sampling', () => {
  it('when the caller sent a traceparent, then its sampled flag decides whatever the ratio', () => {
    expect(headSampler(0).traced({ traceparent: SAMPLED })).toBe(true);
    expect(headSampler(1).traced({ traceparent: UNSAMPLED })).toBe(false);
  });

  it('when there is no parent, then the ratio decides, drawn once per request', () => {
    const draws = [0.01, 0.5, 0.049, 0.05];
    const sampler = headSampler(0.05, () => draws.shift() as number);
    expect([{}, {}, {}, {}].map((h) => sampler.traced(h))).toEqual([true, false, true, false]);
    expect(headSampler(1, () => 0.999).traced({})).toBe(true);
    expect(headSampler(0, () => 0).traced({})).toBe(false);
  });

  it('when the traceparent is malformed, then it is treated as absent (the request is a root)', () => {
    expect(headSampler(0).traced({ traceparent: 'garbage-01' })).toBe(false);
    expect(headSampler(1).traced({ traceparent: '00-xyz-00' })).toBe(true);
  });

  it('when the sampler variables name a parent-based sampler, then its root ratio is read; otherwise the SDK decides alone', () => {
    expect(parentBasedRatio({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' })).toBe(0.05);
    expect(parentBasedRatio({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' })).toBe(1);
    expect(parentBasedRatio({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toBe(1);
    expect(parentBasedRatio({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(0);
    expect(parentBasedRatio({ OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
  });

  it('when a request was not traced, then the traceparent sent on is valid, unsampled and new each time', () => {
    const a = unsampledTraceparent();
    expect(headSampler(1).traced({ traceparent: a })).toBe(false);
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(unsampledTraceparent()).not.toBe(a);
  });
});
