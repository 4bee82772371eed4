import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonResponse } from '@stampede/devkit';

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string }> }>>;
  components: { responses: Record<string, unknown> };
}
interface Response {
  headers?: Record<string, { required?: boolean }>;
  content?: { 'application/json': { schema: unknown } };
}

const DOC_ID = 'https://stampede.test/openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks answers against the API document a gateway serves: the status must be documented for
 * the operation (`METHOD /path/{template}`), the body must validate against the documented schema
 * (JSON Schema 2020-12, formats included), and the documented required headers must be present. A
 * 405 is checked against the path: the method is not documented there and Allow lists those that are.
 */
export function apiContract(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });

  function check(method: string, path: string, a: JsonResponse<any>): string[] {
    const where = `${method} ${path} → ${a.status}`;
    const ops = doc.paths[path];
    if (!ops) return [`${where}: path not documented`];
    let op = ops[method.toLowerCase()];
    if (a.status === 405) {
      if (op) return [`${where}: the method is documented, yet the gateway does not serve it`];
      const documented = Object.keys(ops).map((m) => m.toUpperCase());
      if (documented.includes('GET')) documented.push('HEAD');
      const allow = (a.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
      if (allow.sort().join(',') !== documented.sort().join(',')) return [`${where}: Allow ${allow.join(',')} but documented ${documented.join(',')}`];
      op = Object.values(ops)[0];
    }
    if (!op) return [`${where}: operation not documented`];
    let r = op.responses[String(a.status)];
    if (!r) return [`${where}: status not documented (documented: ${Object.keys(op.responses).join(', ')})`];
    let at = pointer('paths', path, method.toLowerCase() in ops ? method.toLowerCase() : Object.keys(ops)[0] as string, 'responses', String(a.status));
    if (r.$ref) {
      at = r.$ref.slice(2);
      r = doc.components.responses[r.$ref.replace('#/components/responses/', '')] as { $ref?: string };
    }
    const response = r as Response;
    const problems: string[] = [];
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      if (h.required && !a.headers.has(name)) problems.push(`${where}: required header ${name} missing`);
    }
    if (!response.content) {
      if (a.body !== undefined) problems.push(`${where}: a body where none is documented`);
      return problems;
    }
    if (!(a.headers.get('content-type') ?? '').startsWith('application/json')) problems.push(`${where}: content-type ${a.headers.get('content-type')}`);
    const validate = ajv.getSchema(`${DOC_ID}#/${at}/content/${pointer('application/json')}/schema`);
    if (!validate) return [...problems, `${where}: no schema at ${at}`];
    if (!validate(a.body)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      problems.push(`${where}: body ${JSON.stringify(a.body).slice(0, 300)} does not match: ${errors.slice(0, 5).join('; ')}`);
    }
    return problems;
  }

  return { check };
}
