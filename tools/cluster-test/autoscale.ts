/**
 * Phase 4: sustained load through the gateway Service until the HPAs of gateway and entry scale
 * up, then quiet until they are back at their minimum. The replica counts and CPU utilisation
 * of every HPA are recorded every 5 s, with the request rate and errors of each interval.
 */
import type { Shot } from '../bench/lib/drive';
import { kget, note, sleep } from './cluster';
import { entryShot, gatewayPool } from './shop';
import type { Ctx } from './stampede';

interface HpaList {
  items: Array<{
    metadata: { name: string };
    spec: { minReplicas: number; maxReplicas: number };
    status: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: Array<{ resource?: { name: string; current: { averageUtilization?: number } } }> };
  }>;
}

interface HpaPoint {
  replicas: number;
  desired: number;
  cpuPercent: number | null;
}

interface ScaleSample {
  /** Seconds since the load started (negative: before). */
  t: number;
  loadOn: boolean;
  /** Requests answered in the interval, per second, and how many were 5xx or network errors. */
  perSecond: number;
  errors: number;
  hpa: Record<string, HpaPoint>;
}

export interface AutoscaleResult {
  /** Seconds waited, before the load, for gateway and entry to be back at their minimum. */
  waitedForMinS: number;
  loadSeconds: number;
  inFlight: number;
  requests: number;
  statuses: Record<string, number>;
  limits: Record<string, { min: number; max: number }>;
  peak: Record<string, number>;
  /** Seconds from the start of the load until the HPA first wanted more than its minimum. */
  scaleUpAfterS: Record<string, number | null>;
  /** Seconds from the end of the load until the replicas were back at the minimum. */
  backToMinAfterS: Record<string, number | null>;
  samples: ScaleSample[];
}

async function hpas(release: string): Promise<{ points: Record<string, HpaPoint>; limits: Record<string, { min: number; max: number }> }> {
  const list = await kget<HpaList>(['-n', release, 'hpa']);
  const points: Record<string, HpaPoint> = {};
  const limits: Record<string, { min: number; max: number }> = {};
  for (const h of list.items) {
    const name = h.metadata.name.replace(/^.*-/, '');
    const cpu = h.status.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
    points[name] = { replicas: h.status.currentReplicas ?? 0, desired: h.status.desiredReplicas ?? 0, cpuPercent: cpu ?? null };
    limits[name] = { min: h.spec.minReplicas, max: h.spec.maxReplicas };
  }
  return { points, limits };
}

/** Closed-loop load until `deadline`: shot(i) with i counting up; per-interval counters. */
function sustained(inFlight: number, shot: Shot, stopAt: () => boolean, tally: { ok: number; errors: number; statuses: Record<string, number> }) {
  let i = 0;
  return Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (!stopAt()) {
        const r = await shot(i++).catch(() => ({ status: 0, outcome: 'NETWORK' }));
        const key = r.status === 0 || r.status >= 500 ? `${r.status} ${r.outcome}` : String(r.status);
        tally.statuses[key] = (tally.statuses[key] ?? 0) + 1;
        if (r.status === 0 || r.status >= 500) tally.errors++;
        else tally.ok++;
      }
    }),
  );
}

