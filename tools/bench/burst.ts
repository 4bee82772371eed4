/**
 * Burst benchmark (not a test): N distinct users hit one sale of S seats through real entry
 * replicas at once; prints entries/s, latency percentiles and correctness counts, then, in the same
 * run, the raw rate of the reservation script called directly on the same Redis shard, and the
 * ratio between the two.
 *
 *   npm run bench:entry -- --users 20000 --seats 1000 [--replicas 2] [--concurrency 256]
 *
 * Redis: REDIS_NODES, or STAMPEDE_TEST_INFRA_FILE, or else a fresh 6-node cluster it starts itself
 * (ports BENCH_PORT_BASE..+5, default 34100) and stops at the end.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Cluster } from 'ioredis';
import { createRedisCluster } from '@stampede/chassis/clients/redis';
import { armSale, readInventory, reserveHold } from '@stampede/ledger';
import { ProcessGroup, spawnTs, startRedisCluster, startSnapshotServer, startTestIssuer, type SpawnedService, auditSale } from '@stampede/devkit';
import { Pool } from 'undici';

const ROOT = resolve(__dirname, '../..');
const out = (line = '') => process.stdout.write(line + '\n');

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
    seats: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '256' },
  },
});
const N = Number(args.users);
const S = Number(args.seats);
const REPLICAS = Number(args.replicas);
const C = Number(args.concurrency);

async function redisNodes(cleanup: Array<() => Promise<void>>): Promise<string> {
  if (process.env.REDIS_NODES) return process.env.REDIS_NODES;
  if (process.env.STAMPEDE_TEST_INFRA_FILE) {
    const { readFileSync } = await import('node:fs');
    return (JSON.parse(readFileSync(process.env.STAMPEDE_TEST_INFRA_FILE, 'utf8')) as { redisNodes: string }).redisNodes;
  }
  const base = Number(process.env.BENCH_PORT_BASE ?? 34100);
  const dir = join(ROOT, '.stampede', `bench-${base}`);
  const group = new ProcessGroup(join(dir, 'logs'));
  out(`starting a Redis Cluster on ports ${base}..${base + 5}`);
  const cluster = await startRedisCluster({ group, dir: join(dir, 'redis'), basePort: base });
  cleanup.push(() => group.stopAll(3_000));
  return cluster.nodesEnv;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs `work` for every index with at most `limit` in flight; returns elapsed ms. */
async function burst(count: number, limit: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return performance.now() - started;
}

/** A sale id whose slot lives on the same master as `saleId`'s, so the raw run uses the same shard. */
async function sameShardSale(redis: Cluster, saleId: string): Promise<string> {
  const masterOf = async (id: string) => {
    const slot = (await redis.cluster('KEYSLOT', `{sale:${id}}:inv`)) as number;
    return redis.slots[slot]?.[0];
  };
  const target = await masterOf(saleId);
  for (let i = 0; ; i++) {
    const id = `${saleId}-raw${i}`;
    if ((await masterOf(id)) === target) return id;
  }
}

