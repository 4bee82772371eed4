import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

const GRAFANA_DIR = join(__dirname, '..', 'grafana');

/** Every panel query of every dashboard, with template variables replaced by match-all values. */
export function panelQueries(): PanelQuery[] {
  return readdirSync(GRAFANA_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const d = JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')) as {
        title: string;
        panels: { title: string; targets?: { expr: string }[] }[];
      };
      return d.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ dashboard: d.title, panel: p.title, expr: t.expr.replace(/\$\{?sale\}?/g, '.*') })),
      );
    });
}

const NOT_METRICS = new Set([
  'sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'irate', 'histogram_quantile', 'by', 'without', 'on',
  'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'abs', 'label_values', 'topk', 'bottomk', 'le',
  'offset', 'bool', 'vector', 'delta',
]);

/** Metric names a query selects: identifiers not inside {...} or "..." and not PromQL words. */
export function metricNames(expr: string): string[] {
  const stripped = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const names = [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]);
  const groupings = new Set([...stripped.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((s) => s.trim())));
  return [...new Set(names.filter((n) => !NOT_METRICS.has(n) && !groupings.has(n) && !/^\d/.test(n)))];
}
