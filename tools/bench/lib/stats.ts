/** Latency and throughput figures of one load phase. */

export interface Sample {
  /** When the request was due (ms since the phase started): paced phases count queueing as latency. */
  startMs: number;
  latencyMs: number;
  status: number;
  outcome: string;
}

export interface Summary {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  outcomes: Record<string, number>;
  status: Record<string, number>;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export function summarize(samples: readonly Sample[], elapsedMs: number): Summary {
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const outcomes: Record<string, number> = {};
  const status: Record<string, number> = {};
  for (const s of samples) {
    outcomes[s.outcome] = (outcomes[s.outcome] ?? 0) + 1;
    status[String(s.status)] = (status[String(s.status)] ?? 0) + 1;
  }
  return {
    requests: samples.length,
    seconds: round(elapsedMs / 1000, 3),
    perSecond: round(samples.length / (elapsedMs / 1000), 0),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    outcomes,
    status,
  };
}

export interface Bucket {
  /** Bucket start, seconds since the phase started. */
  t: number;
  /** Requests completed in the bucket, per second. */
  perSecond: number;
  p50: number;
  p99: number;
}

/** Completions per time bucket, with the latency of the requests completing in it. */
export function timeline(samples: readonly Sample[], bucketMs = 100): Bucket[] {
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const b = Math.floor((s.startMs + s.latencyMs) / bucketMs);
    let list = buckets.get(b);
    if (!list) buckets.set(b, (list = []));
    list.push(s.latencyMs);
  }
  const last = Math.max(-1, ...buckets.keys());
  return Array.from({ length: last + 1 }, (_, b) => {
    const lat = (buckets.get(b) ?? []).sort((x, y) => x - y);
    return {
      t: round((b * bucketMs) / 1000, 3),
      perSecond: round(lat.length * (1000 / bucketMs), 0),
      p50: lat.length ? round(percentile(lat, 50)) : 0,
      p99: lat.length ? round(percentile(lat, 99)) : 0,
    };
  });
}
