/**
 * Phase 7: `helm upgrade` with one changed value (common.logLevel, which rolls every service
 * Deployment through its config checksum) while a trickle of shoppers keeps entering, then
 * `helm uninstall`. What must survive the upgrade: the release Secret byte for byte (the chart
 * reads it back with lookup and never generates keys again), every sale's sold count and every
 * order and payment, the live seat counters in Redis, the store pods themselves (no chart label
 * on them, so a chart upgrade does not restart them), the tokens issued before (same signing key)
 * and the admin login.
 */
import type { Cluster } from 'ioredis';
import { auditSale, call, login, type Session } from '@stampede/devkit';
import type { Checks } from './checks';
import { helm, kget, note, seconds, sleep } from './cluster';
import { podStates, podUids } from './install';
import { sql, type Release } from './reach';
import { entryShot, gatewayPool } from './shop';
import type { Mint } from './shoppers';

interface Snapshot {
  secret: Record<string, string>;
  sales: string[][];
  orders: string[][];
  payments: string[][];
  redis: Record<string, string>;
  stores: Record<string, string>;
}

async function snapshot(r: Release, redis: Cluster, saleIds: string[]): Promise<Snapshot> {
  const secret = (await kget<{ data: Record<string, string> }>(['-n', r.namespace, 'secret', r.fullname], { secret: true })).data;
  const audits: Record<string, string> = {};
  for (const id of saleIds) {
    const a = await auditSale(redis, id);
    // Holds may expire between the two reads; what was sold may not change.
    audits[id] = a ? `total ${a.total} sold ${a.sold} held+available ${a.held + a.available}` : 'none';
  }
  return {
    secret,
    sales: await sql(r, 'event', 'select id, stock, sold, status from sales order by id'),
    orders: await sql(r, 'event', 'select status, count(*), sum(amount) from orders group by status order by status'),
    payments: await sql(r, 'payment', 'select status, count(*), sum(amount) from payments group by status order by status'),
    redis: audits,
    stores: { ...(await podUids(r.namespace, 'app.kubernetes.io/component=redis')), ...(await podUids(r.namespace, 'app.kubernetes.io/component=postgres')) },
  };
}

export interface UpgradeResult {
  command: string;
  seconds: number;
  exitCode: number;
  revision: string;
  trickle: { requests: number; statuses: Record<string, number> };
  before: Omit<Snapshot, 'secret'> & { secretKeys: string[] };
  unchanged: Record<string, boolean>;
  uninstall: { seconds: number; exitCode: number; left: string[] };
}