async function main() {
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const nodes = await redisNodes(cleanup);
    // The devkit issuer and snapshot double read the Redis nodes from the test-infra variable.
    process.env.STAMPEDE_TEST_INFRA = JSON.stringify({ redisNodes: nodes });
    const redis = createRedisCluster({
      nodes: nodes.split(',').map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) })),
    });
    cleanup.push(async () => void redis.disconnect());
    const issuer = await startTestIssuer();
    cleanup.push(() => issuer.stop());
    const snapshots = await startSnapshotServer();
    cleanup.push(() => snapshots.stop());

    const saleId = `bench-${Date.now().toString(36)}`;
    await armSale(redis, { saleId, total: S, limit: 1, holdTtlSeconds: 600 });
    snapshots.put({ saleId, stock: S, perUserLimit: 1, holdTtlSeconds: 600, unitPrice: 99_000 });

    out(`starting ${REPLICAS} entry replica(s)`);
    const env = { REDIS_NODES: nodes, ...issuer.env(), EVENT_URL: snapshots.url, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    const replicas: SpawnedService[] = await Promise.all(Array.from({ length: REPLICAS }, () => spawnTs(ROOT, 'services/entry/src/main.ts', env)));
    cleanup.unshift(async () => void (await Promise.all(replicas.map((r) => r.kill('SIGTERM')))));
    const pools = replicas.map((r) => new Pool(r.url, { connections: Math.ceil(C / REPLICAS), pipelining: 1 }));
    cleanup.unshift(async () => void (await Promise.all(pools.map((p) => p.close()))));

    out(`minting ${fmt(N, 0)} user sessions and access tokens`);
    const tokens: string[] = new Array(N);
    await burst(N, 64, async (i) => void (tokens[i] = await issuer.token({ userId: `bench-u${i}` })));

    // Warm-up: keys, snapshot and connections ready on every replica (not counted; separate sale).
    const warmSale = `${saleId}-warm`;
    await armSale(redis, { saleId: warmSale, total: 1_000_000, limit: 1_000_000, holdTtlSeconds: 5 });
    snapshots.put({ saleId: warmSale, stock: 1_000_000, perUserLimit: 1_000_000, holdTtlSeconds: 5 });
    await burst(Math.min(2_000, N), C, async (i) => {
      const res = await pools[i % REPLICAS]!.request({ method: 'POST', path: `/sales/${warmSale}/entries`, headers: { authorization: `Bearer ${tokens[i]}` } });
      await res.body.dump();
    });
    await fetch(`${snapshots.url}/internal/sales/${saleId}/snapshot`);
    for (const p of pools) await (await p.request({ method: 'GET', path: `/sales/${saleId}/availability` })).body.dump();

    out(`burst: ${fmt(N, 0)} users → ${fmt(S, 0)} seats, ${REPLICAS} replica(s), ${C} in flight`);
    const latencies: number[] = new Array(N);
    const outcomes = new Map<string, number>();
    const httpMs = await burst(N, C, async (i) => {
      const t0 = performance.now();
      let outcome: string;
      try {
        const res = await pools[i % REPLICAS]!.request({
          method: 'POST',
          path: `/sales/${saleId}/entries`,
          headers: { authorization: `Bearer ${tokens[i]}` },
        });
        const body = (await res.body.json()) as { error?: { code: string } };
        outcome = res.statusCode === 201 ? 'HELD' : (body.error?.code ?? `HTTP_${res.statusCode}`);
      } catch {
        outcome = 'NETWORK_ERROR';
      }
      latencies[i] = performance.now() - t0;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    });
    const inv = (await readInventory(redis, saleId))!;
    const audit = (await auditSale(redis, saleId))!;

    // The same burst, straight at the reserve script on the same shard: the ceiling for the service.
    const rawSale = await sameShardSale(redis, saleId);
    await armSale(redis, { saleId: rawSale, total: S, limit: 1, holdTtlSeconds: 600 });
    const rawOutcomes = new Map<string, number>();
    const rawMs = await burst(N, C, async (i) => {
      const r = await reserveHold(redis, { saleId: rawSale, userId: `bench-u${i}`, qty: 1, sku: 'SKU', unitPrice: 99_000 });
      rawOutcomes.set(r.outcome, (rawOutcomes.get(r.outcome) ?? 0) + 1);
    });
    const rawInv = (await readInventory(redis, rawSale))!;

    const sorted = latencies.slice().sort((a, b) => a - b);
    const httpRate = N / (httpMs / 1000);
    const rawRate = N / (rawMs / 1000);
    const held = outcomes.get('HELD') ?? 0;
    const soldOut = outcomes.get('SOLD_OUT') ?? 0;
    const correct =
      held === Math.min(S, N) &&
      soldOut === N - held &&
      inv.available === S - held &&
      inv.held === held &&
      audit.available + audit.held + audit.sold === audit.total &&
      audit.heldSeats === audit.held &&
      audit.maxPerUser <= 1 &&
      rawInv.held === Math.min(S, N);

    out();
    out('── through the entry service (HTTP, auth, snapshot, reserve script) ──');
    out(`  requests          ${fmt(N, 0)} in ${fmt(httpMs / 1000, 2)} s`);
    out(`  entries/s         ${fmt(httpRate, 0)}`);
    out(`  latency ms        p50 ${fmt(pct(sorted, 50), 2)}   p95 ${fmt(pct(sorted, 95), 2)}   p99 ${fmt(pct(sorted, 99), 2)}   max ${fmt(sorted[sorted.length - 1] ?? NaN, 2)}`);
    out(`  outcomes          ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out(`  inventory         total ${inv.total}, available ${inv.available}, held ${inv.held}, sold ${inv.sold}; holds ${audit.holds}; max seats per user ${audit.maxPerUser}`);
    out('── reserve script called directly on the same shard ──');
    out(`  calls/s           ${fmt(rawRate, 0)}   (${fmt(N, 0)} calls in ${fmt(rawMs / 1000, 2)} s; ${[...rawOutcomes].map(([k, v]) => `${k} ${v}`).join(', ')})`);
    out(`  service / script  ${fmt((httpRate / rawRate) * 100, 1)} % of the raw script rate`);
    out(`  correctness       ${correct ? 'OK' : 'FAILED'}: ${held} held = min(S, N), ${soldOut} SOLD_OUT = N − held, available + held + sold = total`);
    out(
      JSON.stringify({ users: N, seats: S, replicas: REPLICAS, concurrency: C, entriesPerSecond: Math.round(httpRate), p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), held, soldOut, rawCallsPerSecond: Math.round(rawRate), ratio: httpRate / rawRate, correct }),
    );
    process.exitCode = correct ? 0 : 1;
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
