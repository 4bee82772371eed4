import type { z } from 'zod';
import { AppError } from '../errors';

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Parses untrusted input with a zod schema. On failure the error names every offending field,
 * so a client can tell which one to fix.
 */
export function parse<T extends z.ZodType>(schema: T, input: unknown, what = 'body'): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return storable(result.data, what);
  const fields: FieldProblem[] = result.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : what,
    message: i.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  throw new AppError('INVALID_INPUT', `Invalid ${what}: ${summary}`, { fields });
}

/**
 * Returns parsed input unchanged, or 400 INVALID_INPUT naming each string that holds U+0000.
 * JSON allows it, but PostgreSQL text cannot store it: without this check such a value passes
 * every schema and fails at the database as a 500. For services with a parser of their own.
 */
export function storable<T>(value: T, what = 'body'): T {
  const withNul = nulFields(value, []);
  if (withNul.length === 0) return value;
  const fields = withNul.map((field) => ({ field: field || what, message: 'must not contain the NUL character' }));
  throw new AppError('INVALID_INPUT', `Invalid ${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}

/** Paths of the strings holding U+0000. */
function nulFields(value: unknown, path: string[], depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (depth > 32 || value === null || typeof value !== 'object') return [];
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => nulFields(v, [...path, k], depth + 1));
}
