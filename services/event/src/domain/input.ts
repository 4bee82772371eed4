import type { z } from 'zod';
import { AppError } from '@stampede/chassis/errors';
import { storable } from '@stampede/chassis/http';

/**
 * The chassis `parse`, except that each unknown field is named on its own: zod reports them as
 * one issue on the enclosing object, which would point the client at "body" instead of "status".
 * Routes check requests with it, and use cases check what they build from stored state (a sale
 * patched field by field must still be a valid sale).
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what = 'body'): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return storable(result.data, what);
  const fields = result.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: [...i.path, k].join('.'), message: 'is not a known field' }))
      : [{ field: i.path.length ? i.path.join('.') : what, message: i.message }],
  );
  throw new AppError('INVALID_INPUT', `Invalid ${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}
