import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cluster } from 'ioredis';
import { saleKeys } from '@stampede/ledger';
import { ProcessGroup, startApp, startPrometheus, startTestIssuer, testStoreEnv, waitFor, type PrometheusHandle, type StartedApp, type TestIssuer, startSnapshotServer, type SnapshotServer } from '@stampede/devkit';
import { buildEntry } from '../src/app';
import { configShape } from '../src/config';
import { armTestSale, testRedis } from './support';

const ROOT = resolve(__dirname, '..', '..', '..');

/** The SeatInvariantBroken alert's own expression, read from the rule file Prometheus loads. */
function alertExpr(name: string): string {
  const rules = readFileSync(join(ROOT, 'observability', 'prometheus', 'rules', 'platform.rules.yml'), 'utf8');
  const m = new RegExp(`- alert: ${name}\\n\\s+expr: (.+)`).exec(rules);
  if (!m?.[1]) throw new Error(`alert ${name} not found`);
  return m[1].trim();
}

describe('the seat-invariant alert against a real Prometheus', () => {
  let redis: Cluster;
  let issuer: TestIssuer;
  let snapshots: SnapshotServer;
  let app: StartedApp;
  let prometheus: PrometheusHandle;
  const group = new ProcessGroup(join(ROOT, '.stampede', 'invariant-alert', 'logs'));

  beforeAll(async () => {
    redis = testRedis();
    issuer = await startTestIssuer();
    snapshots = await startSnapshotServer();
    app = await startApp(configShape, buildEntry, { ...testStoreEnv(), ...issuer.env(), EVENT_URL: snapshots.url });
    const port = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 30;
    prometheus = await startPrometheus({
      group,
      dir: join(ROOT, '.stampede', `invariant-alert-${port}`),
      port,
      scrapeInterval: '1s',
      jobs: [{ job: 'entry', targets: [app.url.replace('http://', '')] }],
    });
  });
  afterAll(async () => {
    await group.stopAll();
    await app?.stop();
    await snapshots?.stop();
    await issuer?.stop();
    redis?.disconnect();
  });

  it('when a sale\'s counters are consistent the expression is empty, and when a seat is conjured it is true for that sale', async () => {
    const healthy = await armTestSale(redis, { total: 10 });
    const broken = await armTestSale(redis, { total: 10 });
    const expr = alertExpr('SeatInvariantBroken');
    const deviation = (sale: string) => prometheus.query(`stampede_sale_invariant_deviation{sale="${sale}"}`);

    await waitFor('both sales scraped', async () => (await deviation(healthy)).length > 0 && (await deviation(broken)).length > 0, 15_000, 250);
    expect(await prometheus.query(`${expr}`)).toEqual([]);

    // Break it on purpose: one seat appears from nowhere.
    await redis.hincrby(saleKeys(broken).inventory, 'available', 1);

    await waitFor('alert expression true', async () => (await prometheus.query(expr)).length > 0, 15_000, 250);
    const firing = (await prometheus.query(expr)) as { metric: { sale: string }; value: [number, string] }[];
    expect(firing.map((r) => r.metric.sale)).toEqual([broken]);
    expect(firing[0]?.value[1]).toBe('1');

    // Put it back so the shared-infra invariant checks of other tests are not disturbed.
    await redis.hincrby(saleKeys(broken).inventory, 'available', -1);
  });
});
