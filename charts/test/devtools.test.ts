import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART, ROOT } from '../../tools/chart-check/harness';
import { serviceDirectories } from '../../tools/chart-check/required-env';

// Tilt, Skaffold, the chart and the Dockerfile must name exactly the services of services/.
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const chartServices = () => Object.keys(parse(read('charts/stampede/values.yaml')).services).sort();

describe('local-cluster tooling stays in step with services/', () => {
  const services = serviceDirectories();

  it('the chart has one entry per service directory', () => {
    expect(chartServices()).toEqual(services);
  });

  it('the Tiltfile builds, deploys and orders every service and deploys the chart with dev values', () => {
    const tilt = read('Tiltfile');
    const listed = /^SERVICES = \[([^\]]*)\]/m.exec(tilt)?.[1]?.match(/'([^']+)'/g)?.map((s) => s.slice(1, -1)).sort();
    expect(listed).toEqual(services);
    const deps = /^DEPENDENCIES = \{([\s\S]*?)^\}/m.exec(tilt)?.[1] ?? '';
    expect([...deps.matchAll(/'([a-z-]+)':/g)].map((m) => m[1]).sort()).toEqual(services);
    expect(tilt).toMatch(/docker_build_with_restart\(\s*'stampede\/' \+ s/);
    expect(tilt).toMatch(/live_update=\[[\s\S]*sync\(/);
    expect(tilt).toMatch(/helm\(\s*CHART/);
    expect(tilt).toContain("CHART = 'charts/stampede'");
    expect(tilt).toContain("'k8s/values-dev.yaml'");
    expect(tilt).toMatch(/resource_deps=/);
    for (const pf of ['8080:8080', 'grafana 3000:80', 'prometheus 9090:9090']) expect(tilt).toContain(pf);
  });

  it('the Tiltfile’s workloads are the ones the chart renders under release "stampede"', () => {
    const tilt = read('Tiltfile');
    expect(tilt).toContain("RELEASE = 'stampede'");
    expect(tilt).toContain("'%s-kafka-payment-events:kafkatopic'");
  });

  it('skaffold.yaml (v4beta14) has one artifact per service in every profile and sets each image through setValueTemplates', () => {
    const doc = parse(read('skaffold.yaml'), { merge: true });
    expect(doc.apiVersion).toBe('skaffold/v4beta14');
    const artifacts = (build: { artifacts: { image: string; docker: { buildArgs: { SERVICE: string } } }[] }) =>
      build.artifacts.map((a) => {
        expect(a.image).toBe(`stampede/${a.docker.buildArgs.SERVICE}`);
        return a.docker.buildArgs.SERVICE;
      }).sort();
    expect(artifacts(doc.build)).toEqual(services);
    expect(doc.profiles.map((p: { name: string }) => p.name).sort()).toEqual(['ci', 'dev', 'prod']);
    const releases = [doc.deploy, ...doc.profiles.map((p: { deploy?: unknown }) => p.deploy)].filter(Boolean).flatMap((d) => d.helm.releases);
    for (const p of doc.profiles.filter((x: { build?: unknown }) => x.build)) expect(artifacts(p.build)).toEqual(services);
    expect(releases.length).toBeGreaterThanOrEqual(3);
    for (const r of releases) {
      expect(r.chartPath).toBe('charts/stampede');
      const keys = Object.keys(r.setValueTemplates).sort();
      expect(keys).toEqual(services.flatMap((s) => [`services.${s}.image.repository`, `services.${s}.image.tag`]).sort());
      for (const s of services) {
        const id = `stampede_${s.replace(/-/g, '_')}`;
        expect(r.setValueTemplates[`services.${s}.image.repository`]).toBe(`{{.IMAGE_REPO_${id}}}`);
        expect(r.setValueTemplates[`services.${s}.image.tag`]).toBe(`{{.IMAGE_TAG_${id}}}`);
      }
      for (const f of r.valuesFiles ?? []) expect(() => read(f)).not.toThrow();
    }
  });

  it('the Dockerfile builds any service by SERVICE and runs the same build commands as CI', () => {
    const docker = read('Dockerfile');
    expect(docker).toMatch(/^ARG SERVICE$/m);
    expect(docker).toContain('npm ci --no-audit --no-fund --loglevel=error');
    expect(read('scripts/bootstrap.sh')).toContain('npm ci --no-audit --no-fund --loglevel=error');
    // The image runs the Node line every script here runs on.
    const pinned = /STAMPEDE_NODE_VERSION=(\S+)/.exec(read('scripts/lib/node.sh'))?.[1];
    expect(docker).toContain(`ARG NODE_IMAGE=node:${pinned}-bookworm-slim`);
    expect(docker).toContain('npx tsc -b services/${SERVICE}');
    expect(docker).toContain('--omit=dev');
    expect(docker).toMatch(/^USER 10001:10001$/m);
    expect(docker.trim().split('\n').at(-1)).toBe('FROM runtime AS production');
    // The chart runs migrations as `node dist/migrate.js` in the service directory: every
    // service with a database has one.
    const values = parse(read('charts/stampede/values.yaml'));
    for (const [name, svc] of Object.entries<{ migrations: boolean }>(values.services)) {
      if (svc.migrations) expect(() => read(`services/${name}/src/migrate.ts`)).not.toThrow();
    }
    expect(path.relative(ROOT, CHART)).toBe('charts/stampede');
  });
});