export async function autoscale(c: Ctx, o: { saleId: string; shoppers: number; inFlight: number; loadSeconds: number; settleSeconds: number }): Promise<AutoscaleResult> {
  const tokens = (await c.mint(o.shoppers)).map((s) => s.token);
  const pool = gatewayPool(c.urls.gateway, o.inFlight);
  const tally = { ok: 0, errors: 0, statuses: {} as Record<string, number> };
  const samples: ScaleSample[] = [];
  const { limits } = await hpas(c.release.namespace);
  const watched = ['gateway', 'entry'];
  // Start from the minimum: the stampede before may have scaled them up already.
  const atMin = (points: Record<string, HpaPoint>) => watched.every((n) => points[n] && points[n].replicas <= (limits[n]?.min ?? 0) && points[n].desired <= (limits[n]?.min ?? 0));
  const waitStart = Date.now();
  let baseline = (await hpas(c.release.namespace)).points;
  while (!atMin(baseline) && Date.now() - waitStart < o.settleSeconds * 1_000) {
    await sleep(5_000);
    baseline = (await hpas(c.release.namespace)).points;
  }
  const waitedForMinS = Math.round((Date.now() - waitStart) / 1000);
  note(`autoscale: ${o.loadSeconds} s of entries (${o.inFlight} in flight) on the sold-out sale, HPA limits ${JSON.stringify(limits)}`);
  const t0 = Date.now();
  samples.push({ t: 0, loadOn: false, perSecond: 0, errors: 0, hpa: baseline });
  const loadEnd = t0 + o.loadSeconds * 1_000;
  const load = sustained(o.inFlight, entryShot(pool, o.saleId, tokens), () => Date.now() > loadEnd, tally);
  let last = { ok: 0, errors: 0, at: t0 };
  const backAt: Record<string, number | null> = Object.fromEntries(watched.map((n) => [n, null]));
  const upAt: Record<string, number | null> = Object.fromEntries(watched.map((n) => [n, null]));
  const hardStop = loadEnd + o.settleSeconds * 1_000;
  for (;;) {
    await sleep(5_000);
    const now = Date.now();
    const { points } = await hpas(c.release.namespace).catch(() => ({ points: {} as Record<string, HpaPoint> }));
    const answered = tally.ok + tally.errors - last.ok - last.errors;
    samples.push({ t: Math.round((now - t0) / 1000), loadOn: now <= loadEnd, perSecond: Math.round(answered / ((now - last.at) / 1000)), errors: tally.errors - last.errors, hpa: points });
    last = { ok: tally.ok, errors: tally.errors, at: now };
    for (const n of watched) {
      const p = points[n];
      if (!p) continue;
      if (upAt[n] === null && p.desired > (limits[n]?.min ?? 0)) upAt[n] = Math.round((now - t0) / 1000);
      if (now > loadEnd && backAt[n] === null && p.replicas <= (limits[n]?.min ?? 0) && p.desired <= (limits[n]?.min ?? 0)) backAt[n] = Math.round((now - loadEnd) / 1000);
    }
    const line = watched.map((n) => `${n} ${points[n]?.replicas ?? '?'}→${points[n]?.desired ?? '?'} (${points[n]?.cpuPercent ?? '?'} %)`).join(', ');
    note(`autoscale: t=${samples[samples.length - 1]?.t} s ${now <= loadEnd ? 'load' : 'quiet'} ${samples[samples.length - 1]?.perSecond}/s; ${line}`);
    if (now > loadEnd && watched.every((n) => backAt[n] !== null)) break;
    if (now > hardStop) break;
  }
  await load;
  await pool.close();
  const peak = Object.fromEntries(watched.map((n) => [n, Math.max(0, ...samples.map((s) => s.hpa[n]?.replicas ?? 0))]));
  const r: AutoscaleResult = {
    waitedForMinS,
    loadSeconds: o.loadSeconds,
    inFlight: o.inFlight,
    requests: tally.ok + tally.errors,
    statuses: tally.statuses,
    limits,
    peak,
    scaleUpAfterS: upAt,
    backToMinAfterS: backAt,
    samples,
  };
  for (const n of watched) {
    c.checks.add('autoscale', `${n} scaled up under sustained load`, (peak[n] ?? 0) > (limits[n]?.min ?? Infinity), `peak ${peak[n]} replicas (min ${limits[n]?.min}, max ${limits[n]?.max}), HPA wanted more after ${upAt[n]} s`);
    c.checks.add('autoscale', `${n} scaled back to its minimum after the load`, backAt[n] !== null, backAt[n] !== null ? `${backAt[n]} s after the load stopped` : `not within ${o.settleSeconds} s`);
  }
  c.checks.add('autoscale', 'the load started with gateway and entry at their minimum', atMin(baseline), baseline);
  c.checks.add('autoscale', 'no 5xx or network error while scaling up and down', tally.errors === 0, tally.statuses);
  return r;
}
