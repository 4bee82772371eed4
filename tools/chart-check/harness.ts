/**
 * The chart check: render the chart with the Go harness (text/template + sprig, the engine Helm
 * uses), validate the merged values against values.schema.json as Helm does, then validate
 * every rendered object (kubernetes-models for Kubernetes kinds, crd-schemas.ts for custom
 * resources). Used by the tests under charts/test.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { crdSchemas } from './crd-schemas';

export const ROOT = path.resolve(__dirname, '../..');
export const CHART = path.join(ROOT, 'charts/stampede');
const TOOL = path.join(ROOT, 'tools/chart-check');
const GOPATH = '/usr/share/gocode';

/** A rendered object: the fields every kind has, the rest as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind's spec differs
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

export interface Manifest {
  source: string;
  object: K8sObject;
}

export interface Rendered {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shaped by values.schema.json
  values: Record<string, any>;
  manifests: Manifest[];
  notes: string;
}

export interface RenderOptions {
  chart?: string;
  valuesFiles?: string[];
  set?: string[];
  apiVersions?: string[];
  namespace?: string;
  releaseName?: string;
  kubeVersion?: string;
}

export class ChartError extends Error {
  constructor(
    readonly stage: 'schema' | 'render' | 'validate',
    message: string,
  ) {
    super(message);
    this.name = 'ChartError';
  }
}

/** Builds the Go harness once per source change; the binary is cached under .stampede/. */
export function chartCheckBinary(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(TOOL).filter((n) => n.endsWith('.go')).sort()) {
    hash.update(f).update(readFileSync(path.join(TOOL, f)));
  }
  const dir = path.join(ROOT, '.stampede/chart-check', hash.digest('hex').slice(0, 16));
  const bin = path.join(dir, 'chart-check');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    execFileSync('go', ['build', '-o', tmp, '.'], {
      cwd: TOOL,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH,
        GOFLAGS: '',
        GOCACHE: process.env.GOCACHE ?? path.join(ROOT, '.stampede/go-cache'),
      },
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(
      `building tools/chart-check failed (needs golang-go, golang-github-masterminds-sprig-dev, ` +
        `golang-gopkg-yaml.v3-dev; see scripts/install-system-deps.sh):\n${err.stderr?.toString() ?? err.message}`,
    );
  }
  renameSync(tmp, bin); // atomic: parallel test files may build at once
  return bin;
}

let ajvValues: ReturnType<Ajv['compile']> | undefined;
function valuesValidator(chart: string) {
  if (chart !== CHART || !ajvValues) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    const compiled = ajv.compile(JSON.parse(readFileSync(path.join(chart, 'values.schema.json'), 'utf8')));
    if (chart !== CHART) return compiled;
    ajvValues = compiled;
  }
  return ajvValues;
}

/** Error lines that name the key, as `helm install` prints them. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  const out = new Set<string>();
  for (const e of errors ?? []) {
    const at = e.instancePath.slice(1).replace(/\//g, '.') || '(root)';
    if (e.keyword === 'additionalProperties') {
      out.add(`${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`);
    } else if (e.keyword === 'type') {
      out.add(`${at}: must be ${(e.params as { type: string }).type}`);
    } else if (e.keyword === 'enum') {
      out.add(`${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`);
    } else if (e.keyword === 'required') {
      out.add(`${at}: missing required key "${(e.params as { missingProperty: string }).missingProperty}"`);
    } else if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if') {
      out.add(`${at}: ${e.message}`);
    }
  }
  return [...out];
}

/** `helm template` with schema validation: throws ChartError naming the stage and the cause. */
export function renderChart(opts: RenderOptions = {}): Rendered {
  const chart = opts.chart ?? CHART;
  const args = [chart, '--output', 'json', '--name', opts.releaseName ?? 'stampede', '--namespace', opts.namespace ?? 'stampede'];
  for (const f of opts.valuesFiles ?? []) args.push('-f', path.resolve(ROOT, f));
  for (const s of opts.set ?? []) args.push('--set', s);
  for (const a of opts.apiVersions ?? []) args.push('--api-versions', a);
  if (opts.kubeVersion) args.push('--kube-version', opts.kubeVersion);
  const run = spawnSync(chartCheckBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let out: { values?: Record<string, unknown>; manifests?: Manifest[]; notes?: string; error?: string };
  try {
    out = JSON.parse(run.stdout);
  } catch {
    throw new ChartError('render', run.stderr || `chart-check exited with ${run.status}`);
  }
  if (out.values && existsSync(path.join(chart, 'values.schema.json'))) {
    const validate = valuesValidator(chart);
    if (!validate(out.values)) {
      throw new ChartError(
        'schema',
        `values don't meet the schema of chart ${path.basename(chart)}:\n` +
          describeSchemaErrors(validate.errors).map((l) => `- ${l}`).join('\n'),
      );
    }
  }
  if (out.error) throw new ChartError('render', out.error);
  return { values: out.values ?? {}, manifests: out.manifests ?? [], notes: out.notes ?? '' };
}

export interface ValidationResult {
  source: string;
  kind: string;
  name: string;
  status: 'ok' | 'invalid' | 'unknown';
  message?: string;
}

const crdAjv = new Ajv({ allErrors: true, strict: false });
const crdValidators = new Map(Object.entries(crdSchemas).map(([k, s]) => [k, crdAjv.compile(s)]));

/** Validates every object: Kubernetes kinds through kubernetes-models, custom resources here. */
export function validateManifests(manifests: Manifest[]): ValidationResult[] {
  const run = spawnSync(process.execPath, [path.join(TOOL, 'kube-validate.mjs')], {
    input: JSON.stringify(manifests),
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new ChartError('validate', `kube-validate.mjs failed: ${run.stderr}`);
  const results = JSON.parse(run.stdout) as ValidationResult[];
  return results.map((r, i) => {
    if (r.status !== 'unknown') return r;
    const obj = manifests[i]!.object;
    const validate = crdValidators.get(`${obj.apiVersion}/${obj.kind}`);
    if (!validate) return { ...r, message: `no schema for ${obj.apiVersion} ${obj.kind}` };
    if (validate(obj)) return { ...r, status: 'ok' };
    return { ...r, status: 'invalid', message: describeSchemaErrors(validate.errors).join('; ') };
  });
}
