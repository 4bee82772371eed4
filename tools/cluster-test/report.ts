/** The run's report: everything measured, as JSON, and the same as Markdown for people. */
import type { AutoscaleResult } from './autoscale';
import type { Check } from './checks';
import type { FaultResult } from './faults';
import type { HelmTestResult, InstallResult } from './install';
import type { KafkaSetup } from './kafka';
import type { ObserveResult } from './observe';
import type { StampedeResult } from './stampede';
import type { TeardownResult } from './teardown';
import type { UpgradeResult } from './upgrade';

export interface Report {
  startedAt: string;
  commit: string;
  machine: { cpus: number; loadAvgAtStart: number[] };
  kubernetes: string;
  /** Seconds per preparation step: cluster:up, each image build, the operator, Kafka. */
  prepare: Record<string, number>;
  kafka?: KafkaSetup;
  install?: InstallResult;
  helmTest?: HelmTestResult;
  stampede?: StampedeResult;
  autoscale?: AutoscaleResult;
  faults?: FaultResult;
  observability?: ObserveResult;
  upgrade?: UpgradeResult;
  teardown?: TeardownResult;
  totalSeconds: number;
  error?: string;
  checks: Check[];
}

const row = (cells: Array<string | number | null | undefined>) => `| ${cells.map((c) => String(c ?? '—')).join(' | ')} |`;

