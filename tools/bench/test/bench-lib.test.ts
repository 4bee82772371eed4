import { cpuBetween, parseStat, ticksPerSecond } from '../lib/cpu';
import { paced } from '../lib/drive';
import { percentile, summarize, timeline, type Sample } from '../lib/stats';
import { chart, niceStep } from '../lib/svg';
import { ownerOf } from '../profile-top';

const sample = (startMs: number, latencyMs: number, outcome = 'HELD', status = 201): Sample => ({ startMs, latencyMs, outcome, status });

describe('benchmark figures', () => {
  it('when percentiles are taken, then they are nearest-rank over the sorted latencies', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([50, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('when a phase is summarised, then rate, outcomes and statuses add up to the requests', () => {
    const s = summarize([sample(0, 10), sample(0, 20, 'SOLD_OUT', 409), sample(5, 30, 'SOLD_OUT', 409), sample(6, 40, 'NETWORK_ERROR', 0)], 2_000);
    expect(s).toMatchObject({ requests: 4, perSecond: 2, p50: 20, max: 40, outcomes: { HELD: 1, SOLD_OUT: 2, NETWORK_ERROR: 1 }, status: { '201': 1, '409': 2, '0': 1 } });
  });

  it('when completions are bucketed, then each lands where it finished and empty buckets read zero', () => {
    const t = timeline([sample(0, 50), sample(0, 60), sample(150, 100)], 100);
    expect(t).toEqual([
      { t: 0, perSecond: 20, p50: 50, p99: 60 },
      { t: 0.1, perSecond: 0, p50: 0, p99: 0 },
      { t: 0.2, perSecond: 10, p50: 100, p99: 100 },
    ]);
  });

  it('when requests are paced, then latency counts from when each was due, not from when it was sent', async () => {
    let inFlight = 0;
    let most = 0;
    const run = await paced(20, 1_000, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      return { status: 201, outcome: 'HELD' };
    });
    expect(run.samples.map((s) => s.startMs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.min(...run.samples.map((s) => s.latencyMs))).toBeGreaterThanOrEqual(29);
    // Open loop: a slow answer does not hold the next arrival back.
    expect(most).toBeGreaterThan(5);
  });
});

describe('/proc CPU accounting', () => {
  it('when a stat line has spaces and parentheses in the command, then ppid, utime and stime are still read', () => {
    const line = '4242 (node (gateway) x) S 4200 4242 4200 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 11 0 100 0 0';
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 4200, comm: 'node (gateway) x', ticks: 1234 + 567 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('when CPU is compared between snapshots, then children count under their root and new processes from zero', () => {
    const before = new Map([
      [1, { name: 'postgres', ticks: 100 }],
      [2, { name: 'postgres/postgres', ticks: 50 }],
      [3, { name: 'gateway', ticks: 10 }],
    ]);
    const after = new Map([
      [1, { name: 'postgres', ticks: 101 }],
      [2, { name: 'postgres/postgres', ticks: 52 }],
      [4, { name: 'postgres/postgres', ticks: 1 }],
      [3, { name: 'gateway', ticks: 30 }],
    ]);
    const tick = 1e6 / ticksPerSecond();
    expect(Object.fromEntries(cpuBetween(before, after))).toEqual({ postgres: 4 * tick, gateway: 20 * tick });
  });
});

describe('report chart and profiles', () => {
  it('when a chart is drawn, then every series is a path and labels are escaped', () => {
    const svg = chart('a <b> & c', [{ title: 'x', unit: 'req/s', series: [{ label: 'one', color: '#000', points: [[0, 1], [1, 3]] }, { label: 'two', color: '#111', points: [[0, 2]], dashed: true }] }]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect([niceStep(97), niceStep(0), niceStep(1_300)]).toEqual([20, 1, 500]);
  });

  it('when a frame is attributed, then npm packages, scoped packages, Node internals and our code are told apart', () => {
    expect(ownerOf('file:///w/node_modules/jose/dist/node/cjs/x.js', 'f')).toBe('jose');
    expect(ownerOf('file:///w/node_modules/@opentelemetry/api/build/x.js', 'f')).toBe('@opentelemetry/api');
    expect(ownerOf('node:_http_server', 'f')).toBe('node:_http_server');
    expect(ownerOf('file:///w/services/gateway/dist/http/proxy.js', 'f')).toBe('services/gateway');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});
