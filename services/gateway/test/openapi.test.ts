import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { API } from '@stampede/contracts/api';
import { OPENAPI_FILE, render } from '../scripts/gen-openapi';
import { changesState } from '../src/domain/csrf';
import { apiDocument, openApiPath, routeKey, type OpenApiDocument, type OperationObject, type ResponseObject } from '../src/domain/openapi';
import { CSRF_TOKEN_ROUTE, ROUTES } from '../src/domain/routes';

const doc = apiDocument({ sandboxRoutes: true });
const ALL_ROLES = ['USER', 'OPERATOR', 'AUDITOR', 'ADMIN'];

const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), op })),
);
const opOf = (method: string, path: string) => doc.paths[openApiPath(path)]?.[method.toLowerCase()] as OperationObject;
const resolve = (r: ResponseObject | { $ref: string }): ResponseObject =>
  '$ref' in r ? (doc.components.responses[r.$ref.replace('#/components/responses/', '')] as ResponseObject) : r;
/** The error codes an operation documents for a status (from the narrowed code enum). */
const codesOf = (op: OperationObject, status: number): string[] => {
  const r = op.responses[String(status)];
  if (!r) return [];
  const schema = resolve(r).content?.['application/json'].schema as { allOf: { properties?: { error: { properties: { code: { enum: string[] } } } } }[] };
  return schema.allOf.flatMap((s) => s.properties?.error.properties.code.enum ?? []);
};

