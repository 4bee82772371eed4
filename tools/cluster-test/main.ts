/**
 * `npm run test:cluster`: the chart on a real Kubernetes cluster on this machine, in one run.
 *
 *   prepare   cluster:up, the five service images from the Dockerfile, the Prometheus Operator,
 *             Kafka (3 KRaft nodes, the chart's topics), a Prometheus selecting the chart's objects
 *   1 install helm install --wait --timeout 15m -f k8s/values-local-cluster.yaml; every pod Ready
 *   2 test    helm test
 *   3 stampede N shoppers on S seats through the gateway Service, some pay; the books agree
 *   4 autoscale sustained load: gateway and entry scale up, and back down after
 *   5 faults  an entry pod and a payment pod deleted mid-burst: no double charge, nothing lost
 *   6 observe every rule of the PrometheusRule evaluates, every dashboard query returns data
 *   7 upgrade helm upgrade with a changed value: secrets and data survive; helm uninstall
 *   down      cluster:down, and nothing of the cluster left on the machine
 *
 * Writes reports/cluster-<time>.{json,md} (and .log, every command's output); exits 1 when any
 * check failed. Options: --shoppers 2000 --seats 200 --payers 100 --in-flight 64
 * --load-seconds 120 --keep (leave the cluster up) --no-up (use the running cluster as it is).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Cluster } from 'ioredis';
import { call, closeClient, createOperator, login, openSale, signUpAndLogin } from '@stampede/devkit';
import { autoscale } from './autoscale';
import { Checks } from './checks';
import { K8S_VERSION, kget, kubectl, logTo, note, PROMETHEUS_VERSION, ROOT, script, seconds } from './cluster';
import { faults } from './faults';
import { helmTest, install } from './install';
import { startKafka } from './kafka';
import { observe } from './observe';
import { redisOf, releaseSecret, serviceUrl, type Release } from './reach';
import { markdown, type Report } from './report';
import { minter } from './shoppers';
import { stampede, type Ctx } from './stampede';
import { teardown } from './teardown';
import { upgrade } from './upgrade';

const { values: a } = parseArgs({
  options: {
    shoppers: { type: 'string', default: '2000' },
    seats: { type: 'string', default: '200' },
    payers: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '64' },
    'load-seconds': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
    'no-up': { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof a) => {
  const n = Number(a[k]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer`);
  return n;
};
const SHOPPERS = num('shoppers');
const SEATS = num('seats');
const PAYERS = num('payers');
const IN_FLIGHT = num('in-flight');
const LOAD_SECONDS = num('load-seconds');
if (SEATS >= SHOPPERS || PAYERS > SEATS) throw new Error('need seats < shoppers and payers ≤ seats');

const SERVICES = ['gateway', 'auth', 'event', 'entry', 'payment'];
const VALUES = 'k8s/values-local-cluster.yaml';
const release: Release = { namespace: 'stampede', fullname: 'stampede' };

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() ? `${head}+local changes` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reports = join(ROOT, 'reports');
  mkdirSync(reports, { recursive: true });
  const base = join(reports, `cluster-${stamp}`);
  logTo(`${base}.log`);
  const checks = new Checks((c) => note(`${c.ok ? 'ok  ' : 'FAIL'} [${c.phase}] ${c.name}${c.ok ? '' : `: ${c.detail.slice(0, 400)}`}`));
  const report: Report = {
    startedAt: new Date().toISOString(),
    commit: commit(),
    machine: { cpus: cpus().length, loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
    kubernetes: K8S_VERSION,
    prepare: {},
    totalSeconds: 0,
    checks: checks.list,
  };
  // The admin login for helm test and the operator, in a values file only root can read.
  const secretDir = mkdtempSync(join(tmpdir(), 'stampede-cluster-test-'));
  const admin = { email: `admin-${randomBytes(4).toString('hex')}@stampede.test`, password: `Admin-${randomBytes(12).toString('base64url')}7` };
  const adminValues = join(secretDir, 'admin.yaml');
  writeFileSync(adminValues, `secrets:\n  values:\n    admin-email: ${admin.email}\n    admin-password: ${admin.password}\n`, { mode: 0o600 });
  chmodSync(secretDir, 0o700);
  let redis: Cluster | undefined;
  try {
    if (!a['no-up']) {
      note('prepare: cluster:up');
      report.prepare['cluster:up'] = seconds((await script('scripts/cluster/up.sh', [], { echo: true })).ms);
      for (const s of SERVICES) {
        note(`prepare: image ${s} from the Dockerfile`);
        report.prepare[`image ${s}`] = seconds((await script('scripts/cluster/build-service-image.sh', [s, 'local'])).ms);
      }
      report.prepare['Prometheus Operator'] = seconds((await script('scripts/cluster/prometheus-operator.sh')).ms);
    }
    report.kafka = await startKafka();
    report.prepare['Kafka (3 nodes, topics)'] = seconds(report.kafka.startMs);
    const prometheus = readFileSync(join(ROOT, 'k8s/local-cluster/prometheus.yaml'), 'utf8').replaceAll('@PROMETHEUS_VERSION@', PROMETHEUS_VERSION.replace(/^v/, ''));
    report.prepare.Prometheus = seconds((await kubectl(['apply', '-f', '-'], { input: prometheus })).ms);
    checks.add('prepare', 'the chart’s topics exist exactly as declared', report.kafka.drift.length === 0, report.kafka.drift.join('; ') || 'no drift');
    checks.add('prepare', 'Kafka refuses a write to an undeclared topic (no auto-create)', report.kafka.undeclaredWrite.refused && !report.kafka.undeclaredWrite.existsAfter, report.kafka.undeclaredWrite.error);

    report.install = await install(release, [VALUES, adminValues], checks);
    if (checks.failed.length) throw new Error('the install failed: later phases need it');
    report.helmTest = await helmTest(release, checks);

    const secret = await releaseSecret(release);
    redis = await redisOf(release, secret['redis-password'] as string);
    const urls = { gateway: await serviceUrl(release, 'gateway'), auth: await serviceUrl(release, 'auth') };
    const adminSession = await login(urls.gateway, admin.email, admin.password);
    const operator = await createOperator(urls, adminSession);
    const ctx: Ctx = { release, urls, operator, redis, mint: await minter(secret['auth-signing-keys'] as string, redis), checks };
    note(`gateway Service: ${urls.gateway}`);
    // What the dashboards show besides sales: a session refresh (the token rotation panel), early
    // so that Prometheus has scraped the counter many times by phase 6.
    const refreshed = await call('POST', `${urls.gateway}/auth/refresh`, { body: { refreshToken: adminSession.refreshToken } });
    checks.equal('observability', 'a refresh token rotates through the gateway', refreshed.status, 200);
    // And a sale with its waiting room on and a shopper in it (the room's panels): the other
    // phases' sales enter directly. Early too, so its gauges have many scrapes by phase 6.
    const roomSale = await openSale(urls, operator, { stock: 1, unitPrice: 1_000, holdTtlSeconds: 60, waitingRoom: { enabled: true } });
    const waiting = await signUpAndLogin(urls.gateway, 'room');
    const joined = await call('POST', `${urls.gateway}/sales/${roomSale}/queue`, { token: waiting.accessToken });
    checks.equal('observability', 'a shopper joins a sale’s waiting room through the gateway', joined.status, 200);

    report.stampede = await stampede(ctx, { shoppers: SHOPPERS, seats: SEATS, inFlight: IN_FLIGHT, payers: PAYERS });
    report.autoscale = await autoscale(ctx, { saleId: report.stampede.saleId, shoppers: SHOPPERS, inFlight: IN_FLIGHT, loadSeconds: LOAD_SECONDS, settleSeconds: 300 });
    report.faults = await faults(ctx, { shoppers: SHOPPERS, seats: SEATS, inFlight: IN_FLIGHT, payers: Math.min(SEATS, Math.round(PAYERS * 1.5)) });
    const rule = await kget<{ spec: { groups: Array<{ rules: unknown[] }> } }>(['-n', release.namespace, 'prometheusrule', release.fullname]);
    report.observability = await observe(checks, rule.spec.groups.reduce((n, g) => n + g.rules.length, 0));
    report.upgrade = await upgrade(
      { release, redis, gateway: urls.gateway, operator, admin, mint: ctx.mint, checks },
      { valuesFiles: [VALUES], change: 'common.logLevel=warn', saleIds: [report.stampede.saleId, report.faults.saleId], soldOutSale: report.stampede.saleId },
    );
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
    note(`stopped: ${report.error}`);
  } finally {
    redis?.disconnect();
    await closeClient();
    rmSync(secretDir, { recursive: true, force: true });
    if (!a.keep) report.teardown = await teardown(checks);
    report.totalSeconds = seconds(performance.now() - t0);
    writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
    writeFileSync(`${base}.md`, markdown(report));
  }
  const failed = checks.failed.length + (report.error ? 1 : 0);
  note(`\n${failed === 0 ? 'PASSED' : 'FAILED'}: ${checks.list.length - checks.failed.length}/${checks.list.length} checks in ${report.totalSeconds} s; report ${base}.{md,json}, commands ${base}.log`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cluster test failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
