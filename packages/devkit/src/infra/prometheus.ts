import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type ProcessGroup } from './processes';

export interface ScrapeJob {
  job: string;
  targets: string[];
}

export interface PrometheusHandle {
  url: string;
  query(promql: string): Promise<unknown[]>;
}

export async function startPrometheus(o: {
  group: ProcessGroup;
  dir: string;
  port: number;
  jobs: ScrapeJob[];
  ruleFiles?: string[];
  scrapeInterval?: string;
  /** Scrape configs as Prometheus reads them, besides `jobs` (relabelling, honor_labels...). */
  scrapeConfigs?: Record<string, unknown>[];
}): Promise<PrometheusHandle> {
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  const config = {
    global: { scrape_interval: o.scrapeInterval ?? '5s', evaluation_interval: o.scrapeInterval ?? '5s' },
    rule_files: o.ruleFiles ?? [],
    scrape_configs: [...o.jobs.map((j) => ({ job_name: j.job, static_configs: [{ targets: j.targets }] })), ...(o.scrapeConfigs ?? [])],
  };
  const file = join(o.dir, 'prometheus.yml');
  // JSON is valid YAML, so no YAML library is needed to write the config.
  writeFileSync(file, JSON.stringify(config, null, 2));
  o.group.start('prometheus', 'prometheus', [
    `--config.file=${file}`,
    `--storage.tsdb.path=${join(o.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${o.port}`,
    '--enable-feature=exemplar-storage',
    '--web.enable-lifecycle',
  ]);
  const url = `http://127.0.0.1:${o.port}`;
  await waitFor('prometheus', async () => (await fetch(`${url}/-/ready`)).ok, 20_000, 200);
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      return body.data?.result ?? [];
    },
  };
}