describe('the OpenAPI document', () => {
  it('when the route table or the API contract changes, then the committed openapi.json is regenerated (npm run gen:openapi)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(render());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result).toEqual({ valid: true });
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every route of the route table and the gateway\'s own, and nothing else', () => {
    const routed = [...ROUTES, CSRF_TOKEN_ROUTE].map((r) => `${r.method} ${openApiPath(r.path)}`).sort();
    expect(operations.map((o) => o.key).sort()).toEqual(routed);
  });

  it('has a contract for exactly the routed operations', () => {
    expect(Object.keys(API).sort()).toEqual([...ROUTES, CSRF_TOKEN_ROUTE].map(routeKey).sort());
  });

  it('when the sandbox routes are not mounted, then the served document leaves them out', () => {
    const served = apiDocument({ sandboxRoutes: false });
    expect(served.paths['/sandbox/pg/checkout']).toBeUndefined();
    expect(Object.keys(served.paths).length).toBe(Object.keys(doc.paths).length - 1);
  });

  it('gives every operation a success answer with its body schema (none for 204)', () => {
    const problems: string[] = [];
    for (const { key, op } of operations) {
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) problems.push(`${key}: no success answer`);
      for (const [status, r] of success) {
        const content = resolve(r).content?.['application/json']?.schema;
        if (status === '204' ? content !== undefined : !content || Object.keys(content).length === 0) problems.push(`${key} ${status}: body schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every operation its error answers: the error body, 405, 429 with Retry-After, 500 and 503', () => {
    const problems: string[] = [];
    for (const { key, op } of operations) {
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      for (const status of ['405', '429', '500', '503']) if (!op.responses[status]) problems.push(`${key}: no ${status}`);
      for (const [status, r] of errors) {
        const schema = resolve(r).content?.['application/json'].schema as { allOf?: { $ref?: string }[] };
        if (schema?.allOf?.[0]?.$ref !== '#/components/schemas/Error') problems.push(`${key} ${status}: not the error body`);
        if (codesOf(op, Number(status)).length === 0) problems.push(`${key} ${status}: no codes`);
      }
      const tooMany = op.responses['429'] && resolve(op.responses['429']);
      if (!tooMany?.headers?.['Retry-After']?.required) problems.push(`${key}: 429 without Retry-After`);
      if (!op.responses['503'] || !resolve(op.responses['503']).headers?.['Retry-After']) problems.push(`${key}: 503 without Retry-After`);
      if (!resolve(op.responses['405'] as ResponseObject).headers?.Allow?.required) problems.push(`${key}: 405 without Allow`);
    }
    expect(problems).toEqual([]);
  });

  it('derives input, access and CSRF errors from each operation\'s shape', () => {
    const problems: string[] = [];
    for (const route of [...ROUTES, { ...CSRF_TOKEN_ROUTE }]) {
      const op = opOf(route.method, route.path);
      const key = routeKey(route);
      const has = (status: number, code: string) => codesOf(op, status).includes(code);
      const hasBody = op.requestBody !== undefined;
      if (hasBody !== (has(400, 'INVALID_INPUT') && has(413, 'PAYLOAD_TOO_LARGE') && has(415, 'UNSUPPORTED_MEDIA_TYPE'))) problems.push(`${key}: body errors`);
      const authenticated = route.access !== 'public';
      // Public routes may answer 401 too (a wrong password), protected ones always may.
      if (authenticated && !has(401, 'AUTH_REQUIRED')) problems.push(`${key}: 401`);
      if ((authenticated && changesState(route.method)) !== has(403, 'CSRF_INVALID')) problems.push(`${key}: CSRF_INVALID`);
      if (authenticated && !ALL_ROLES.every((r) => (route.access as string[]).includes(r)) && !has(403, 'FORBIDDEN')) problems.push(`${key}: FORBIDDEN`);
    }
    expect(problems).toEqual([]);
  });

  it('documents what the use cases answer: the confirm, refund and entry outcomes', () => {
    const confirm = opOf('POST', '/payments/confirm');
    expect(codesOf(confirm, 400).sort()).toEqual(['AMOUNT_MISMATCH', 'INVALID_INPUT']);
    expect(codesOf(confirm, 402)).toEqual(['PAYMENT_FAILED']);
    expect(codesOf(confirm, 409).sort()).toEqual(['CONFLICT', 'IDEMPOTENCY_CONFLICT']);
    expect(codesOf(confirm, 410)).toEqual(['HOLD_EXPIRED']);
    expect(codesOf(opOf('POST', '/payments/:id/refund'), 409).sort()).toEqual(['ALREADY_REFUNDED', 'CONFLICT', 'IDEMPOTENCY_CONFLICT', 'INVALID_TRANSITION']);
    const entry = opOf('POST', '/sales/:id/entries');
    expect(codesOf(entry, 409).sort()).toEqual(['ALREADY_ENTERED', 'SALE_NOT_OPEN', 'SOLD_OUT']);
    expect(codesOf(entry, 403).sort()).toEqual(['CSRF_INVALID', 'FORBIDDEN', 'NOT_ELIGIBLE']);
    expect(codesOf(opOf('POST', '/auth/refresh'), 401).sort()).toEqual(['AUTH_REQUIRED', 'TOKEN_REUSE_DETECTED']);
    expect(codesOf(opOf('POST', '/webhooks/pg'), 401)).toEqual(['INVALID_SIGNATURE']);
    // The gateway answers the CSRF token itself: no upstream to be unavailable.
    expect(codesOf(opOf('POST', '/csrf/token'), 503).sort()).toEqual(['SHUTTING_DOWN', 'UNAVAILABLE']);
  });

  it('requires an Idempotency-Key on confirm and refund, and the webhook\'s signature headers', () => {
    const headersOf = (op: OperationObject) => Object.fromEntries(op.parameters.filter((p) => p.in === 'header').map((p) => [p.name, p.required]));
    expect(headersOf(opOf('POST', '/payments/confirm'))).toEqual({ 'Idempotency-Key': true });
    expect(headersOf(opOf('POST', '/payments/:id/refund'))).toEqual({ 'Idempotency-Key': true });
    expect(headersOf(opOf('POST', '/webhooks/pg'))).toEqual({ 'X-Webhook-Signature': true, 'X-Webhook-Timestamp': true, 'X-Webhook-Id': false });
    const others = operations.filter((o) => !['POST /payments/confirm', 'POST /payments/{id}/refund', 'POST /webhooks/pg'].includes(o.key));
    expect(others.filter((o) => o.op.parameters.some((p) => p.in === 'header')).map((o) => o.key)).toEqual([]);
  });

  it('marks which routes need a token, which roles, and which need the CSRF token with the access cookie', () => {
    for (const route of ROUTES) {
      const op = opOf(route.method, route.path);
      if (route.access === 'public') {
        expect(op.security).toEqual([]);
        continue;
      }
      expect(op['x-roles']).toEqual(route.access);
      expect(op.security).toEqual([{ bearer: [] }, changesState(route.method) ? { cookie: [], csrf: [] } : { cookie: [] }]);
    }
    expect(doc.components.securitySchemes).toMatchObject({ csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' } });
  });

  it('declares the answers\' headers: Location where a resource is created, Set-Cookie on the CSRF token, Cache-Control on credentials', () => {
    const headerOf = (method: string, path: string, status: number, name: string) => resolve(opOf(method, path).responses[String(status)] as ResponseObject).headers?.[name];
    for (const path of ['/sales', '/events', '/events/:id/request']) expect(headerOf('POST', path, 201, 'Location')?.required).toBe(true);
    expect(headerOf('POST', '/csrf/token', 200, 'Set-Cookie')?.required).toBe(true);
    expect(headerOf('POST', '/auth/login', 200, 'Cache-Control')?.schema).toEqual({ type: 'string', const: 'no-store' });
    expect(headerOf('POST', '/sales/:id/entries', 201, 'Cache-Control')?.required).toBe(true);
    expect(headerOf('POST', '/payments/confirm', 200, 'Idempotent-Replayed')?.required).toBe(false);
    for (const { key, op } of operations) {
      const success = Object.entries(op.responses).filter(([s]) => /^2/.test(s)).map(([, r]) => resolve(r));
      for (const r of success) expect({ key, limit: r.headers?.['RateLimit-Limit'] !== undefined }).toEqual({ key, limit: true });
    }
  });

  it('names the answers\' shared schemas once, so no answer of the public sale can carry the staff-only fields', () => {
    const schemas = doc.components.schemas as OpenApiDocument['components']['schemas'] & Record<string, { properties: Record<string, unknown>; additionalProperties: boolean }>;
    expect(schemas.PublicSale?.additionalProperties).toBe(false);
    expect(Object.keys(schemas.PublicSale?.properties ?? {})).not.toContain('conditions');
    expect(Object.keys(schemas.StaffSale?.properties ?? {})).toContain('conditions');
  });
});
