// Validates rendered objects against the Kubernetes OpenAPI schemas shipped by
// kubernetes-models (an ES module package, hence this separate script; the jest tests run as
// CommonJS). Input on stdin: [{source, object}]. Output on stdout: one result per object.
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
const cache = new Map();

async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
    const spec = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/v1/${kind}`;
    cache.set(key, import(spec).then((m) => m[kind], () => undefined));
  }
  return cache.get(key);
}

for (const { source, object } of input) {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  const Model = typeof apiVersion === 'string' && typeof kind === 'string' ? await modelFor(apiVersion, kind) : undefined;
  if (!Model) {
    results.push({ source, apiVersion, kind, name, status: 'unknown' });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ source, apiVersion, kind, name, status: 'ok' });
  } catch (err) {
    results.push({ source, apiVersion, kind, name, status: 'invalid', message: err instanceof Error ? err.message : String(err) });
  }
}
process.stdout.write(JSON.stringify(results));
