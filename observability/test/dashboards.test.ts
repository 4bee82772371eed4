import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricNames, panelQueries } from './dashboards';

const ROOT = join(__dirname, '..', '..');

/** Metric names the code registers: any 'stampede_...' string literal in a service or the chassis. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>(['http_server_request_duration_seconds', 'up']);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? (f === 'node_modules' || f === 'dist' || f === 'test' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
    });
  for (const file of [...walk(join(ROOT, 'services')), ...walk(join(ROOT, 'packages', 'chassis', 'src'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(stampede_[a-z0-9_]+)'/g)) names.add(m[1] as string);
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const m of defaults.getMetricsAsArray()) names.add(m.name);
  return names;
}

const seriesBase = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('Grafana dashboards', () => {
  const queries = panelQueries();

  it('have panels with queries', () => {
    expect(queries.length).toBeGreaterThan(20);
  });

  it('every panel query parses with Prometheus\'s own PromQL parser (promtool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stampede-panels-'));
    const file = join(dir, 'panels.yml');
    const rules = queries.map((q, i) => `      - record: panel:q${i}\n        expr: ${JSON.stringify(q.expr)}`);
    writeFileSync(file, `groups:\n  - name: panels\n    rules:\n${rules.join('\n')}\n`);
    let output = '';
    try {
      output = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`a panel query does not parse:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('every metric a panel uses is exported by some service', () => {
    const exported = exportedMetricNames();
    const unknown = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !exported.has(n) && !exported.has(seriesBase(n)))
        .map((n) => `${q.dashboard} / ${q.panel}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it('the metric-name extraction sees through functions, groupings and label matchers', () => {
    expect(metricNames('sum by (service, le) (rate(http_server_request_duration_seconds_bucket{route="/a",le="0.05"}[1m]))')).toEqual([
      'http_server_request_duration_seconds_bucket',
    ]);
    expect(metricNames('max(a_total) / on (sale) b_seconds')).toEqual(['a_total', 'b_seconds']);
  });
});