export async function upgrade(
  c: { release: Release; redis: Cluster; gateway: string; operator: Session; admin: { email: string; password: string }; mint: Mint; checks: Checks },
  o: { valuesFiles: string[]; change: string; saleIds: string[]; soldOutSale: string },
): Promise<UpgradeResult> {
  const r = c.release;
  const before = await snapshot(r, c.redis, o.saleIds);
  // A trickle of entries through the upgrade: rolling every Deployment must not drop requests.
  const tokens = (await c.mint(400)).map((s) => s.token);
  const pool = gatewayPool(c.gateway, 4);
  const shot = entryShot(pool, o.soldOutSale, tokens);
  const trickle = { requests: 0, statuses: {} as Record<string, number> };
  let upgrading = true;
  const traffic = (async () => {
    for (let i = 0; upgrading; i++) {
      const res = await shot(i).catch(() => ({ status: 0, outcome: 'NETWORK' }));
      trickle.requests++;
      const key = res.status >= 500 || res.status === 0 ? `${res.status} ${res.outcome}` : String(res.status);
      trickle.statuses[key] = (trickle.statuses[key] ?? 0) + 1;
      await sleep(100);
    }
  })();
  const args = ['upgrade', 'stampede', 'charts/stampede', '-n', r.namespace, '--wait', '--timeout', '15m', ...o.valuesFiles.flatMap((f) => ['-f', f]), '--set', o.change];
  note(`upgrade: helm ${args.join(' ')}`);
  const res = await helm(args, { allowFail: true });
  upgrading = false;
  await traffic;
  await pool.close();
  const after = await snapshot(r, c.redis, o.saleIds);
  // (history, not status: status prints the manifest, Secret included)
  const history = JSON.parse((await helm(['history', 'stampede', '-n', r.namespace, '-o', 'json', '--max', '1'])).stdout) as Array<{ revision: number; status: string }>;
  const revision = `${history[0]?.revision} (${history[0]?.status})`;
  const pods = await podStates(r.namespace);
  const cm = await kget<{ data: Record<string, string> }>(['-n', r.namespace, 'configmap', `${r.fullname}-entry`]);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const unchanged = {
    secret: same(before.secret, after.secret),
    sales: same(before.sales, after.sales),
    orders: same(before.orders, after.orders),
    payments: same(before.payments, after.payments),
    redisSold: same(before.redis, after.redis),
    storePods: same(before.stores, after.stores),
  };
  const oldToken = await call('GET', `${c.gateway}/sales/${o.soldOutSale}/stats`, { token: c.operator.accessToken });
  const relogin = await login(c.gateway, c.admin.email, c.admin.password).then(() => 200, (e: Error) => e.message);
  note(`upgrade: exit ${res.code} after ${seconds(res.ms)} s, revision ${revision}; unchanged ${JSON.stringify(unchanged)}; trickle ${JSON.stringify(trickle)}`);

  const ck = c.checks;
  const phase = 'upgrade';
  ck.add(phase, `helm upgrade --wait with ${o.change} exits 0`, res.code === 0, res.code === 0 ? `${seconds(res.ms)} s, revision ${revision}` : res.stderr.slice(-1_500));
  ck.equal(phase, 'the changed value reached the services', cm.data.LOG_LEVEL, o.change.split('=')[1]);
  // A pod being deleted when --wait returns (the old ReplicaSet's last one, or one the HPA scales
  // away: the rollout's new pods raise CPU and the HPA answers) is leaving, not serving.
  const serving = pods.filter((p) => p.phase !== 'Succeeded' && !p.terminating);
  ck.add(phase, 'every pod Running and Ready after the upgrade', serving.every((p) => p.ready), serving.filter((p) => !p.ready).map((p) => p.name).join(', ') || `${serving.length} pods`);
  ck.add(phase, 'the release Secret is unchanged, key for key', unchanged.secret, `${Object.keys(before.secret).length} keys`);
  ck.add(phase, 'sales (sold per sale), orders and payments are unchanged', unchanged.sales && unchanged.orders && unchanged.payments, { sales: before.sales.length, orders: before.orders, payments: before.payments });
  ck.add(phase, 'sold seats in Redis are unchanged', unchanged.redisSold, after.redis);
  ck.add(phase, 'Redis and PostgreSQL pods were not restarted (same UIDs)', unchanged.storePods, Object.keys(after.stores).join(', '));
  ck.equal(phase, 'a token issued before the upgrade still works', oldToken.status, 200);
  ck.equal(phase, 'the admin logs in after the upgrade', relogin, 200);
  ck.add(phase, 'no 5xx or network error for the entries sent during the upgrade', trickle.requests > 0 && Object.keys(trickle.statuses).every((s) => /^[1-4]\d\d$/.test(s)), trickle.statuses);

  // Uninstall: the release goes; the Secret (resource-policy keep), the stores' volumes and the
  // last `helm test` run's pod and ConfigMap (hooks, which Helm does not track for uninstall) stay.
  const smoke = `${r.fullname}-smoke-test`;
  const expected = (x: string) => x === `Secret/${r.fullname}` || x.startsWith('PersistentVolumeClaim/') || x === `Pod/${smoke}` || x === `ConfigMap/${smoke}`;
  const un = await helm(['uninstall', 'stampede', '-n', r.namespace, '--wait', '--timeout', '5m'], { allowFail: true });
  let left: string[] = [];
  for (let i = 0; i < 60; i++) {
    const all = await kget<{ items: Array<{ kind: string; metadata: { name: string } }> }>(['-n', r.namespace, 'all,configmap,secret,pvc,hpa,pdb,servicemonitor,prometheusrule', '--ignore-not-found']);
    left = all.items.filter((x) => !(x.kind === 'ConfigMap' && x.metadata.name === 'kube-root-ca.crt')).map((x) => `${x.kind}/${x.metadata.name}`);
    if (left.every(expected)) break;
    await sleep(2_000);
  }
  note(`uninstall: exit ${un.code} after ${seconds(un.ms)} s; left: ${left.join(', ')}`);
  ck.add(phase, 'helm uninstall exits 0', un.code === 0, `${seconds(un.ms)} s`);
  ck.add(phase, 'after uninstall only the kept Secret, the stores’ volume claims and the helm test hook objects remain', left.includes(`Secret/${r.fullname}`) && left.every(expected), left.join(', '));
  return {
    command: `helm ${args.join(' ')}`,
    seconds: seconds(res.ms),
    exitCode: res.code,
    revision,
    trickle,
    before: { sales: before.sales, orders: before.orders, payments: before.payments, redis: before.redis, stores: before.stores, secretKeys: Object.keys(before.secret).sort() },
    unchanged,
    uninstall: { seconds: seconds(un.ms), exitCode: un.code, left },
  };
}
