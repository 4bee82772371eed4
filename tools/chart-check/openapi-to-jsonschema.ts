/**
 * Turns Kubernetes OpenAPI into the standalone JSON schemas kubeconform reads (the
 * openapi2jsonschema approach): one file per kind and version, every object closed
 * (additionalProperties: false, as kubeconform's "-strict" schemas are) so a misspelt field fails
 * instead of being dropped by the API server.
 *
 * - Built-in kinds come from the API server's OpenAPI v2 document (`swagger.json`): each
 *   definition carrying x-kubernetes-group-version-kind becomes `<kind><-group>-<version>.json`
 *   (kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}`), with only the definitions it reaches.
 * - Custom resources come from their CustomResourceDefinitions: each served version's
 *   openAPIV3Schema becomes `<group>/<kind>_<version>.json`.
 */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Values the API server accepts as numbers or strings, though OpenAPI says "string". */
const SPECIAL: Record<string, Json> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

/** Closes objects, maps OpenAPI extensions onto JSON Schema, drops documentation. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObj(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k === 'example' || k.startsWith('x-kubernetes-list-')) continue;
    out[k] = k === 'properties' && isObj(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    delete out.format;
    return { ...out, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  if (node.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-embedded-resource'] === true;
  if (isObj(out.properties) && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

export interface SchemaFile {
  /** Path relative to the schema folder. */
  path: string;
  schema: Json;
}

/** kubeconform's KindSuffix: "-<first label of the group>-<version>", or "-<version>" for core. */
function kindSuffix(group: string, version: string): string {
  return group ? `-${group.split('.')[0]!.toLowerCase()}-${version}` : `-${version}`;
}

export function swaggerToSchemas(swagger: { definitions: Record<string, Json> }): SchemaFile[] {
  const defs = swagger.definitions;
  const refName = (ref: string) => ref.replace('#/definitions/', '');
  const reachable = (root: string): Set<string> => {
    const seen = new Set<string>();
    const visit = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (isObj(node)) {
        if (typeof node.$ref === 'string') {
          const n = refName(node.$ref);
          if (!seen.has(n)) {
            seen.add(n);
            visit(defs[n]);
          }
        }
        Object.values(node).forEach(visit);
      }
    };
    visit(defs[root]);
    return seen;
  };
  const files: SchemaFile[] = [];
  for (const [name, def] of Object.entries(defs)) {
    const gvks = def['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined;
    if (!gvks) continue;
    const definitions: Json = {};
    for (const n of reachable(name)) definitions[n] = SPECIAL[n] ?? strict(defs[n]);
    for (const { group, version, kind } of gvks) {
      const apiVersion = group ? `${group}/${version}` : version;
      const schema = strict(def) as Json;
      const props = { ...(schema.properties as Json) };
      // The document names its own kind and version, as the API server requires.
      props.apiVersion = { type: 'string', enum: [apiVersion] };
      props.kind = { type: 'string', enum: [kind] };
      files.push({
        path: `${kind.toLowerCase()}${kindSuffix(group, version)}.json`,
        schema: { $schema: 'http://json-schema.org/draft-07/schema#', ...schema, properties: props, definitions },
      });
    }
  }
  return files;
}

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Json } }[] };
}

export function crdToSchemas(crd: Crd): SchemaFile[] {
  if (crd.kind !== 'CustomResourceDefinition') throw new Error(`not a CustomResourceDefinition: ${crd.kind}`);
  const { group, names } = crd.spec;
  return crd.spec.versions
    .filter((v) => v.served && v.schema)
    .map((v) => {
      const schema = strict(v.schema!.openAPIV3Schema) as Json;
      const props = { ...(schema.properties as Json) };
      props.apiVersion = { type: 'string', enum: [`${group}/${v.name}`] };
      props.kind = { type: 'string', enum: [names.kind] };
      // A CRD's metadata is the ObjectMeta every object has: a name, labels and annotations.
      props.metadata = {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
          namespace: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      };
      return {
        path: `${group}/${names.kind.toLowerCase()}_${v.name}.json`,
        schema: { $schema: 'http://json-schema.org/draft-07/schema#', ...schema, properties: props },
      };
    });
}
