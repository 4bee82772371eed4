/**
 * The chart check's engine is real Helm (scripts/install-go-tools.sh builds the pinned release):
 * `helm template` renders, `helm lint --strict` lints, Helm validates the values against
 * values.schema.json; kubeconform validates every rendered object against the Kubernetes and CRD
 * schemas of tools.ts. Used by `npm run chart:check` (main.ts) and the tests under charts/test.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { KUBERNETES_VERSION, ROOT, schemaLocations, toolPaths } from './tools';

export { ROOT };
export const CHART = path.join(ROOT, 'charts/stampede');

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
  /** The template it came from, e.g. stampede/templates/deployment.yaml. */
  source: string;
  object: K8sObject;
}

export interface Rendered {
  /** helm template's output as Helm printed it. */
  yaml: string;
  manifests: Manifest[];
  /** The values the templates saw (chart defaults coalesced with -f and --set), read on demand. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shaped by values.schema.json
  readonly values: Record<string, any>;
}

export interface RenderOptions {
  chart?: string;
  valuesFiles?: string[];
  set?: string[];
  apiVersions?: string[];
  namespace?: string;
  releaseName?: string;
  kubeVersion?: string;
  isUpgrade?: boolean;
}

export class ChartError extends Error {
  constructor(
    readonly stage: 'schema' | 'render' | 'lint' | 'validate',
    message: string,
  ) {
    super(message);
    this.name = 'ChartError';
  }
}

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // No command here needs a cluster; should one ever try, it must not reach anyone's port
  // (Helm's default API server is localhost:8080, a port of the local stack).
  const env = { ...process.env, HELM_KUBEAPISERVER: 'https://127.0.0.1:1', KUBECONFIG: '/dev/null' };
  const run = spawnSync(toolPaths().helm, args, { encoding: 'utf8', cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  // The chart links observability/ in; Helm notes every symbolic link it follows.
  const stderr = run.stderr
    .split('\n')
    .filter((l) => !/found symbolic link in path/.test(l))
    .join('\n')
    .trim();
  return { status: run.status, stdout: run.stdout, stderr };
}

function valueArgs(o: RenderOptions): string[] {
  const args: string[] = [];
  for (const f of o.valuesFiles ?? []) args.push('-f', path.resolve(ROOT, f));
  for (const s of o.set ?? []) args.push('--set', s);
  return args;
}

const helmError = (stderr: string) =>
  new ChartError(/values don't meet the specifications of the schema/.test(stderr) ? 'schema' : 'render', stderr.replace(/^Error: /, ''));

/** Splits Helm's output into objects, each with the template it came from. */
function parseManifests(yaml: string): Manifest[] {
  const out: Manifest[] = [];
  for (const chunk of yaml.split(/^---\s*$/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1] ?? '';
    for (const doc of parseAllDocuments(chunk)) {
      if (doc.errors.length) throw new ChartError('render', `${source}: ${doc.errors[0]!.message}`);
      const object = doc.toJS() as K8sObject | null;
      if (object) out.push({ source, object });
    }
  }
  return out;
}

type Json = Record<string, unknown>;
/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
function coalesce(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(base[k], v);
  }
  return out;
}

/** A --set value typed as Helm types it: true/false, null, integers, else a string. */
function setValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)$/.test(raw)) return Number(raw);
  return raw.replace(/\\,/g, ',');
}

/** `--set a.b=c,d=e` as a values map (dotted keys and escaped commas; lists are not needed here). */
function parseSet(expr: string): Json {
  const out: Json = {};
  for (const pair of expr.split(/(?<!\\),/)) {
    const eq = pair.indexOf('=');
    const keys = pair.slice(0, eq).split('.');
    if (eq < 0 || keys.some((k) => !k || k.includes('['))) throw new Error(`--set ${pair}: only key.path=value is supported by the chart check`);
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Json;
    node[keys.at(-1)!] = setValue(pair.slice(eq + 1));
  }
  return out;
}

/** The values the templates see: chart defaults, then each -f file, then each --set, coalesced. */
function computedValues(o: RenderOptions): Json {
  const chart = o.chart ?? CHART;
  let values = parse(readFileSync(path.join(chart, 'values.yaml'), 'utf8')) as Json;
  for (const f of o.valuesFiles ?? []) values = coalesce(values, parse(readFileSync(path.resolve(ROOT, f), 'utf8')) ?? {}) as Json;
  for (const s of o.set ?? []) values = coalesce(values, parseSet(s)) as Json;
  return values;
}

/** `helm template`: throws ChartError naming the stage (schema or render) and Helm's message. */
export function renderChart(o: RenderOptions = {}): Rendered {
  const args = ['template', o.releaseName ?? 'stampede', o.chart ?? CHART, '-n', o.namespace ?? 'stampede', '--kube-version', o.kubeVersion ?? KUBERNETES_VERSION];
  for (const a of o.apiVersions ?? []) args.push('--api-versions', a);
  if (o.isUpgrade) args.push('--is-upgrade');
  const run = helm([...args, ...valueArgs(o)]);
  if (run.status !== 0) throw helmError(run.stderr);
  let values: Json | undefined;
  return {
    yaml: run.stdout,
    manifests: parseManifests(run.stdout),
    get values() {
      values ??= computedValues(o);
      return values;
    },
  };
}

/** `helm lint --strict` with these values; returns Helm's report, throws when it fails. */
export function lintChart(o: RenderOptions = {}): string {
  const run = helm(['lint', '--strict', o.chart ?? CHART, '-n', o.namespace ?? 'stampede', '--kube-version', o.kubeVersion ?? KUBERNETES_VERSION, ...valueArgs(o)]);
  if (run.status !== 0) throw new ChartError('lint', `${run.stdout}\n${run.stderr}`.trim());
  return run.stdout;
}

export interface ValidationResult {
  kind: string;
  name: string;
  status: 'ok' | 'invalid' | 'error';
  message?: string;
}

/**
 * kubeconform over YAML (Helm's output as it is, so duplicate keys are caught too), or over
 * objects. Every object needs a schema: a kind without one is an error, never skipped.
 */
export function validateManifests(input: string | Manifest[]): ValidationResult[] {
  const yaml = typeof input === 'string' ? input : input.map((m) => JSON.stringify(m.object)).join('\n---\n');
  const args = ['-strict', '-verbose', '-output', 'json', '-kubernetes-version', KUBERNETES_VERSION.slice(1)];
  for (const l of schemaLocations()) args.push('-schema-location', l);
  const run = spawnSync(toolPaths().kubeconform, [...args, '-'], { input: yaml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let report: { resources?: { kind: string; name: string; status: string; msg: string }[] };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new ChartError('validate', `kubeconform failed: ${run.stderr || run.stdout}`);
  }
  const status = { statusValid: 'ok', statusInvalid: 'invalid', statusError: 'error', statusSkipped: 'error' } as const;
  return (report.resources ?? []).map((r) => ({
    kind: r.kind,
    name: r.name,
    status: status[r.status as keyof typeof status] ?? 'error',
    // The message holds every error with its full path (validationErrors stop at a $ref).
    ...(r.status === 'statusValid' ? {} : { message: r.msg.replace(/^problem validating schema\. Check JSON formatting: jsonschema validation failed with '[^']*' - /, '').replace(/^at '([^']*)': /gm, '$1: ') }),
  }));
}
