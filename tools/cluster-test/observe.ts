/**
 * Phase 6: the Prometheus the Prometheus Operator runs, configured only by the chart's own
 * ServiceMonitor and PrometheusRule. After the load phases: every service is a scrape target
 * under its own job name; every rule of the PrometheusRule is loaded and evaluates without error;
 * the invariant alerts (oversell, seat invariant, orders refused by the stock guard) are not
 * firing; every dashboard panel query (observability/grafana/*.json) returns data. For a query or
 * rule input that returns nothing, the report says which metric has no series.
 */
import { metricNames, panelQueries } from '../../observability/test/dashboards';
import type { Checks } from './checks';
import { note, PROMETHEUS_OPERATOR_VERSION, PROMETHEUS_VERSION, until } from './cluster';
import { resolveInCluster } from './reach';

interface PromRule {
  name: string;
  type: 'alerting' | 'recording';
  query: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
  state?: string;
}

interface RuleResult {
  group: string;
  name: string;
  type: string;
  health: string;
  lastError: string;
  /** alerting: inactive, pending or firing; recording: how many series it wrote. */
  state: string;
  /** Metrics the expression reads that have no series at all. */
  missingInputs: string[];
}

interface PanelResult {
  dashboard: string;
  panel: string;
  series: number;
  why?: string;
}

export interface ObserveResult {
  prometheus: string;
  targets: Record<string, { up: number; down: number }>;
  rules: RuleResult[];
  panels: PanelResult[];
}

const INVARIANT_ALERTS = ['SeatInvariantBroken', 'SaleOversold', 'OrdersRejectedByStockGuard'];
const SERVICES = ['gateway', 'auth', 'event', 'entry', 'payment'];

export async function observe(checks: Checks, chartRuleCount: number): Promise<ObserveResult> {
  const base = `http://${await resolveInCluster('prometheus-operated.monitoring.svc')}:9090`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  const query = async (expr: string) => (await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result.length;
  const present = async (metric: string) => (await query(`count({__name__="${metric}"})`)) > 0;
  const missing = async (expr: string) => {
    const out: string[] = [];
    for (const m of metricNames(expr)) if (!(await present(m))) out.push(m);
    return out;
  };

  // Targets: every service under its own job, as the rules and dashboards select them.
  // (A pod that was just replaced or scaled away stays a target, down, until discovery drops it.)
  const targets: Record<string, { up: number; down: number }> = {};
  const downTargets: string[] = [];
  await until('every scrape target up', 120_000, 2_000, async () => {
    const t = await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> }>('/api/v1/targets?state=active');
    for (const k of Object.keys(targets)) delete targets[k];
    downTargets.length = 0;
    for (const x of t.activeTargets) {
      const job = x.labels.job ?? '?';
      targets[job] ??= { up: 0, down: 0 };
      if (x.health === 'up') targets[job].up++;
      else {
        targets[job].down++;
        downTargets.push(`${x.labels.pod ?? job}: ${x.health} ${x.lastError}`);
      }
    }
    return SERVICES.every((s) => (targets[s]?.up ?? 0) > 0) && downTargets.length === 0 ? true : undefined;
  }).catch(() => undefined);

  // Rules: loaded from the chart's PrometheusRule and evaluated at least once.
  let groups: Array<{ name: string; rules: PromRule[] }> = [];
  await until('every rule evaluated', 120_000, 2_000, async () => {
    groups = (await api<{ groups: Array<{ name: string; rules: PromRule[] }> }>('/api/v1/rules')).groups;
    const all = groups.flatMap((g) => g.rules);
    return all.length >= chartRuleCount && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? true : undefined;
  }).catch(() => undefined);
  const rules: RuleResult[] = [];
  for (const g of groups) {
    for (const r of g.rules) {
      const state = r.type === 'alerting' ? (r.state ?? '?') : `${await query(r.name)} series`;
      rules.push({ group: g.name, name: r.name, type: r.type, health: r.health, lastError: r.lastError ?? '', state, missingInputs: await missing(r.query) });
    }
  }

  const panels: PanelResult[] = [];
  for (const q of panelQueries()) {
    const series = await query(q.expr);
    const p: PanelResult = { dashboard: q.dashboard, panel: q.panel, series };
    if (series === 0) {
      const gone = await missing(q.expr);
      if (gone.length) p.why = `no series of ${gone.join(', ')}`;
      else {
        const samples = await Promise.all(metricNames(q.expr).map(async (m) => `${m}: ${(await api<{ result: Array<{ value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(`max(count_over_time(${m}[5m]))`)}`)).result[0]?.value[1] ?? 0} samples in 5m`));
        p.why = `its metrics have series, but none matches the query's selection or range (${samples.join(', ')}; rate() needs two)`;
      }
    }
    panels.push(p);
  }
  note(`observe: ${Object.entries(targets).map(([j, t]) => `${j} ${t.up}/${t.up + t.down}`).join(', ')}; ${rules.length} rules; ${panels.filter((p) => p.series > 0).length}/${panels.length} panel queries with data`);

  const phase = 'observability';
  checks.add(phase, 'every service is scraped under its own job name, all targets up', SERVICES.every((s) => (targets[s]?.up ?? 0) > 0) && downTargets.length === 0, downTargets.join('; ') || targets);
  checks.equal(phase, 'every rule of the chart’s PrometheusRule is loaded', rules.length, chartRuleCount);
  const bad = rules.filter((r) => r.health !== 'ok');
  checks.add(phase, 'every rule evaluates without error', rules.length > 0 && bad.length === 0, bad.map((r) => `${r.name}: ${r.health} ${r.lastError}`).join('; ') || `${rules.length} rules ok`);
  const invariantAlerts = INVARIANT_ALERTS.map((name) => `${name} ${rules.find((r) => r.name === name)?.state ?? 'not loaded'}`);
  checks.add(phase, `the invariant alerts (${INVARIANT_ALERTS.join(', ')}) are loaded and not firing`, invariantAlerts.every((s) => s.endsWith(' inactive')), invariantAlerts.join(', '));
  const empty = panels.filter((p) => p.series === 0);
  checks.add(phase, 'every dashboard panel query returns data', empty.length === 0, empty.map((p) => `${p.dashboard} / ${p.panel}: ${p.why}`).join('; ') || `${panels.length} queries`);
  return { prometheus: `Prometheus ${PROMETHEUS_VERSION} (built from its module) through the Prometheus Operator ${PROMETHEUS_OPERATOR_VERSION}`, targets, rules, panels };
}
