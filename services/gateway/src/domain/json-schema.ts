import { z } from 'zod';

export type Json = Record<string, unknown>;

/** Named schemas (a zod `id`) end up once under components.schemas, referenced from everywhere. */
export type Components = Record<string, Json>;

export const COMPONENT = '#/components/schemas/';

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
export function jsonSchema(components: Components, schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Json & { $defs?: Components };
  for (const [name, def] of Object.entries($defs ?? {})) {
    const linked = relink(def) as Json;
    if (components[name] && JSON.stringify(components[name]) !== JSON.stringify(linked)) throw new Error(`two different schemas are named ${name}`);
    components[name] = linked;
  }
  return relink(rest) as Json;
}

/** A JSON body of the given schema, as OpenAPI declares content. */
export const json = (schema: Json) => ({ 'application/json': { schema } });

