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
  if (result.success) return result.data;
  const fields: FieldProblem[] = result.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : what,
    message: i.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  throw new AppError('INVALID_INPUT', `Invalid ${what}: ${summary}`, { fields });
}
