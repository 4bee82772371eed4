import { z } from 'zod';
import { AppError } from '../src/errors';
import { parse } from '../src/http/validate';

const schema = z.object({ email: z.string().email(), qty: z.number().int().positive() }).strict();

describe('request validation', () => {
  it('when input is valid, then the parsed value is returned', () => {
    expect(parse(schema, { email: 'a@b.co', qty: 1 })).toEqual({ email: 'a@b.co', qty: 1 });
  });

  it('when fields are wrong, then INVALID_INPUT names every offending field', () => {
    let caught: unknown;
    try {
      parse(schema, { email: 'nope', qty: -1, extra: true });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.status).toBe(400);
    const fields = (err.details as { fields: { field: string }[] }).fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'qty', 'body']));
  });
});
