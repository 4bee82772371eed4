/**
 * `npm run chart:check`: for every values file the repository ships (charts/test/scenarios.ts),
 * real Helm lints (`helm lint --strict`) and renders (`helm template`) the chart, kubeconform
 * validates every object against the Kubernetes and CRD schemas, the project's policies run on
 * Helm's output, every service's environment goes through that service's own loadConfig, and the
 * output is compared with its golden file (charts/test/golden/<scenario>.yaml).
 * `npm run chart:golden` (--update-golden) rewrites the golden files instead of comparing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { loadConfig } from '@stampede/chassis/config';
import { SCENARIOS } from '../../charts/test/scenarios';
import { lintChart, renderChart, validateManifests, ROOT, ChartError } from './harness';
import { allPolicies, containerEnv } from './policies';
import { requiredEnvByService, serviceDirectories } from './required-env';
import { goldenDiff, goldenPath } from './golden';

async function main(): Promise<number> {
  const update = process.argv.includes('--update-golden');
  const started = Date.now();
  const required = await requiredEnvByService();
  const shapes = Object.fromEntries(
    await Promise.all(
      serviceDirectories().map(async (name) => [name, ((await import(path.join(ROOT, 'services', name, 'src/config'))) as { configShape: z.ZodRawShape }).configShape] as const),
    ),
  );
  let failed = 0;
  for (const s of SCENARIOS) {
    const t = Date.now();
    const problems: string[] = [];
    try {
      lintChart({ ...s.options, set: [...(s.options.set ?? []), 'requireOperatorApis=false'] });
      const r = renderChart(s.options);
      for (const v of validateManifests(r.yaml)) if (v.status !== 'ok') problems.push(`kubeconform: ${v.kind}/${v.name}: ${v.message}`);
      const results = allPolicies(r.manifests, r.values, required);
      for (const [policy, violations] of Object.entries(results)) {
        const relaxed = s.relaxed?.[policy];
        for (const v of violations) if (!relaxed?.test(v)) problems.push(`${policy}: ${v}`);
      }
      const objs = r.manifests.map((m) => m.object);
      for (const [name, shape] of Object.entries(shapes)) {
        const dep = objs.find((o) => o.kind === 'Deployment' && o.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'] === name);
        if (!dep) continue;
        const { env, unresolved } = containerEnv(dep, objs, name);
        // Values that live only in the cluster (an existingSecret) get a stand-in of the right kind.
        for (const v of unresolved) env[v] ??= /DATABASE_URL/.test(v) ? 'postgres://u:p@db:5432/x?sslmode=verify-full' : 'set-on-the-cluster';
        try {
          loadConfig(shape, env);
        } catch (e) {
          if (!unresolved.length) problems.push(`loadConfig(${name}): ${(e as Error).message}`);
        }
      }
      const file = goldenPath(s.name);
      if (update) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, r.yaml);
      } else {
        const diff = goldenDiff(existsSync(file) ? readFileSync(file, 'utf8') : '', r.yaml);
        if (diff) problems.push(`golden file ${path.relative(ROOT, file)} differs from the render (npm run chart:golden updates it after review):\n${diff}`);
      }
    } catch (e) {
      problems.push(e instanceof ChartError ? `${e.stage}: ${e.message}` : String(e));
    }
    const took = ((Date.now() - t) / 1000).toFixed(1);
    if (problems.length) {
      failed++;
      process.stdout.write(`FAIL ${s.name} (${took}s)\n${problems.map((p) => `  - ${p.replace(/\n/g, '\n    ')}`).join('\n')}\n`);
    } else {
      process.stdout.write(`ok   ${s.name}: lint, render, kubeconform, policies, config${update ? ', golden written' : ', golden'} (${took}s)\n`);
    }
  }
  process.stdout.write(`chart check: ${SCENARIOS.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
