import { ROLES } from '@stampede/contracts';
import {
  API,
  API_VERSION,
  ERROR_MEANING,
  ERROR_STATUS,
  errorBody,
  HEADERS,
  inputErrors,
  PLATFORM_ERRORS,
  type ErrorCode,
  type HeaderSpec,
  type OperationContract,
  type SuccessSpec,
} from '@stampede/contracts/api';
import { z } from 'zod';
import { changesState } from './csrf';
import { RATE_LIMITS } from './limits';
import { CSRF_TOKEN_ROUTE, ROUTES, type Route } from './routes';

/** What the document needs of a route: one of the route table, or one the gateway answers itself. */
type DocumentedRoute = Pick<Route, 'method' | 'path' | 'access' | 'rateLimit' | 'summary' | 'sandbox'> & {
  /** The service that answers it (the document's tag); 'gateway' for its own routes. */
  owner: string;
};

type Json = Record<string, unknown>;

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

/** Named schemas (a zod `id`) end up once under components.schemas, referenced from everywhere. */
type Components = Record<string, Json>;

const COMPONENT = '#/components/schemas/';

/** Points `#/$defs/X` references at components.schemas. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', COMPONENT) : relink(v)]),
  );
}

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): requests as clients send them,
 * answers as services write them. Its named parts move to `components`; one name holding two
 * different schemas (say, a request's input and an answer's output) is a build error.
 */
function jsonSchema(components: Components, schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Json & { $defs?: Components };
  for (const [name, def] of Object.entries($defs ?? {})) {
    const linked = relink(def) as Json;
    if (components[name] && JSON.stringify(components[name]) !== JSON.stringify(linked)) throw new Error(`two different schemas are named ${name}`);
    components[name] = linked;
  }
  return relink(rest) as Json;
}

const headerObject = (c: Components, h: HeaderSpec) => ({ required: h.required, description: h.description, schema: jsonSchema(c, h.schema, 'output') });

const json = (schema: Json) => ({ 'application/json': { schema } });

const RETRY_AFTER = (required: boolean) => ({
  [HEADERS.retryAfter]: { required, description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } },
});

/** Headers the error answers of a status carry, whichever code. */
const ERROR_HEADERS: Partial<Record<number, ResponseObject['headers']>> = {
  405: { [HEADERS.allow]: { required: true, description: 'The methods this path serves.', schema: { type: 'string' } } },
  429: RETRY_AFTER(true),
  // A store outage says when to come back; an unavailable service or a shutdown does not.
  503: RETRY_AFTER(false),
};

/**
 * Error answers every operation shares (same codes, same headers), declared once under
 * components.responses; an operation whose codes for such a status differ gets its own.
 */
const SHARED_ERRORS: Record<string, { status: number; codes: ErrorCode[]; description: string }> = {
  MethodNotAllowed: { status: 405, codes: ['METHOD_NOT_ALLOWED'], description: 'The path is called with a method it does not serve (Allow lists those it does).' },
  PayloadTooLarge: { status: 413, codes: ['PAYLOAD_TOO_LARGE'], description: 'The body is larger than the limit.' },
  UnsupportedMediaType: { status: 415, codes: ['UNSUPPORTED_MEDIA_TYPE'], description: 'The body is not JSON (Content-Type: application/json).' },
  RateLimited: { status: 429, codes: ['RATE_LIMIT_EXCEEDED'], description: 'The rate limit of this operation is spent; retry after Retry-After seconds.' },
  Internal: { status: 500, codes: ['INTERNAL'], description: 'An unexpected failure; the requestId finds it in the logs.' },
  Unavailable: {
    status: 503,
    codes: ['UNAVAILABLE', 'UPSTREAM_UNAVAILABLE', 'SHUTTING_DOWN'],
    description: 'A store, the owning service or a provider is briefly unavailable, or the replica is shutting down; safe to retry.',
  },
};

/** The error body, its code narrowed to those an answer of this status can carry. */
const errorResponse = (status: number, codes: ErrorCode[], description = codes.map((c) => `${c}: ${ERROR_MEANING[c]}`).join('; ')): ResponseObject => ({
  description,
  ...(ERROR_HEADERS[status] ? { headers: ERROR_HEADERS[status] } : {}),
  content: json({ allOf: [{ $ref: `${COMPONENT}Error` }, { properties: { error: { properties: { code: { enum: codes } } } } }] }),
});

const sameCodes = (a: readonly ErrorCode[], b: readonly ErrorCode[]) => a.length === b.length && a.every((c) => b.includes(c));

/** The codes an operation can answer: its use case's, its input's, the platform's, and the gateway's for its access. */
function errorCodes(route: DocumentedRoute, contract: OperationContract): ErrorCode[] {
  const codes = new Set<ErrorCode>([...contract.errors, ...inputErrors(contract), ...PLATFORM_ERRORS, 'METHOD_NOT_ALLOWED']);
  if (route.owner !== 'gateway') codes.add('UPSTREAM_UNAVAILABLE');
  if (route.access !== 'public') {
    codes.add('AUTH_REQUIRED');
    // A cookie-authenticated state change needs the CSRF token.
    if (changesState(route.method)) codes.add('CSRF_INVALID');
    if (!ROLES.every((r) => route.access.includes(r))) codes.add('FORBIDDEN');
  }
  return [...codes];
}

function errorResponses(codes: ErrorCode[]): OperationObject['responses'] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: OperationObject['responses'] = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shared = Object.entries(SHARED_ERRORS).find(([, s]) => s.status === status && sameCodes(s.codes, group));
    out[String(status)] = shared ? { $ref: `#/components/responses/${shared[0]}` } : errorResponse(status, group);
  }
  return out;
}

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
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}/.-]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
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
      responses: Object.fromEntries(Object.entries(SHARED_ERRORS).map(([name, s]) => [name, errorResponse(s.status, s.codes, s.description)])),
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
