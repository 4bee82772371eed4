import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '@stampede/chassis/metrics';
import { ProcessGroup, startPrometheus, waitFor, type PrometheusHandle } from '@stampede/devkit';
import { ROOT, renderChart } from '../../tools/chart-check/harness';
import { panelQueries } from '../../observability/test/dashboards';
import { scenario } from './scenarios';

/**
 * The chart's ServiceMonitor, applied by a real Prometheus: its honorLabels and relabelings
 * become the scrape config of five targets that serve the services' own metrics (the chassis's
 * registry, with its `service` label), behind the target labels the Prometheus Operator gives
 * every endpoint (job and service: the Kubernetes Service's name). Every `service` and `job`
 * selector of the alert rules and dashboards must then select series, as on the local stack.
 * The same targets are also scraped with the ServiceMonitor as it was (honorLabels: false, no
 * relabelings), labelled config="before", to show what that broke.
 */
const SERVICES = ['gateway', 'auth', 'event', 'entry', 'payment'];
const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000);
const group = new ProcessGroup(join(ROOT, '.stampede', 'servicemonitor-test', 'logs'));
const servers: Server[] = [];
let prometheus: PrometheusHandle;

interface Relabeling {
  sourceLabels?: string[];
  targetLabel?: string;
  action?: string;
  regex?: string;
  replacement?: string;
  separator?: string;
}
/** A ServiceMonitor relabeling as Prometheus's relabel_config (what the operator generates). */
const toRelabelConfig = (r: Relabeling) => ({
  ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
  ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
  ...(r.action ? { action: r.action.toLowerCase() } : {}),
  ...(r.regex !== undefined ? { regex: r.regex } : {}),
  ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
  ...(r.separator !== undefined ? { separator: r.separator } : {}),
});

/** Every `service` and `job` matcher of every alert rule and dashboard panel. */
function selectors(): string[] {
  const dir = join(ROOT, 'observability/prometheus/rules');
  const exprs = readdirSync(dir).flatMap((f) =>
    (parse(readFileSync(join(dir, f), 'utf8')).groups as { rules: { expr: string }[] }[]).flatMap((g) => g.rules.map((r) => String(r.expr))),
  );
  exprs.push(...panelQueries().map((q) => q.expr));
  return [...new Set(exprs.flatMap((e) => [...e.matchAll(/\b(service|job)\s*(=~|=)\s*"([^"]*)"/g)].map((m) => `${m[1]}${m[2]}"${m[3]}"`)))].sort();
}

beforeAll(async () => {
  const monitor = renderChart(scenario('production').options).manifests.find((m) => m.object.kind === 'ServiceMonitor')!.object;
  const endpoint = monitor.spec.endpoints[0] as { honorLabels?: boolean; relabelings?: Relabeling[]; path: string };
  const targets: string[] = [];
  for (const [i, service] of SERVICES.entries()) {
    const { registry, httpDuration } = createMetrics(service);
    httpDuration.observe({ labels: { method: 'POST', route: service === 'payment' ? '/payments/confirm' : '/sales/:id/entries', status_code: '200' }, value: 0.01 });
    const server = createServer((_req, res) => {
      void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
    });
    await new Promise<void>((ok) => server.listen(base + 42 + i, '127.0.0.1', ok));
    servers.push(server);
    targets.push(`127.0.0.1:${base + 42 + i}`);
  }
  // The labels the Prometheus Operator's own rules give a ServiceMonitor endpoint's target.
  const operatorLabels = (service: string, config: string) => ({
    job: `stampede-${service}`,
    service: `stampede-${service}`,
    namespace: 'stampede',
    endpoint: 'http',
    config,
    __meta_kubernetes_service_label_app_kubernetes_io_component: service,
  });
  const scrapeConfig = (config: string, honorLabels: boolean, relabelings: Relabeling[]) => ({
    job_name: `serviceMonitor/stampede/stampede/0/${config}`,
    metrics_path: endpoint.path,
    honor_labels: honorLabels,
    static_configs: SERVICES.map((s, i) => ({ targets: [targets[i]], labels: operatorLabels(s, config) })),
    relabel_configs: relabelings.map(toRelabelConfig),
  });
  prometheus = await startPrometheus({
    group,
    dir: join(ROOT, '.stampede', `servicemonitor-${base + 41}`),
    port: base + 41,
    scrapeInterval: '1s',
    jobs: [],
    scrapeConfigs: [scrapeConfig('chart', endpoint.honorLabels ?? false, endpoint.relabelings ?? []), scrapeConfig('before', false, [])],
  });
  await waitFor('both scrapes of every target', async () => (await prometheus.query('up == 1')).length === 2 * SERVICES.length, 20_000, 250);
});

afterAll(async () => {
  await group.stopAll();
  for (const s of servers) s.close();
});

const labelValues = async (promql: string, label: string) =>
  ((await prometheus.query(promql)) as { metric: Record<string, string> }[]).map((r) => r.metric[label]).sort();

describe('the ServiceMonitor in a real Prometheus', () => {
  const found = selectors();

  it('the rules and dashboards select on service and job', () => {
    expect(found).toEqual(expect.arrayContaining(['service="entry"', 'service="payment"', 'job=~"gateway|auth|event|entry|payment"']));
  });

  it.each(found)('every series %s selects exists under the chart’s ServiceMonitor', async (selector) => {
    const [, label, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(selector)!;
    const wanted = op === '=' ? [value] : value!.split('|');
    expect(await labelValues(`count by (${label}) ({${selector}, config="chart"})`, label!)).toEqual([...wanted!].sort());
  });

  it('keeps the services’ own labels: `sum by (service)` and `up` name services, nothing is renamed exported_*', async () => {
    expect(await labelValues('count by (service) (http_server_request_duration_seconds_count{config="chart"})', 'service')).toEqual([...SERVICES].sort());
    expect(await labelValues('count by (job) (up{config="chart"})', 'job')).toEqual([...SERVICES].sort());
    expect(await prometheus.query('count({config="chart", exported_service!=""}) or count({config="chart", exported_job!=""})')).toEqual([]);
  });

  it('when scraped as the ServiceMonitor was (honorLabels false, no relabelings), then the same selectors find nothing', async () => {
    expect(await prometheus.query('{service="entry", config="before"}')).toEqual([]);
    expect(await prometheus.query('up{job=~"gateway|auth|event|entry|payment", config="before"}')).toEqual([]);
    expect(await labelValues('count by (exported_service) (http_server_request_duration_seconds_count{config="before"})', 'exported_service')).toEqual([...SERVICES].sort());
  });
});
