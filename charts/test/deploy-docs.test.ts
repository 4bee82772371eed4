import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, renderChart, validateManifests } from '../../tools/chart-check/harness';
import { TEST_SECRETS } from './scenarios';

// Every helm install/upgrade command in docs/deploy.md must be accepted by the chart as written.
const doc = readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');

/** Shell words of a command: quotes honoured, $VARS replaced by a sample value. */
function words(cmd: string): string[] {
  const out: string[] = [];
  for (const m of cmd.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? (m[2] ?? m[3] ?? '').replace(/\$\w+|\$\([^)]*\)/g, 'v1'));
  return out;
}

function commands(prefix: RegExp): string[] {
  const blocks = [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ' '));
  return blocks.flatMap((b) => b.split('\n')).map((l) => l.trim()).filter((l) => prefix.test(l));
}

const installs = commands(/^helm (install|upgrade) /);

describe('docs/deploy.md', () => {
  it('gives helm install commands for the default, production and external setups', () => {
    expect(installs.filter((c) => c.startsWith('helm install')).length).toBeGreaterThanOrEqual(3);
    expect(installs.join('\n')).toContain('values-production.yaml');
    expect(installs.join('\n')).toContain('values-external.yaml');
  });

  it.each(installs)('%s: renders and validates with the chart', (cmd) => {
    const w = words(cmd);
    const chart = w.find((x) => x.startsWith('charts/'));
    expect(chart).toBe('charts/stampede');
    const valuesFiles: string[] = [];
    const set: string[] = [];
    w.forEach((x, i) => {
      if (x === '-f' || x === '--values') valuesFiles.push(w[i + 1]!);
      if (x === '--set') set.push(w[i + 1]!);
    });
    // A render has no cluster to keep generated keys in: the test's fixed keys stand in.
    const r = renderChart({ valuesFiles: [...valuesFiles, TEST_SECRETS], set, apiVersions: ['kafka.strimzi.io/v1', 'monitoring.coreos.com/v1', 'keda.sh/v1alpha1', 'postgresql.cnpg.io/v1'] });
    expect(validateManifests(r.yaml).filter((v) => v.status !== 'ok')).toEqual([]);
  });

  it('creates the external Secret with every key the external install reads', () => {
    const create = commands(/^kubectl -n stampede create secret generic stampede-credentials/)[0]!;
    const given = new Set([...create.matchAll(/--from-(?:literal|file)=([-a-z0-9]+)=/g)].map((m) => m[1]));
    const r = renderChart({ valuesFiles: ['charts/stampede/values-external.yaml'] });
    const needed = new Set<string>();
    for (const m of r.manifests) {
      const spec = m.object.kind === 'Pod' ? m.object.spec : m.object.spec?.template?.spec;
      for (const c of spec?.containers ?? []) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref?.name === 'stampede-credentials' && !ref.optional) needed.add(ref.key);
        }
      }
    }
    expect([...needed].filter((k) => !given.has(k))).toEqual([]);
    expect(needed.size).toBeGreaterThan(5);
  });
});
