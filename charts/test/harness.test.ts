import path from 'node:path';
import { ChartError, renderChart } from '../../tools/chart-check/harness';

// The Go harness must behave as Helm does for the template features the chart relies on.
const chart = path.join(__dirname, 'fixtures/engine');
const data = (opts: Parameters<typeof renderChart>[0] = {}) => {
  const r = renderChart({ chart, releaseName: 'rel', namespace: 'ns', ...opts });
  return { data: r.manifests[0]!.object.data!, r };
};

describe('the render harness (Helm semantics)', () => {
  it('gives templates .Release, .Chart, .Template and .Capabilities as Helm does', () => {
    const { data: d, r } = data({ apiVersions: ['example.com/v1'] });
    expect(r.manifests[0]!.object.metadata).toMatchObject({ name: 'rel-engine', namespace: 'ns', labels: { source: 'engine.templates.configmap.yaml' } });
    expect(d).toMatchObject({ chart: 'engine 1.2.3 9.9', kube: 'v1.31.0 1 31', hasApps: 'true', hasCustom: 'true', isInstall: 'true' });
    expect(r.notes).toBe('Installed rel.\n');
    expect(data().data.hasCustom).toBe('false');
  });

  it('implements include (nested), tpl against the root context, toYaml, fromYaml and toJson', () => {
    const { data: d } = data();
    expect(d).toMatchObject({
      include: 'app=engine-1.2.3',
      nestedInclude: 'app=engine-1.2.3app=engine-1.2.3',
      tpl: 'hello world from rel',
      nested: 'a: 1\nb:\n  c: keep\n  d: drop',
      fromYaml: 'd',
      fromYamlError: 'true',
      toJson: '["x","z"]',
      missing: '',
    });
  });

  it('decodes values-file numbers as float64, as Helm does (1e+06 when printed, 1000000 through toYaml)', () => {
    const { data: d } = data();
    expect(d).toMatchObject({ replicas: '3', replicasType: 'float64', big: '1e+06', bigYaml: 'num: 1000000' });
  });

  it('types --set values as Helm does and merges -f files, --set and null deletion over the defaults', () => {
    const { data: d } = data({ set: ['replicas=5', 'nested.b.d=null', 'name=set\\,comma'] });
    expect(d).toMatchObject({ replicas: '5', replicasType: 'int64', nested: 'a: 1\nb:\n  c: keep', tpl: 'hello set,comma from rel' });
  });

  it('implements .Files Get, Lines, Glob (with ** across folders) and AsConfig', () => {
    const { data: d } = data();
    expect(d).toMatchObject({
      filesGet: 'alpha\nbeta\n',
      filesLines: 'alpha,beta',
      filesGlob: 'files/a.txt',
      filesGlobDeep: 'files/a.txt,files/sub/c.txt',
      asConfig: 'b.json: |\n  {"k": 1}',
    });
  });

  it('fails on required with its message and the template location', () => {
    expect(data({ set: ['needed=yes'] }).data.needed).toBe('yes');
    expect(() => data({ set: ['fail=true'] })).toThrow(/engine\/templates\/configmap.yaml:\d+:\d+: fail must be set to something/);
    expect(() => data({ set: ['fail=true'] })).toThrow(ChartError);
  });

  it('applies Chart.yaml kubeVersion as helm install does', () => {
    expect(() => data({ kubeVersion: 'v1.19.0' })).toThrow(/requires kubeVersion: >=1.20.0-0/);
  });
});
