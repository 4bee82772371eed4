/**
 * The local flash-sale benchmark (not a test): the whole platform on its own ports, U shoppers
 * bursting at a sale of S seats through the gateway, a share of the winners paying, and in the
 * same run the two ceilings it is judged against. Writes reports/bench-<time>.{json,md,svg}.
 *
 *   npm run bench -- --users 20000 --seats 1000 [--replicas entry=2,gateway=1] [--in-flight 256]
 *                    [--pay 0.1] [--limit 1] [--offset 1000] [--log-level info] [--telemetry on|off]
 *                    [--env KEY=VALUE]... [--logins 100] [--profile]   (CPU profiles of gateway and entry per phase, next to the report)
 *   npm run bench -- --waiting-room --users 20000 --seats 1000 --replicas entry=2,gateway=3 [--room-margin 10]
 *                    (the waiting-room phase alone: tools/bench/phases/waiting-room.ts)
 *
 * Phases: warm-up (a separate sale, both systems) → `pairs` alternating bursts (closed loop,
 * saturation) of Stampede and of the reference (a naive Express server with one EVAL on one Redis,
 * tools/bench/reference-server.ts), each on a fresh sale with fresh shoppers → the same mix paced
 * at 80 % of Stampede's burst rate (open loop, for the latency target) → an Express hello-world
 * alone, then behind a second, identical gateway → the reservation script alone on the same Redis
 * shard → payments → sign-ups and logins straight at auth (its capacity) → report. CPU is read from
 * /proc for every process of each system before and after each burst.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { armSale, readInventory, reserveHold, saleKeys } from '@stampede/ledger';
import { auditSale, CARDS, closeClient, createOperator, login, openSale, parseReplicas, pay, pool as inParallel, signUpAndLogin, type Session, type Urls } from '@stampede/devkit';
import { Pool } from 'undici';
import { cpuBetween, snapshotCpu } from './lib/cpu';
import { closed, paced, type Shot } from './lib/drive';
import { markdown, svg, type LoadAvg, type Phase, type Report } from './lib/report';
import { startReference } from './lib/reference';
import { waitingRoomPhase } from './phases/waiting-room';
import { setUp } from './lib/setup';
import { percentile, summarize, timeline } from './lib/stats';

const ROOT = resolve(__dirname, '../..');
const log = (s: string) => process.stdout.write(`${s}\n`);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100) as LoadAvg;

const { values: a } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
    seats: { type: 'string', default: '1000' },
    limit: { type: 'string', default: '1' },
    replicas: { type: 'string', default: 'entry=2,gateway=1' },
    'in-flight': { type: 'string', default: '256' },
    pay: { type: 'string', default: '0.1' },
    paced: { type: 'string', default: '0.8' },
    offset: { type: 'string', default: '1000' },
    'log-level': { type: 'string', default: 'info' },
    telemetry: { type: 'string', default: 'on' },
    profile: { type: 'boolean', default: false },
    logins: { type: 'string', default: '100' },
    /** Alternating bursts of Stampede and the reference; ratios are medians over the pairs. */
    pairs: { type: 'string', default: '3' },
    /** KEY=VALUE for every service, repeatable (e.g. OTEL_TRACES_SAMPLER=parentbased_traceidratio). */
    env: { type: 'string', multiple: true, default: [] },
    /** Runs the waiting-room phase alone: U shoppers queue with live streams for S seats. */
    'waiting-room': { type: 'boolean', default: false },
    'room-margin': { type: 'string', default: '10' },
  },
});
const U = Number(a.users);
const S = Number(a.seats);
const L = Number(a.limit);
const C = Number(a['in-flight']);
const PAY = Number(a.pay);
const PACED = Number(a.paced);
const PAIRS = Number(a.pairs);
const replicas = parseReplicas(a.replicas);
for (const [k, v] of Object.entries({ users: U, seats: S, limit: L, 'in-flight': C, pairs: PAIRS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
}

const isMainGateway = (name: string) => name === 'gateway' || /^gateway-\d+$/.test(name);

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const reportsDir = join(ROOT, 'reports');
const profileDir = join(reportsDir, `bench-${stamp}-profiles`);

/** POST /sales/:id/entries through one of `pools`; the outcome is the error code, or HELD. */
function entryShot(pools: Pool[], saleId: string, tokens: string[], onHeld?: (i: number, reservationToken: string) => void): Shot {
  return async (i) => {
    const res = await pools[i % pools.length]!.request({
      method: 'POST',
      path: `/sales/${saleId}/entries`,
      headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.body.json().catch(() => undefined)) as { reservationToken?: string; error?: { code?: string } } | undefined;
    if (res.statusCode === 201) {
      if (body?.reservationToken) onHeld?.(i, body.reservationToken);
      return { status: 201, outcome: 'HELD' };
    }
    return { status: res.statusCode, outcome: body?.error?.code ?? `HTTP_${res.statusCode}` };
  };
}

/** The reference's entry: the shopper names itself in the body (it has no authentication). */
function referenceShot(pool: Pool, saleId: string, userIds: string[]): Shot {
  return async (i) => {
    const res = await pool.request({ method: 'POST', path: `/sales/${saleId}/entries`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: userIds[i] }) });
    await res.body.dump();
    return { status: res.statusCode, outcome: res.statusCode === 201 ? 'HELD' : `HTTP_${res.statusCode}` };
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);

async function main() {
  const env: Record<string, string> = {};
  for (const kv of a.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw new Error(`bad --env "${kv}" (expected KEY=VALUE)`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (a.telemetry === 'off') env.OTEL_SDK_DISABLED = 'true';
  if (a.profile) {
    mkdirSync(profileDir, { recursive: true });
    env.NODE_OPTIONS = `--require ${join(__dirname, 'cpu-profiler.cjs')}`;
    env.BENCH_PROFILE_DIR = profileDir;
  }
  const started = new Date().toISOString();
  const loadAtStart = load();
  log(`load average ${loadAtStart.join(' ')}; starting the platform on port offset ${a.offset} (${JSON.stringify(replicas)})`);
  const bench = await setUp({ root: ROOT, dataDir: join(ROOT, '.stampede', `bench-${a.offset}`), offset: Number(a.offset), replicas, logLevel: a['log-level'] as string, env });
  const pools: Pool[] = [];
  // Clients the run opened beyond the pools; closed before the platform stops, or their reconnect
  // loops keep the process alive after the report.
  const disconnects: Array<() => void> = [];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the platform`);
      void bench.stop().finally(() => process.exit(130));
    });
  }
  // Profiles are named pid-<pid>-<n>.cpuprofile: this says which service each pid was.
  if (a.profile) writeFileSync(join(profileDir, 'pids.json'), JSON.stringify(Object.fromEntries(bench.roots()), null, 2));
  try {
    const u: Urls = { gateway: bench.gateways[0] as string, auth: bench.auth };
    const gw = bench.gateways.map((g) => new Pool(g, { connections: Math.ceil(C / bench.gateways.length), pipelining: 1 }));
    const hello = new Pool(bench.helloGateway, { connections: C, pipelining: 1 });
    pools.push(...gw, hello);

    log('operator opens three sales through the gateway: warm-up, burst, paced');
    const admin = await login(u.gateway, bench.admin.email, bench.admin.password);
    const operator = await createOperator(u, admin);
    if (a['waiting-room']) {
      log(`minting ${U} shoppers (sessions in Redis, ES256 tokens)`);
      const figures = await waitingRoomPhase({
        gateways: bench.gateways,
        operator,
        shoppers: await bench.mint.shoppers(U),
        seats: S,
        margin: Number(a['room-margin']),
        concurrency: C,
        perProcess: 7_000,
        redis: bench.redis,
        roots: bench.roots((n) => !n.startsWith('hello') && n !== 'gateway-hello' && !n.startsWith('reference')),
        log,
      });
      mkdirSync(reportsDir, { recursive: true });
      const file = join(reportsDir, `bench-${stamp}-waiting-room.json`);
      writeFileSync(file, `${JSON.stringify({ started, loadAtStart, loadAtEnd: load(), replicas, figures }, null, 2)}\n`);
      log(`report: ${file}`);
      return;
    }
    const warmCount = Math.min(2_000, U);
    const warmSale = await openSale(u, operator, { stock: warmCount, unitPrice: 55_000, holdTtlSeconds: 600, perUserLimit: 1 });
    const saleId = await openSale(u, operator, { stock: S, unitPrice: 55_000, holdTtlSeconds: 600, perUserLimit: L });
    const pacedSale = await openSale(u, operator, { stock: S, unitPrice: 55_000, holdTtlSeconds: 600, perUserLimit: L });

    log(`minting ${U + warmCount} shoppers (sessions in Redis, ES256 tokens)`);
    const shoppers = await bench.mint.shoppers(U);
    const warmers = await bench.mint.shoppers(warmCount);
    const tokens = shoppers.map((s) => s.token);
    const warmTokens = warmers.map((s) => s.token);

    log(`warm-up: ${warmCount} entries on another sale, through both gateways`);
    await closed(warmCount, C, entryShot(gw, warmSale, warmTokens));
    await closed(warmCount, C, entryShot([hello], warmSale, warmTokens));
    for (const id of [saleId, pacedSale]) await fetch(`${u.gateway}/sales/${id}/availability`);

    const reference = await startReference({ root: ROOT, group: bench.platform.group, port: 9180 + Number(a.offset), redisPort: 9181 + Number(a.offset) });
    const refPool = new Pool(reference.url, { connections: C, pipelining: 1 });
    pools.push(refPool);
    disconnects.push(reference.close);
    log(`warm-up: ${warmCount} entries on the reference`);
    await reference.open('warm', warmCount);
    await closed(warmCount, C, referenceShot(refPool, 'warm', warmers.map((w) => w.userId)));

    // The invariant all through the run: the counters (one HGETALL, atomic) every 25 ms, and every
    // 10th time the full audit (one Lua read over every hold record and per-user count), which
    // costs the sale's shard more, so it is not run at the counters' pace.
    const violations: string[] = [];
    let samples = 0;
    let ticks = 0;
    const check = async (id: string, full = true) => {
      const bad: string[] = [];
      if (!full) {
        const inv = await readInventory(bench.redis, id);
        if (!inv) return;
        samples++;
        if (inv.available + inv.held + inv.sold !== inv.total) bad.push(`available ${inv.available} + held ${inv.held} + sold ${inv.sold} ≠ ${inv.total}`);
        if (inv.available < 0 || inv.held < 0 || inv.sold < 0) bad.push('negative counter');
      } else {
        const s = await auditSale(bench.redis, id);
        if (!s) return;
        samples++;
        if (s.available + s.held + s.sold !== s.total) bad.push(`available ${s.available} + held ${s.held} + sold ${s.sold} ≠ ${s.total}`);
        if (s.available < 0 || s.held < 0 || s.sold < 0) bad.push('negative counter');
        if (s.heldSeats !== s.held) bad.push(`hold records ${s.heldSeats} ≠ held ${s.held}`);
        if (s.userSeats !== s.held + s.sold) bad.push(`per-user seats ${s.userSeats} ≠ held + sold`);
        if (s.maxPerUser > s.limit) bad.push(`a user holds ${s.maxPerUser} > ${s.limit}`);
      }
      if (bad.length) violations.push(`${id}: ${bad.join(', ')}`);
    };
    const sampler = setInterval(() => void check(saleId, ++ticks % 10 === 0).catch(() => undefined), 25);

    const roots = bench.roots((n) => !n.startsWith('hello') && n !== 'gateway-hello' && !n.startsWith('reference'));
    const pairs: Array<{ stampede: { perSecond: number; cpuUs: number; byProcess: Record<string, number>; holds: number; ok: boolean }; reference: { perSecond: number; cpuUs: number; byProcess: Record<string, number>; holds: number; ok: boolean } }> = [];
    const winners: Array<{ i: number; token: string }> = [];
    let burst!: Awaited<ReturnType<typeof closed>>;
    let cpuBy!: Map<string, number>;
    let genCpu!: NodeJS.CpuUsage;
    let entryLoad!: LoadAvg;
    let audit!: Awaited<ReturnType<typeof auditSale>>;
    for (let k = 0; k < PAIRS; k++) {
      // Stampede: the first pair's sale is the one sampled for the invariant all through.
      const sale = k === 0 ? saleId : await openSale(u, operator, { stock: S, unitPrice: 55_000, holdTtlSeconds: 600, perUserLimit: L });
      const pairTokens = k === 0 ? tokens : (await bench.mint.shoppers(U)).map((s) => s.token);
      log(`pair ${k + 1}/${PAIRS}, Stampede: ${U} shoppers → ${S} seats, ${C} in flight, through ${bench.gateways.length} gateway(s)`);
      await toggleProfiles(k === 0 ? roots : new Map());
      const before = snapshotCpu(roots);
      const genBefore = process.cpuUsage();
      const run = await closed(U, C, entryShot(gw, sale, pairTokens, k === 0 ? (i, token) => winners.push({ i, token }) : undefined));
      const gen = process.cpuUsage(genBefore);
      const by = cpuBetween(before, snapshotCpu(roots));
      await toggleProfiles(k === 0 ? roots : new Map());
      const l = load();
      const saleAudit = await auditSale(bench.redis, sale);
      const sum1 = summarize(run.samples, run.elapsedMs);
      const holds = sum1.outcomes.HELD ?? 0;
      const runOk = holds === Math.min(S, U) && saleAudit?.held === Math.min(S, U) && (saleAudit?.maxPerUser ?? 0) <= L && run.samples.every((x) => x.status > 0 && x.status < 500);
      log(`  ${sum1.perSecond} entries/s, p50 ${sum1.p50} p99 ${sum1.p99} ms, ${(sum(by) / U).toFixed(0)} µs CPU per entry, ${holds} held; load ${l.join(' ')}`);
      if (k === 0) {
        burst = run;
        cpuBy = by;
        genCpu = gen;
        entryLoad = l;
        audit = saleAudit;
      }

      const refSale = `ref-${stamp}-${k}`;
      const refUsers = Array.from({ length: U }, (_, i) => `shopper-${k}-${i}`);
      await reference.open(refSale, S);
      log(`pair ${k + 1}/${PAIRS}, reference: ${U} shoppers → ${S} seats, ${C} in flight`);
      const refRoots = reference.roots();
      const refBefore = snapshotCpu(refRoots);
      const refRun = await closed(U, C, referenceShot(refPool, refSale, refUsers));
      const refBy = cpuBetween(refBefore, snapshotCpu(refRoots));
      const refSum = summarize(refRun.samples, refRun.elapsedMs);
      const refSold = await reference.sold(refSale);
      const refHolds = refSum.outcomes.HELD ?? 0;
      log(`  ${refSum.perSecond} entries/s, p50 ${refSum.p50} p99 ${refSum.p99} ms, ${(sum(refBy) / U).toFixed(0)} µs CPU per entry, ${refHolds} held; load ${load().join(' ')}`);
      pairs.push({
        stampede: { perSecond: sum1.perSecond, cpuUs: Math.round(sum(by) / U), byProcess: perRequest(by, U), holds, ok: runOk },
        reference: { perSecond: refSum.perSecond, cpuUs: Math.round(sum(refBy) / U), byProcess: perRequest(refBy, U), holds: refHolds, ok: refHolds === Math.min(S, U) && refSold.buyers === refHolds },
      });
    }
    const cpuTotal = sum(cpuBy);
    await check(saleId);
    const entry = summarize(burst.samples, burst.elapsedMs);
    const cpuRatio = median(pairs.map((p) => p.stampede.cpuUs / p.reference.cpuUs));
    const throughputRatio = median(pairs.map((p) => p.stampede.perSecond / p.reference.perSecond));
    log(`ratios (Stampede ÷ reference, medians of ${PAIRS} pairs): CPU per entry ${cpuRatio.toFixed(2)}×, throughput ${throughputRatio.toFixed(2)}×`);

    const rate = Math.max(1, Math.round(entry.perSecond * PACED));
    const pacedCount = Math.min(U, Math.max(rate * 8, 2_000));
    // Fresh shoppers: the burst's tokens are now remembered by the verifiers, which would make
    // this phase cheaper than a real stampede of first-time tokens.
    const pacedTokens = (await bench.mint.shoppers(pacedCount)).map((s) => s.token);
    log(`paced: ${pacedCount} new shoppers at ${rate}/s (${PACED * 100} % of the burst rate), another sale`);
    const pacedRun = await paced(pacedCount, rate, entryShot(gw, pacedSale, pacedTokens));
    const pacedLoad = load();
    const pacedSummary = summarize(pacedRun.samples, pacedRun.elapsedMs);
    log(`  p50 ${pacedSummary.p50} p99 ${pacedSummary.p99} ms; load ${pacedLoad.join(' ')}`);
    clearInterval(sampler);

    log(`ceiling 1a: ${U} requests straight at an Express hello-world (one process)`);
    const helloOne = new Pool(bench.helloUpstreams[0] as string, { connections: C, pipelining: 1 });
    pools.push(helloOne);
    const oneRoots = bench.roots((n) => n === 'hello-1');
    const oneBefore = snapshotCpu(oneRoots);
    const oneRun = await closed(U, C, entryShot([helloOne], saleId, tokens));
    const expressHelloUs = sum(cpuBetween(oneBefore, snapshotCpu(oneRoots))) / U;
    const oneSummary = summarize(oneRun.samples, oneRun.elapsedMs);
    log(`  ${oneSummary.perSecond} req/s, ${expressHelloUs.toFixed(0)} µs CPU per request`);

    log(`ceiling 1b: ${U} requests, hello-world behind the gateway`);
    const helloRoots = bench.roots((n) => !n.startsWith('entry') && !isMainGateway(n) && !n.startsWith('reference'));
    const hBefore = snapshotCpu(helloRoots);
    await toggleProfiles(helloRoots);
    const helloRun = await closed(U, C, entryShot([hello], saleId, tokens));
    await toggleProfiles(helloRoots);
    const hBy = cpuBetween(hBefore, snapshotCpu(helloRoots));
    const hCpu = sum(hBy);
    const gatewayHopUs = (hBy.get('gateway-hello') ?? 0) / U;
    const helloLoad = load();
    const helloSummary = summarize(helloRun.samples, helloRun.elapsedMs);
    log(`  ${helloSummary.perSecond} req/s, p99 ${helloSummary.p99} ms; the gateway ${gatewayHopUs.toFixed(0)} µs CPU per request (${(gatewayHopUs / expressHelloUs).toFixed(2)}× the Express hello-world); load ${helloLoad.join(' ')}`);

    log(`ceiling 2: ${U} calls of the reservation script on the sale's own shard`);
    const rawSale = await sameShard(bench.redis, saleId);
    await armSale(bench.redis, { saleId: rawSale, total: S, limit: L, holdTtlSeconds: 600 });
    const raw = await closed(U, C, async (i) => {
      const r = await reserveHold(bench.redis, { saleId: rawSale, userId: shoppers[i]!.userId, qty: 1, sku: 'SKU', unitPrice: 55_000 });
      return { status: r.outcome === 'HELD' ? 201 : 409, outcome: r.outcome };
    });
    const rawLoad = load();
    const rawSummary = summarize(raw.samples, raw.elapsedMs);
    log(`  ${rawSummary.perSecond} calls/s; load ${rawLoad.join(' ')}`);

    const payers = winners.slice(0, Math.round(winners.length * PAY));
    log(`payments: ${payers.length} winners pay through the gateway`);
    const sampler2 = setInterval(() => void check(saleId).catch(() => undefined), 100);
    const payBefore = snapshotCpu(roots);
    const payStarted = performance.now();
    const paid = await inParallel(payers, 8, async (w) => {
      const s: Session = { userId: shoppers[w.i]!.userId, email: '', accessToken: tokens[w.i]!, refreshToken: '' };
      const t0 = performance.now();
      const ans = await pay(u, s, w.token, CARDS.success).catch(() => ({ status: 0 }));
      return { ok: ans.status === 200, ms: performance.now() - t0 };
    });
    const paySeconds = (performance.now() - payStarted) / 1000;
    const payCpu = perRequest(cpuBetween(payBefore, snapshotCpu(roots)), Math.max(1, payers.length));
    clearInterval(sampler2);
    const confirmed = paid.filter((p) => p.ok).length;

    // Auth's capacity: sign-up + login pairs straight at auth (argon2id twice), a few at a time.
    const loginCount = Number(a.logins);
    log(`logins: ${loginCount} sign-ups + logins straight at auth`);
    const authRoots = bench.roots((n) => n === 'auth' || n.startsWith('auth-') || n === 'postgres' || n.startsWith('redis'));
    const authBefore = snapshotCpu(authRoots);
    const loginRun = await closed(loginCount, 4, async () => {
      await signUpAndLogin(bench.auth, 'bench');
      return { status: 200, outcome: 'LOGGED_IN' };
    });
    const loginCpu = perRequest(cpuBetween(authBefore, snapshotCpu(authRoots)), loginCount);
    const loginSummary = summarize(loginRun.samples, loginRun.elapsedMs);
    log(`  ${loginSummary.perSecond} sign-up+login pairs/s, auth ${Math.round(loginCpu.auth ?? 0)} µs CPU per pair`);
    let soldInPostgres: number | null = null;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const r = await fetch(`${u.gateway}/sales/${saleId}/stats`, { headers: { authorization: `Bearer ${operator.accessToken}` } });
      soldInPostgres = r.ok ? (((await r.json()) as { sold?: number }).sold ?? null) : null;
      if (soldInPostgres === confirmed) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await check(saleId);
    const final = await auditSale(bench.redis, saleId);
    const payMs = paid.map((p) => p.ms).sort((x, y) => x - y);

    const all = [...burst.samples, ...pacedRun.samples, ...helloRun.samples];
    const serverErrors = all.filter((s) => s.status >= 500 || s.status === 0).length;
    const expected = Math.min(S, U);
    const held = entry.outcomes.HELD ?? 0;
    const correctness = {
      expectedHolds: expected,
      holdResponses: held,
      holdsInRedis: audit?.held ?? -1,
      invariantSamples: samples,
      invariantViolations: violations,
      maxSeatsPerUser: Math.max(audit?.maxPerUser ?? 0, final?.maxPerUser ?? 0),
      perUserLimit: L,
      serverErrors,
      everyRun: pairs.map((p) => p.stampede.ok && p.reference.ok),
      ok: held === expected && audit?.held === expected && violations.length === 0 && serverErrors === 0 && (audit?.maxPerUser ?? 0) <= L && pairs.every((p) => p.stampede.ok),
    };
    const phase = (s: ReturnType<typeof summarize>, l: LoadAvg): Phase => ({ ...s, loadAvg: l });
    const ratioHello = entry.perSecond / helloSummary.perSecond;
    const cpuPer = cpuTotal / U;
    const report: Report = {
      startedAt: started,
      commit: gitCommit(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version, loadAvgAtStart: loadAtStart },
      config: { users: U, seats: S, perUserLimit: L, replicas: { gateway: 1, entry: 2, ...replicas }, inFlight: C, payShare: PAY, logLevel: a['log-level'] as string, telemetry: a.telemetry as string, serviceEnv: a.env ?? [], pacedFraction: PACED },
      entry: {
        ...phase(entry, entryLoad),
        cpuPerRequestUs: Math.round(cpuPer),
        cpuByProcessUs: perRequest(cpuBy, U),
        loadGeneratorCpuPerRequestUs: Math.round((genCpu.user + genCpu.system) / U),
      },
      paced: { ...phase(pacedSummary, pacedLoad), targetPerSecond: rate },
      helloGateway: { ...phase(helloSummary, helloLoad), cpuPerRequestUs: Math.round(hCpu / U), gatewayCpuPerRequestUs: Math.round(gatewayHopUs) },
      expressHello: { ...phase(oneSummary, helloLoad), cpuPerRequestUs: Math.round(expressHelloUs) },
      rawScript: phase(rawSummary, rawLoad),
      pairs,
      ratios: {
        cpuPerEntryVsReference: round3(cpuRatio),
        throughputVsReference: round3(throughputRatio),
        gatewayVsExpressHello: round3(gatewayHopUs / expressHelloUs),
        entryToHelloGateway: round3(ratioHello),
        entryToRawScript: round3(entry.perSecond / rawSummary.perSecond),
      },
      correctness,
      payments: {
        attempted: payers.length,
        confirmed,
        perSecond: Math.round((payers.length / paySeconds) * 10) / 10,
        p50: percentile(payMs, 50),
        p99: percentile(payMs, 99),
        soldInPostgres,
        soldInRedis: final?.sold ?? -1,
        cpuByProcessUs: payCpu,
      },
      logins: { ...phase(loginSummary, load()), cpuByProcessUs: loginCpu },
      targets: [
        { name: 'CPU per entry, whole platform ÷ the reference (median of pairs)', target: '≤ 2.0×', measured: `${cpuRatio.toFixed(2)}×`, met: cpuRatio <= 2 },
        { name: 'burst throughput ÷ the reference (median of pairs)', target: '≥ 0.8×', measured: `${throughputRatio.toFixed(2)}×`, met: throughputRatio >= 0.8 },
        { name: 'gateway CPU per request over a do-nothing upstream ÷ an Express hello-world', target: '≤ 2.5×', measured: `${(gatewayHopUs / expressHelloUs).toFixed(2)}×`, met: gatewayHopUs / expressHelloUs <= 2.5 },
        { name: `p99 at ${PACED * 100} % of saturation`, target: '< 50 ms', measured: `${pacedSummary.p99} ms`, met: pacedSummary.p99 < 50 },
        { name: 'correctness (min(S, U) holds, invariant, limit, no 5xx)', target: 'holds', measured: correctness.ok ? 'holds' : 'broken', met: correctness.ok },
      ],
      timeline: { entry: timeline(burst.samples), paced: timeline(pacedRun.samples), helloGateway: timeline(helloRun.samples) },
      ...(a.profile ? { profiles: profileDir } : {}),
    };
    mkdirSync(reportsDir, { recursive: true });
    const base = join(reportsDir, `bench-${stamp}`);
    writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
    writeFileSync(`${base}.md`, markdown(report));
    writeFileSync(`${base}.svg`, svg(report));
    log(`\n${markdown(report)}\nreport: ${base}.{json,md,svg}`);
    process.exitCode = correctness.ok ? 0 : 1;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    for (const disconnect of disconnects) disconnect();
    await closeClient();
    log('stopping the platform');
    await bench.stop();
    if (a.profile) log(`profiles in ${profileDir} (summarise: npx tsx tools/bench/profile-top.ts ${profileDir})`);
  }
}

/** CPU µs per request by process, from the µs each spent over a phase. */
function perRequest(cpu: Map<string, number>, requests: number): Record<string, number> {
  return Object.fromEntries([...cpu].filter(([, v]) => v > 0).map(([k, v]) => [k, Math.round((v / requests) * 10) / 10]));
}

/** With --profile: starts, or stops and writes, the CPU profile of every Node service among `roots`. */
async function toggleProfiles(roots: Map<number, string>): Promise<void> {
  if (!a.profile) return;
  for (const [pid, name] of roots) if (/^(gateway|entry|hello)/.test(name)) process.kill(pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 300));
}

/** A sale id whose keys live on the same Redis master as `saleId`'s. */
async function sameShard(redis: Awaited<ReturnType<typeof setUp>>['redis'], saleId: string): Promise<string> {
  const masterOf = async (id: string) => redis.slots[(await redis.cluster('KEYSLOT', saleKeys(id).inventory)) as number]?.[0];
  const target = await masterOf(saleId);
  for (let i = 0; ; i++) if ((await masterOf(`${saleId}-raw${i}`)) === target) return `${saleId}-raw${i}`;
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'services', 'packages'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+local changes` : head;
  } catch {
    return 'unknown';
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
