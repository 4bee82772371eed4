import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChartError, renderChart } from '../../tools/chart-check/harness';
import { STRIMZI, TEST_SECRETS } from './scenarios';

function valuesFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'stampede-values-')), 'values.yaml');
  writeFileSync(file, yaml);
  return file;
}

function schemaError(opts: NonNullable<Parameters<typeof renderChart>[0]>): string {
  try {
    renderChart({ apiVersions: [STRIMZI], ...opts, valuesFiles: [TEST_SECRETS, ...(opts.valuesFiles ?? [])] });
  } catch (e) {
    expect(e).toBeInstanceOf(ChartError);
    expect((e as ChartError).stage).toBe('schema');
    return (e as ChartError).message;
  }
  throw new Error('the values were accepted');
}

describe('values.schema.json', () => {
  it('rejects a wrong type in a values file, naming the key and the expected type', () => {
    const message = schemaError({ valuesFiles: [valuesFile('services:\n  gateway:\n    port: "eighty"\n')] });
    expect(message).toContain("values don't meet the specifications of the schema(s)");
    expect(message).toContain("- at '/services/gateway/port': got string, want integer");
  });

  it('rejects an unknown key, naming it and where it is', () => {
    const message = schemaError({ valuesFiles: [valuesFile('services:\n  entry:\n    autoscaling:\n      maxReplica: 9\n')] });
    expect(message).toContain("- at '/services/entry/autoscaling': additional properties 'maxReplica' not allowed");
  });

  it('rejects a misspelt top-level section', () => {
    expect(schemaError({ valuesFiles: [valuesFile('ingres:\n  enabled: false\n')] })).toContain("- at '': additional properties 'ingres' not allowed");
  });

  it('rejects a value outside its enum from --set, listing the allowed ones', () => {
    expect(schemaError({ set: ['kafka.mode=managed'] })).toContain("- at '/kafka/mode': value must be one of 'deploy', 'external'");
  });

  it('rejects a PDB with both minAvailable and maxUnavailable (null removes the default)', () => {
    const both = () => renderChart({ apiVersions: [STRIMZI], valuesFiles: [TEST_SECRETS], set: ['services.auth.pdb.maxUnavailable=1'] });
    expect(both).toThrow(/services.auth.pdb: set minAvailable or maxUnavailable, not both/);
    expect(() => renderChart({ apiVersions: [STRIMZI], valuesFiles: [TEST_SECRETS], set: ['services.auth.pdb.maxUnavailable=1', 'services.auth.pdb.minAvailable=null'] })).not.toThrow();
  });

  it('rejects an environment variable name that is not one, and an empty required endpoint pattern', () => {
    const message = schemaError({ valuesFiles: [valuesFile('common:\n  env:\n    log-level: debug\nredis:\n  external:\n    nodes: "redis:port"\n')] });
    expect(message).toContain("'log-level' does not match pattern '^[A-Z_][A-Z0-9_]*$'");
    expect(message).toContain("'/redis/external/nodes'");
  });

  it('accepts every values file the repository ships', () => {
    for (const f of ['charts/stampede/values-external.yaml', 'charts/stampede/values-production.yaml', 'k8s/values-dev.yaml']) {
      expect(() => renderChart({ valuesFiles: [f, TEST_SECRETS], apiVersions: [STRIMZI, 'monitoring.coreos.com/v1', 'keda.sh/v1alpha1'] })).not.toThrow();
    }
  });
});
