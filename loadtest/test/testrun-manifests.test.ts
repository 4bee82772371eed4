import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const K6 = join(ROOT, 'loadtest', 'k6');
const manifests = readdirSync(join(ROOT, 'k8s')).filter((f) => /^k6-testrun.*\.yaml$/.test(f));
const docs = manifests.flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, 'k8s', f), 'utf8')).map((d) => ({ file: f, doc: d.toJS() as any })));
const testRuns = docs.filter((d) => d.doc?.kind === 'TestRun');

/** Every setting the scenarios read: __ENV.NAME, env('NAME', …) and num('NAME', …). */
const readSettings = new Set(
  readdirSync(K6, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(join(K6, f), 'utf8').matchAll(/__ENV\.([A-Z0-9_]+)|(?:env|num)\('([A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2])),
);

describe('k6-operator TestRun manifests', () => {
  it('when the manifests are read, then there is one TestRun per scenario', () => {
    expect(testRuns.map((t) => t.doc.spec.script.configMap.file).sort()).toEqual(['flash-sale.tar', 'journey.tar', 'login-storm.tar']);
  });

  it.each(testRuns.map((t) => [t.doc.metadata.name, t] as const))('%s runs an archive of an existing scenario with settings the scenario reads', (_name, t) => {
    const { doc } = t;
    expect(doc.apiVersion).toBe('k6.io/v1alpha1');
    expect(doc.spec.parallelism).toBeGreaterThanOrEqual(1);
    const file = doc.spec.script.configMap.file as string;
    expect(existsSync(join(K6, file.replace(/\.tar$/, '.ts')))).toBe(true);
    const names = (doc.spec.runner.env as Array<{ name: string }>).map((e) => e.name);
    expect(names.filter((n) => !readSettings.has(n))).toEqual([]);
    expect(doc.spec.runner.resources.limits.cpu).toBeDefined();
    // Secrets come from a Secret, never inline.
    expect((doc.spec.runner.env as Array<{ name: string; value?: string }>).filter((e) => /PASSWORD|SECRET|TOKEN/.test(e.name) && e.value !== undefined)).toEqual([]);
  });
});
