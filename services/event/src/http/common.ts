import { z } from 'zod';
import { AppError } from '@stampede/chassis/errors';
import { storable } from '@stampede/chassis/http';
import { hasAnyRole, type Principal } from '@stampede/contracts';

/** Staff see every record and every field; shoppers see their own and the public ones. */
export const isStaff = (p: Principal) => hasAnyRole(p, ['OPERATOR', 'AUDITOR', 'ADMIN']);

export const WRITERS = ['OPERATOR', 'ADMIN'] as const;
export const READERS = ['OPERATOR', 'AUDITOR', 'ADMIN'] as const;

export const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A malformed id cannot name anything: it is simply not found (no 500, no query). */
export function idParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('NOT_FOUND', `${what} not found`);
  return value;
}

/**
 * The chassis `parse`, except that each unknown field is named on its own: zod reports them as
 * one issue on the enclosing object, which would point the client at "body" instead of "status".
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

export const isoDateTime = z.iso.datetime({ offset: true });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
};

export const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

export const paged = <T>(items: T[], total: number, page: { limit: number; offset: number }) => ({
  items,
  total,
  limit: page.limit,
  offset: page.offset,
});
