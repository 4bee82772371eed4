/**
 * Two ways to drive load. `closed`: a fixed number of requests in flight, each started as soon as
 * one ends (finds the saturation rate). `paced`: requests due at a fixed arrival rate whatever the
 * answers do (open loop), with latency counted from when each was due, so queueing behind a slow
 * server is not hidden (no coordinated omission).
 */
import type { Sample } from './stats';

export type Shot = (i: number) => Promise<{ status: number; outcome: string }>;

async function timed(shot: Shot, i: number, dueMs: number, t0: number): Promise<Sample> {
  let r: { status: number; outcome: string };
  try {
    r = await shot(i);
  } catch (e) {
    r = { status: 0, outcome: `NETWORK_${(e as { code?: string }).code ?? 'ERROR'}` };
  }
  return { startMs: dueMs, latencyMs: performance.now() - t0 - dueMs, ...r };
}

export async function closed(count: number, inFlight: number, shot: Shot): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = new Array(count);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const i = next++;
        samples[i] = await timed(shot, i, performance.now() - t0, t0);
      }
    }),
  );
  return { samples, elapsedMs: performance.now() - t0 };
}

export async function paced(count: number, perSecond: number, shot: Shot): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const pending: Array<Promise<Sample>> = [];
  const t0 = performance.now();
  let i = 0;
  while (i < count) {
    const now = performance.now() - t0;
    // Everything due by now is sent in this tick; timers are ~1 ms apart at best.
    while (i < count && (i * 1000) / perSecond <= now) {
      pending.push(timed(shot, i, (i * 1000) / perSecond, t0));
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const samples = await Promise.all(pending);
  return { samples, elapsedMs: performance.now() - t0 };
}
