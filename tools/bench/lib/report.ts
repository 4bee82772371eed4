/** The benchmark's report: one JSON document, rendered as Markdown and as an SVG chart. */
import { chart } from './svg';
import type { Bucket, Summary } from './stats';

export type LoadAvg = [number, number, number];

export interface Phase extends Summary {
  /** Load average (1, 5, 15 min) when the phase ended: the machine is shared. */
  loadAvg: LoadAvg;
}

interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface Report {
  startedAt: string;
  commit: string;
  machine: { cpus: number; model: string; node: string; loadAvgAtStart: LoadAvg };
  config: {
    users: number;
    seats: number;
    perUserLimit: number;
    replicas: Record<string, number>;
    inFlight: number;
    payShare: number;
    logLevel: string;
    telemetry: string;
    /** Extra environment given to every service (--env). */
    serviceEnv: string[];
    pacedFraction: number;
  };
  entry: Phase & { cpuPerRequestUs: number; cpuByProcessUs: Record<string, number>; loadGeneratorCpuPerRequestUs: number };
  paced: Phase & { targetPerSecond: number };
  helloGateway: Phase & { cpuPerRequestUs: number; gatewayCpuPerRequestUs: number };
  /** An Express hello-world alone: the floor the gateway's own cost is judged against. */
  expressHello: Phase & { cpuPerRequestUs: number };
  rawScript: Phase;
  /** Alternating bursts, Stampede then the reference, each on a fresh sale with fresh shoppers. */
  pairs: Array<Record<'stampede' | 'reference', { perSecond: number; cpuUs: number; byProcess: Record<string, number>; holds: number; ok: boolean }>>;
  ratios: { cpuPerEntryVsReference: number; throughputVsReference: number; gatewayVsExpressHello: number; entryToHelloGateway: number; entryToRawScript: number };
  correctness: {
    expectedHolds: number;
    holdResponses: number;
    holdsInRedis: number;
    invariantSamples: number;
    invariantViolations: string[];
    maxSeatsPerUser: number;
    perUserLimit: number;
    serverErrors: number;
    /** Per pair: both systems held exactly min(S, U) seats, nobody above the limit, no 5xx. */
    everyRun: boolean[];
    ok: boolean;
  };
  payments: {
    attempted: number;
    confirmed: number;
    perSecond: number;
    p50: number;
    p99: number;
    soldInPostgres: number | null;
    soldInRedis: number;
    cpuByProcessUs: Record<string, number>;
  };
  /** Sign-up + login pairs straight at auth: argon2id's cost, auth's capacity. */
  logins: Phase & { cpuByProcessUs: Record<string, number> };
  targets: Target[];
  timeline: { entry: Bucket[]; paced: Bucket[]; helloGateway: Bucket[] };
  profiles?: string;
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
const la = (l: LoadAvg) => l.map((x) => x.toFixed(2)).join(' / ');
const outcomes = (o: Record<string, number>) =>
  Object.entries(o)
    .sort()
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(', ');

const cpuList = (c: Record<string, number>) =>
  Object.entries(c)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(', ');

export function markdown(r: Report): string {
  const row = (name: string, p: Phase, cpu?: number) =>
    `| ${name} | ${f(p.requests)} | ${f(p.seconds, 2)} | **${f(p.perSecond)}** | ${f(p.p50, 1)} | ${f(p.p95, 1)} | ${f(p.p99, 1)} | ${f(p.max, 1)} | ${cpu === undefined ? '—' : f(cpu)} | ${la(p.loadAvg)} |`;
  const c = r.correctness;
  return [
    `# Flash-sale benchmark — ${r.startedAt}`,
    '',
    `Commit \`${r.commit}\`, ${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node}; load average at start ${la(r.machine.loadAvgAtStart)}.`,
    `${f(r.config.users)} shoppers, ${f(r.config.seats)} seats, limit ${r.config.perUserLimit} per user, ${r.config.inFlight} requests in flight; replicas ${Object.entries(r.config.replicas).map(([k, v]) => `${k}=${v}`).join(', ')}; LOG_LEVEL=${r.config.logLevel}; telemetry ${r.config.telemetry}${r.config.serviceEnv.length ? `; ${r.config.serviceEnv.join(' ')}` : ''}.`,
    '',
    '## Stampede against the reference (same run, alternating)',
    '',
    'The reference: a naive public flash-sale server (Express 5, one process, one EVAL per request on one Redis, no authentication).',
    '',
    '| pair | Stampede entries/s | reference entries/s | throughput ratio | Stampede CPU µs/entry | reference CPU µs/entry | CPU ratio | holds (Stampede / reference) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.pairs.map(
      (p, i) =>
        `| ${i + 1} | ${f(p.stampede.perSecond)} | ${f(p.reference.perSecond)} | ${(p.stampede.perSecond / p.reference.perSecond).toFixed(2)}× | ${f(p.stampede.cpuUs)} | ${f(p.reference.cpuUs)} | ${(p.stampede.cpuUs / p.reference.cpuUs).toFixed(2)}× | ${p.stampede.holds} / ${p.reference.holds}${p.stampede.ok && p.reference.ok ? '' : ' **wrong**'} |`,
    ),
    '',
    `Medians: **CPU per entry ${r.ratios.cpuPerEntryVsReference.toFixed(2)}×** the reference, **throughput ${r.ratios.throughputVsReference.toFixed(2)}×**. Gateway over a do-nothing upstream: **${r.ratios.gatewayVsExpressHello.toFixed(2)}×** the CPU per request of an Express hello-world (${f(r.helloGateway.gatewayCpuPerRequestUs)} µs vs ${f(r.expressHello.cpuPerRequestUs)} µs).`,
    '',
    `CPU per entry by process, pair 1: Stampede ${cpuList(r.pairs[0]?.stampede.byProcess ?? {})}; reference ${cpuList(r.pairs[0]?.reference.byProcess ?? {})}.`,
    '',
    '## Throughput and latency',
    '',
    '| phase | requests | seconds | req/s | p50 ms | p95 ms | p99 ms | max ms | CPU µs/request | load avg 1/5/15 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    row('entries through the gateway (burst, closed loop)', r.entry, r.entry.cpuPerRequestUs),
    row(`entries at ${Math.round(r.config.pacedFraction * 100)} % of that rate (open loop, ${f(r.paced.targetPerSecond)}/s)`, r.paced),
    row('an Express hello-world alone', r.expressHello, r.expressHello.cpuPerRequestUs),
    row('ceiling: hello-world behind the gateway', r.helloGateway, r.helloGateway.cpuPerRequestUs),
    row('ceiling: reservation script on the same shard', r.rawScript),
    '',
    `Ratios: entry / hello-world-behind-gateway **${(r.ratios.entryToHelloGateway * 100).toFixed(1)} %**, entry / raw script **${(r.ratios.entryToRawScript * 100).toFixed(1)} %**.`,
    '',
    `Outcomes (burst): ${outcomes(r.entry.outcomes)}. Paced: ${outcomes(r.paced.outcomes)}. Hello: ${outcomes(r.helloGateway.outcomes)}. Raw: ${outcomes(r.rawScript.outcomes)}.`,
    '',
    '## Targets',
    '',
    '| target | wanted | measured | met |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    '## Correctness',
    '',
    `- holds: ${f(c.holdResponses)} 201 answers, ${f(c.holdsInRedis)} seats held in Redis, expected min(S, U) = ${f(c.expectedHolds)}`,
    `- invariant available + held + sold = total sampled ${f(c.invariantSamples)} times during the run (every 25 ms; every 250 ms also hold records = held, per-user counts = held + sold, nobody above the limit): ${c.invariantViolations.length === 0 ? 'held every time' : `**violated ${c.invariantViolations.length} times**: ${c.invariantViolations.slice(0, 3).join('; ')}`}`,
    `- most seats held or owned by one user: ${c.maxSeatsPerUser} (limit ${c.perUserLimit})`,
    `- 5xx or network errors in every phase: ${c.serverErrors}`,
    `- **${c.ok ? 'correct' : 'NOT correct'}**`,
    '',
    '## CPU per entry request (µs, from /proc utime + stime, burst only)',
    '',
    '| process | µs per entry |',
    '|---|---:|',
    ...Object.entries(r.entry.cpuByProcessUs)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `| ${k} | ${f(v, 1)} |`),
    `| **platform total** | **${f(r.entry.cpuPerRequestUs, 1)}** |`,
    `| load generator (this process, not counted) | ${f(r.entry.loadGeneratorCpuPerRequestUs, 1)} |`,
    '',
    '## Payments',
    '',
    `${r.payments.attempted} winners paid through the gateway (prepare, sandbox checkout, confirm; 8 at a time): ${r.payments.confirmed} confirmed, ${f(r.payments.perSecond, 1)} payments/s, journey p50 ${f(r.payments.p50, 1)} ms, p99 ${f(r.payments.p99, 1)} ms; sold in Redis ${r.payments.soldInRedis}, recorded in PostgreSQL from Kafka ${r.payments.soldInPostgres ?? 'n/a'}.`,
    `CPU per payment (µs): ${cpuList(r.payments.cpuByProcessUs)}.`,
    '',
    '## Sign-up + login (straight at auth, 4 at a time)',
    '',
    `${f(r.logins.requests)} pairs, ${f(r.logins.perSecond, 1)}/s, p50 ${f(r.logins.p50, 1)} ms, p99 ${f(r.logins.p99, 1)} ms (load ${la(r.logins.loadAvg)}); CPU per pair (µs): ${cpuList(r.logins.cpuByProcessUs)}.`,
    ...(r.profiles ? ['', `CPU profiles: \`${r.profiles}\``] : []),
    '',
  ].join('\n');
}

export function svg(r: Report): string {
  const pts = (b: Bucket[], k: 'perSecond' | 'p50' | 'p99') => b.map((x) => [x.t, x[k]] as [number, number]);
  return chart(`Flash sale: ${r.config.users} shoppers → ${r.config.seats} seats (${r.startedAt})`, [
    {
      title: 'Throughput, completed requests per second (100 ms buckets)',
      unit: 'req/s',
      series: [
        { label: 'entries (burst)', color: '#1f77b4', points: pts(r.timeline.entry, 'perSecond') },
        { label: 'entries (paced)', color: '#2ca02c', points: pts(r.timeline.paced, 'perSecond') },
        { label: 'hello behind gateway', color: '#999999', points: pts(r.timeline.helloGateway, 'perSecond'), dashed: true },
      ],
    },
    {
      title: 'Latency of the requests completing in each bucket',
      unit: 'ms',
      series: [
        { label: 'burst p50', color: '#1f77b4', points: pts(r.timeline.entry, 'p50'), dashed: true },
        { label: 'burst p99', color: '#d62728', points: pts(r.timeline.entry, 'p99') },
        { label: 'paced p99', color: '#2ca02c', points: pts(r.timeline.paced, 'p99') },
      ],
    },
  ]);
}