function table(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

export function markdown(r: Report): string {
  const out: string[] = [];
  const failed = r.checks.filter((c) => !c.ok);
  out.push(`# Cluster test ${r.startedAt}`, '');
  out.push(`${failed.length === 0 && !r.error ? '**PASSED**' : '**FAILED**'}: ${r.checks.length - failed.length}/${r.checks.length} checks; ${r.totalSeconds} s in all; commit ${r.commit}; ${r.machine.cpus} cores, load average ${r.machine.loadAvgAtStart.join(' ')} at start; Kubernetes ${r.kubernetes}.`, '');
  if (r.error) out.push(`Stopped early: \`${r.error}\``, '');
  out.push('## Preparation (seconds)', '', table(['step', 's'], Object.entries(r.prepare)), '');
  if (r.kafka) {
    out.push('## Kafka (chart in external mode)', '');
    out.push(`Strimzi's operator is not published on Maven Central (\`io.strimzi:cluster-operator\` does not resolve), so the chart runs with \`kafka.mode: external\` against ${r.kafka.nodes} KRaft nodes (k8s/local-cluster/kafka.yaml) from the project's Kafka jars, started in ${Math.round(r.kafka.startMs / 100) / 10} s.`, '');
    out.push(table(['topic', 'partitions', 'replication', 'min.insync.replicas'], r.kafka.topics.map((t) => [t.name, t.partitions, t.replicationFactor, t.config['min.insync.replicas']])), '');
    out.push(`Drift from the chart's list: ${r.kafka.drift.length ? r.kafka.drift.join('; ') : 'none'}. A write to an undeclared topic: ${r.kafka.undeclaredWrite.refused ? 'refused' : 'ACCEPTED'} (${r.kafka.undeclaredWrite.error}).`, '');
  }
  if (r.install) {
    out.push('## 1. helm install --wait', '', `\`${r.install.command}\``, '');
    out.push(`${r.install.seconds} s until every pod was Ready: ${r.install.pods.filter((p) => p.ready).length}/${r.install.pods.length} pods, ${r.install.pods.reduce((n, p) => n + p.restarts, 0)} container restarts. Warning events: ${JSON.stringify(r.install.warnings)}.`, '');
  }
  if (r.helmTest) out.push('## 2. helm test', '', `${r.helmTest.seconds} s, exit ${r.helmTest.exitCode}`, '', '```', r.helmTest.output, '```', '');
  if (r.stampede) {
    const s = r.stampede;
    out.push('## 3. Stampede through the gateway Service', '');
    out.push(`${s.shoppers} shoppers on ${s.seats} seats, ${s.inFlight} in flight from the host to the gateway's ClusterIP: ${s.burst.perSecond} entries/s, p50 ${s.burst.p50} ms, p99 ${s.burst.p99} ms; outcomes ${JSON.stringify(s.burst.outcomes)}; invariant sampled ${s.invariant.samples} times, ${s.invariant.violations.length} violations.`, '');
    out.push(`Payments: ${s.payments.confirmed}/${s.payments.attempted} confirmed (${JSON.stringify(s.payments.statuses)}), p50 ${s.payments.p50Ms} ms, p99 ${s.payments.p99Ms} ms; orders recorded from Kafka within ${Math.round(s.settleMs / 100) / 10} s.`, '');
    out.push(booksTable(s.books), '');
  }
  if (r.autoscale) {
    const a = r.autoscale;
    out.push('## 4. Autoscaling', '');
    out.push(`Waited ${a.waitedForMinS} s for gateway and entry to be at their minimum, then ${a.loadSeconds} s of entries, ${a.inFlight} in flight (${a.requests} requests, ${JSON.stringify(a.statuses)}). Peak replicas ${JSON.stringify(a.peak)}; HPA asked for more after ${JSON.stringify(a.scaleUpAfterS)} s; back at the minimum ${JSON.stringify(a.backToMinAfterS)} s after the load stopped. Limits ${JSON.stringify(a.limits)}.`, '');
    const names = Object.keys(a.samples[0]?.hpa ?? {});
    out.push(table(['t (s)', 'load', 'req/s', 'errors', ...names.map((n) => `${n} replicas→desired (cpu %)`)], a.samples.map((s) => [s.t, s.loadOn ? 'on' : 'off', s.perSecond, s.errors, ...names.map((n) => (s.hpa[n] ? `${s.hpa[n].replicas}→${s.hpa[n].desired} (${s.hpa[n].cpuPercent ?? '?'})` : '?'))])), '');
  }
  if (r.faults) {
    const f = r.faults;
    out.push('## 5. Pod kills mid-burst', '');
    out.push(table(['pod deleted (--grace-period=0 --force)', 'at (s)', 'when', 'Deployment whole again after (s)'], f.kills.map((k) => [k.pod, k.at, k.context, k.recoveredAfterS])), '');
    out.push(`${f.shoppers} shoppers on ${f.seats} seats: outcomes ${JSON.stringify(f.burst.outcomes)}, statuses ${JSON.stringify(f.burst.status)}, ${f.entryRetries} entry retries, ${f.entriesWithoutAnswer} shoppers left without an answer. Payments ${f.payments.confirmed}/${f.payments.attempted} confirmed, ${f.payments.retries} retries (${JSON.stringify(f.payments.statuses)}). Invariant sampled ${f.invariant.samples} times, ${f.invariant.violations.length} violations.`, '');
    out.push(booksTable(f.books), '');
  }
  if (r.observability) {
    const o = r.observability;
    out.push('## 6. Alert rules and dashboard queries', '', `${o.prometheus}. Targets (up/total per job): ${Object.entries(o.targets).map(([j, t]) => `${j} ${t.up}/${t.up + t.down}`).join(', ')}.`, '');
    out.push(table(['rule', 'type', 'health', 'state / series', 'inputs without series'], o.rules.map((x) => [x.name, x.type, x.health + (x.lastError ? `: ${x.lastError}` : ''), x.state, x.missingInputs.join(', ') || 'none'])), '');
    const empty = o.panels.filter((p) => p.series === 0);
    out.push(`Dashboard queries: ${o.panels.length - empty.length}/${o.panels.length} return data.`, '');
    if (empty.length) out.push(table(['dashboard', 'panel', 'why it is empty'], empty.map((p) => [p.dashboard, p.panel, p.why])), '');
  }
  if (r.upgrade) {
    const u = r.upgrade;
    out.push('## 7. Upgrade and uninstall', '', `\`${u.command}\``, '');
    out.push(`${u.seconds} s (exit ${u.exitCode}, revision ${u.revision}); entries during it: ${JSON.stringify(u.trickle)}. Unchanged: ${Object.entries(u.unchanged).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}. Secret keys compared: ${u.before.secretKeys.join(', ')}.`, '');
    out.push(`Uninstall: ${u.uninstall.seconds} s (exit ${u.uninstall.exitCode}); left in the namespace: ${u.uninstall.left.join(', ') || 'nothing'}.`, '');
  }
  if (r.teardown) {
    out.push('## cluster:down', '', `${r.teardown.downSeconds} s; left on the machine: ${Object.entries(r.teardown.leftovers).map(([k, v]) => `${k}: ${v.length ? v.join(' | ') : 'nothing'}`).join('; ')}.`, '');
  }
  out.push('## Checks', '', table(['phase', 'check', 'result', 'detail'], r.checks.map((c) => [c.phase, c.name, c.ok ? 'ok' : '**FAILED**', c.detail.replace(/\|/g, '\\|').slice(0, 300)])), '');
  return out.join('\n');
}

function booksTable(b: StampedeResult['books']): string {
  const a = b.redis;
  return table(
    ['Redis available / held / sold / total', 'PostgreSQL sold / stock', 'orders (DB / API)', 'payments by status', 'PSP ledger charges / cancels / declines', 'charged twice', 'charged without a seat'],
    [[a ? `${a.available} / ${a.held} / ${a.sold} / ${a.total}` : 'none', `${b.postgres.sold} / ${b.postgres.stock}`, `${b.orders.confirmed} / ${b.orders.api}`, JSON.stringify(b.payments), `${b.ledger.charges} / ${b.ledger.cancels} / ${b.ledger.declines}`, b.ledger.chargedTwice, b.ledger.chargedWithoutSale]],
  );
}
