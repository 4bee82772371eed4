import { z } from 'zod';
import { RATE_LIMITS } from './limits';
import type { Route } from './routes';

/** Request schemas of a route, as the owning service validates them. */
export interface RouteSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
}

export type SchemaMap = Record<string, RouteSchemas>;

export const routeKey = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** '/sales/:id/entries' → '/sales/{id}/entries' */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
    },
  },
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });

function operation(route: Route, schemas: RouteSchemas | undefined) {
  const params = [...route.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = schemas?.query ? (jsonSchema(schemas.query) as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
  for (const [name, schema] of Object.entries(query?.properties ?? {})) {
    params.push({ name, in: 'query', required: Boolean(query?.required?.includes(name)), schema: schema as { type: string } });
  }
  const limit = RATE_LIMITS[route.rateLimit];
  const op: Record<string, unknown> = {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}/.-]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: [route.upstream],
    parameters: params,
    security: route.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
    'x-roles': route.access === 'public' ? [] : route.access,
    'x-rate-limit': { points: limit.points, per: `${limit.durationSeconds}s`, by: limit.by },
    responses: {
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      '2XX': { description: 'Success', content: { 'application/json': { schema: {} } } },
      '429': { description: 'Rate limit exceeded (Retry-After)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
  if (schemas?.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body) } } };
  }
  return op;
}

/** The public API as OpenAPI 3.1, from the gateway's route table and the services' own schemas. */
export function buildOpenApi(routes: readonly Route[], schemas: SchemaMap, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const p = (paths[openApiPath(route.path)] ??= {});
    p[route.method.toLowerCase()] = operation(route, schemas[routeKey(route)]);
  }
  paths['/csrf/token'] = {
    post: {
      operationId: 'postCsrfToken',
      summary: 'Issue a CSRF token (also set as an HttpOnly SameSite=Strict cookie) for cookie-authenticated browsers',
      tags: ['gateway'],
      security: [],
      responses: { '200': { description: 'Token', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stampede API',
      version,
      description:
        'Flash sales with exact seat holds. Authenticate with `Authorization: Bearer <accessToken>`; browsers using the ' +
        'access-token cookie must send `X-CSRF-Token` on state-changing requests. Errors are `{"error":{"code","message","requestId"}}`.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'stampede_access' },
      },
      schemas: { Error: errorSchema },
    },
  };
}
