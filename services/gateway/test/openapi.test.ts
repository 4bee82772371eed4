import { readFileSync } from 'node:fs';
import { render } from '../../../scripts/gen-openapi';
import { openApiPath, routeKey } from '../src/domain/openapi';
import { OPENAPI_FILE } from '../src/http/docs';
import { ROUTES } from '../src/domain/routes';

type Doc = { paths: Record<string, Record<string, unknown>> };

describe('the OpenAPI document', () => {
  const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Doc;

  it('is the one generated from the route table and the services\' schemas (run npm run gen:openapi)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(render());
  });

  it('documents every route of the route table', () => {
    const missing = ROUTES.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()]).map(routeKey);
    expect(missing).toEqual([]);
  });

  it('documents nothing that the route table does not route', () => {
    const routed = new Set(ROUTES.map((r) => `${r.method} ${openApiPath(r.path)}`));
    routed.add('POST /csrf/token');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((d) => !routed.has(d))).toEqual([]);
  });

  it('marks which routes need a token and which roles they need', () => {
    for (const route of ROUTES) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()] as { security: unknown[]; 'x-roles': string[] };
      expect(op.security.length === 0).toBe(route.access === 'public');
      if (route.access !== 'public') expect(op['x-roles']).toEqual(route.access);
    }
  });
});
