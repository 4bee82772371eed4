import { API, API_VERSION, errorBody, HEADERS, type HeaderSpec, type OperationContract, type SuccessSpec } from '@stampede/contracts/api';
import { changesState } from './csrf';
import { errorCodes, errorResponses, sharedErrorResponses } from './error-answers';
import { jsonSchema, json, type Components, type Json } from './json-schema';
import { RATE_LIMITS } from './limits';
import { CSRF_TOKEN_ROUTE, ROUTES, type Route } from './routes';

/** What the document needs of a route: one of the route table, or one the gateway answers itself. */
export type DocumentedRoute = Pick<Route, 'method' | 'path' | 'access' | 'rateLimit' | 'summary' | 'sandbox'> & {
  /** The service that answers it (the document's tag); 'gateway' for its own routes. */
  owner: string;
};

/** The parts of an OpenAPI 3.1 operation that the gateway's tests and the contract test read. */
export interface OperationObject {
  operationId: string;
  parameters: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Json; description?: string }[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: Json } } };
  responses: Record<string, ResponseObject | { $ref: string }>;
  security: Record<string, string[]>[];
  'x-roles': string[];
  [extension: string]: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { required: boolean; description: string; schema: Json }>;
  content?: { 'application/json': { schema: Json } };
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OperationObject>>;
  components: { securitySchemes: Json; responses: Record<string, ResponseObject>; schemas: Json };
  [key: string]: unknown;
}

export const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** '/sales/:id/entries' → '/sales/{id}/entries' */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1] as string);

const headerObject = (c: Components, h: HeaderSpec) => ({ required: h.required, description: h.description, schema: jsonSchema(c, h.schema, 'output') });

function successResponse(c: Components, route: DocumentedRoute, spec: SuccessSpec): ResponseObject {
  const limit = RATE_LIMITS[route.rateLimit];
  const headers: NonNullable<ResponseObject['headers']> = {
    // Absent only when the rate limiter itself failed and let the request through.
    [HEADERS.rateLimitLimit]: { required: false, description: `Requests allowed per ${limit.durationSeconds} s.`, schema: { type: 'string', pattern: '^[0-9]+$' } },
    [HEADERS.rateLimitRemaining]: { required: false, description: 'Requests left in the current window.', schema: { type: 'string', pattern: '^[0-9]+$' } },
  };
  for (const [name, h] of Object.entries(spec.headers ?? {})) headers[name] = headerObject(c, h);
  return { description: spec.description, headers, ...(spec.body ? { content: json(jsonSchema(c, spec.body, 'output')) } : {}) };
}

function parameters(c: Components, route: DocumentedRoute, contract: OperationContract): OperationObject['parameters'] {
  const params: OperationObject['parameters'] = [];
  const declared = contract.params ? (jsonSchema(c, contract.params, 'input').properties as Record<string, Json>) : {};
  for (const name of pathParams(route.path)) params.push({ name, in: 'path', required: true, schema: declared[name] ?? { type: 'string' } });
  if (contract.query) {
    const query = jsonSchema(c, contract.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: 'query', required: Boolean(query.required?.includes(name)), schema });
    }
  }
  for (const [name, h] of Object.entries(contract.headers ?? {})) params.push({ name, in: 'header', ...headerObject(c, h) });
  return params;
}

/** Bearer needs nothing more; the access cookie needs the CSRF token too when the request changes state. */
function security(route: DocumentedRoute): OperationObject['security'] {
  if (route.access === 'public') return [];
  return [{ bearer: [] }, changesState(route.method) ? { cookie: [], csrf: [] } : { cookie: [] }];
}

function operation(c: Components, route: DocumentedRoute, contract: OperationContract): OperationObject {
  const limit = RATE_LIMITS[route.rateLimit];
  const responses: OperationObject['responses'] = {};
  for (const [status, spec] of Object.entries(contract.success)) responses[status] = successResponse(c, route, spec as SuccessSpec);
  const op: OperationObject = {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}/.-]+(\w)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: [route.owner],
    parameters: parameters(c, route, contract),
    security: security(route),
    'x-roles': route.access === 'public' ? [] : route.access,
    'x-rate-limit': { points: limit.points, per: `${limit.durationSeconds}s`, by: limit.by },
    responses: { ...responses, ...errorResponses(errorCodes(route, contract)) },
  };
  if (route.sandbox) op['x-sandbox'] = 'Routed only where SANDBOX_ROUTES=true (local platform and tests).';
  if (contract.body) op.requestBody = { required: !contract.bodyOptional, content: json(jsonSchema(c, contract.body, 'input')) };
  return op;
}

/**
 * The public API as OpenAPI 3.1, from the routes (the gateway's table and its own routes: path,
 * access, rate limit) and the API contract (what each operation takes and answers). Every route
 * must have its contract: a route without one is a start-up failure, never an undocumented route.
 */
function buildOpenApi(routes: readonly DocumentedRoute[], contracts: Readonly<Record<string, OperationContract>>, version: string): OpenApiDocument {
  const schemas: Components = {};
  jsonSchema(schemas, errorBody, 'output');
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const contract = contracts[routeKey(route)];
    if (!contract) throw new Error(`the API contract has no operation ${routeKey(route)}`);
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation(schemas, route, contract);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stampede API',
      version,
      description: [
        'Flash sales with exact seat holds.',
        'Authenticate with `Authorization: Bearer <accessToken>`; browsers using the access-token cookie must also send `X-CSRF-Token` (from `POST /csrf/token`) on state-changing requests.',
        '`POST /payments/confirm` and `POST /payments/{id}/refund` need an `Idempotency-Key`: a retry with the same key gets the first answer (with `Idempotent-Replayed: true`), never a second charge.',
        'Every error is `{"error":{"code","message","requestId"}}` (plus `details` where there are any); each operation lists the codes it can answer.',
        'An unknown path answers 404 NOT_FOUND; a request whose headers are too large or too slow to arrive, 431 HEADERS_TOO_LARGE or 408 REQUEST_TIMEOUT.',
      ].join(' '),
    },
    tags: [
      { name: 'auth', description: 'Accounts, sessions, tokens and signing keys' },
      { name: 'event', description: 'Sales, events (promotions) and their rewards, orders, audit' },
      { name: 'entry', description: 'The hot path: holding seats' },
      { name: 'payment', description: 'Payments, refunds, subscriptions, provider webhooks' },
      { name: 'gateway', description: 'What the gateway answers itself' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'stampede_access' },
        csrf: { type: 'apiKey', in: 'header', name: HEADERS.csrfToken, description: 'With the access cookie on state-changing requests: the token of POST /csrf/token.' },
      },
      responses: sharedErrorResponses(),
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/**
 * The document of the routes a gateway serves: the whole table (the sandbox's routes only where
 * they are mounted) and its own, described by the API contract.
 */
export function apiDocument(opts: { sandboxRoutes: boolean }): OpenApiDocument {
  const routes: DocumentedRoute[] = [
    ...ROUTES.filter((r) => !r.sandbox || opts.sandboxRoutes).map((r) => ({ ...r, owner: r.upstream })),
    { ...CSRF_TOKEN_ROUTE, owner: 'gateway' },
  ];
  return buildOpenApi(routes, API, API_VERSION);
}
