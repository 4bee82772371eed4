import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { CHART, renderChart, ROOT } from '../../tools/chart-check/harness';
import { serviceDirectories } from '../../tools/chart-check/required-env';
import { evaluateTiltfile, type TiltCall } from '../../tools/tilt-check/evaluate';
import { scenario, STRIMZI } from './scenarios';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const VALUES = 'charts/stampede/values.yaml';

interface ServiceValues {
  enabled: boolean;
  port: number;
  uses: string[];
  calls: string[];
}
const enabledServices = (values: { services: Record<string, ServiceValues> }) =>
  Object.entries(values.services).filter(([, s]) => s.enabled !== false);

/** What the Tiltfile builds and deploys, from its recorded calls. */
function tiltPlan(calls: TiltCall[]) {
  const builds = calls.filter((c) => c.fn === 'docker_build_with_restart');
  const resources = calls.filter((c) => c.fn === 'k8s_resource');
  const named = new Map<string, TiltCall>();
  for (const r of resources) named.set(String(r.kwargs.new_name), r);
  for (const l of calls.filter((c) => c.fn === 'local_resource')) named.set(String(l.args[0]), l);
  return { builds, resources, named };
}

describe("Tilt follows the chart's values", () => {
  const values = parse(read(VALUES)) as { services: Record<string, ServiceValues> };
  const calls = evaluateTiltfile();
  const { builds, named } = tiltPlan(calls);

  it('the chart has one entry per service directory', () => {
    expect(Object.keys(values.services).sort()).toEqual(serviceDirectories());
  });

  it("the Tiltfile reads the service list from the chart's values, not from a list of its own", () => {
    expect(calls[0]).toEqual({ fn: 'read_yaml', args: [VALUES], kwargs: {} });
  });

  it('builds one dev image per service, with live update of its dist/', () => {
    expect(builds.map((b) => b.args[0]).sort()).toEqual(enabledServices(values).map(([s]) => `stampede/${s}`).sort());
    for (const b of builds) {
      const s = String(b.args[0]).replace('stampede/', '');
      expect(b.kwargs).toMatchObject({ dockerfile: 'Dockerfile', target: 'dev', build_args: { SERVICE: s } });
      expect(b.kwargs.live_update).toContain(`sync "services/${s}/dist" -> "/app/services/${s}/dist"`);
    }
    expect(String(named.get('tsc')?.kwargs.cmd).split(' ').filter((w) => w.startsWith('services/')).sort()).toEqual(enabledServices(values).map(([s]) => `services/${s}`).sort());
  });

  it('deploys the chart with the dev values, and each service waits for the build, the stores it uses and the services it calls', () => {
    const helm = calls.find((c) => c.fn === 'helm');
    expect(helm?.args).toEqual(['charts/stampede']);
    expect(helm?.kwargs.name).toBe('stampede');
    expect(helm?.kwargs.values).toContain('k8s/values-dev.yaml');
    for (const [s, spec] of enabledServices(values)) {
      const r = named.get(s);
      expect({ s, workload: r?.kwargs.workload, deps: r?.kwargs.resource_deps }).toEqual({ s, workload: `stampede-${s}`, deps: ['tsc', ...spec.uses, ...spec.calls] });
      for (const dep of r?.kwargs.resource_deps as string[]) expect({ s, dep, defined: named.has(dep) }).toEqual({ s, dep, defined: true });
    }
    expect(named.get('gateway')?.kwargs.port_forwards).toEqual([`${values.services.gateway?.port}:${values.services.gateway?.port}`]);
    for (const pf of ['grafana', 'prometheus']) expect(String(named.get(pf)?.kwargs.serve_cmd)).toMatch(/kubectl -n monitoring port-forward/);
  });

  it('when the values gain a service and disable another, then Tilt builds, orders and deploys accordingly', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stampede-tilt-'));
    try {
      const changed = structuredClone(values) as { services: Record<string, Partial<ServiceValues>> };
      changed.services.extra = { enabled: true, port: 8085, uses: ['redis'], calls: ['auth'] };
      changed.services.event = { ...changed.services.event, enabled: false };
      const file = path.join(dir, 'values.yaml');
      writeFileSync(file, stringify(changed));
      const plan = tiltPlan(evaluateTiltfile({ [VALUES]: file }));
      const images = plan.builds.map((b) => b.args[0]);
      expect(images).toContain('stampede/extra');
      expect(images).not.toContain('stampede/event');
      expect(plan.named.get('extra')?.kwargs.resource_deps).toEqual(['tsc', 'redis', 'auth']);
      expect(plan.named.has('event')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every workload and object Tilt names is one the chart renders with the dev values', () => {
    // The dev scenario is what Tilt deploys (its secrets fixed instead of generated), with Strimzi's API served.
    const dev = scenario('dev').options;
    const objects = renderChart({ ...dev, set: ['image.tag=dev', 'tests.enabled=false'], apiVersions: [STRIMZI] }).manifests.map((m) => m.object);
    const has = (name: string, kind?: string) => objects.some((o) => o.metadata.name === name && (!kind || o.kind.toLowerCase() === kind));
    for (const r of tiltPlan(calls).resources) {
      if (r.kwargs.workload) expect({ workload: r.kwargs.workload, rendered: has(String(r.kwargs.workload)) }).toEqual({ workload: r.kwargs.workload, rendered: true });
      for (const ref of (r.kwargs.objects as string[] | undefined) ?? []) {
        const [name, kind] = ref.split(':') as [string, string];
        expect({ ref, rendered: has(name, kind) }).toEqual({ ref, rendered: true });
      }
    }
  });
});

describe('the image build', () => {
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
    const values = parse(read(VALUES));
    for (const [name, svc] of Object.entries<{ migrations: boolean }>(values.services)) {
      if (svc.migrations) expect(() => read(`services/${name}/src/migrate.ts`)).not.toThrow();
    }
    expect(path.relative(ROOT, CHART)).toBe('charts/stampede');
  });
});
