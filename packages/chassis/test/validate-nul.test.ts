import { z } from 'zod';
import { parse } from '../src/http/validate';

describe('parse refuses strings PostgreSQL cannot store', () => {
  const schema = z.object({ name: z.string(), product: z.object({ tags: z.array(z.string()) }) });

  it('when a nested string holds a NUL character, then 400 INVALID_INPUT names the field', () => {
    expect(() => parse(schema, { name: 'ok', product: { tags: ['a', 'b\u0000c'] } })).toThrow(
      expect.objectContaining({ status: 400, code: 'INVALID_INPUT', details: { fields: [{ field: 'product.tags.1', message: 'must not contain the NUL character' }] } }),
    );
  });

  it('when a bare string parameter holds a NUL character, then the parameter is named', () => {
    expect(() => parse(z.string(), 'id\u0000', 'sale id')).toThrow(expect.objectContaining({ details: { fields: [{ field: 'sale id', message: 'must not contain the NUL character' }] } }));
  });

  it('when strings hold other Unicode, then they pass unchanged', () => {
    const input = { name: 'Seat \u202e ☃ 😀 \u200b', product: { tags: [] } };
    expect(parse(schema, input)).toEqual(input);
  });
});
