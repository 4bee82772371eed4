import { createSaleSchema, updateSaleSchema } from '@stampede/contracts/api';
import { parseInput } from '../src/domain/input';
import { checkPeriod } from '../src/domain/promotions';

const valid = {
  name: 'Drop',
  product: { sku: 'SKU-1', name: 'Sneakers' },
  unitPrice: 0,
  stock: 1,
  opensAt: '2030-01-01T00:00:00+09:00',
  closesAt: '2030-01-01T01:00:00+09:00',
};

const fieldsOf = (input: unknown, schema: Parameters<typeof parseInput>[0] = createSaleSchema) => {
  try {
    parseInput(schema, input);
    return [];
  } catch (e) {
    return (e as { details: { fields: { field: string }[] } }).details.fields.map((f) => f.field);
  }
};

describe('sale input rules', () => {
  it('when a minimal sale is given, then the defaults fill in L = 1, hold TTL 300 s, no conditions, RESTOCK', () => {
    expect(parseInput(createSaleSchema, valid)).toMatchObject({ perUserLimit: 1, holdTtlSeconds: 300, conditions: {}, refundPolicy: 'RESTOCK' });
  });

  it.each([
    [{ stock: 0 }, 'stock'],
    [{ unitPrice: -1 }, 'unitPrice'],
    [{ unitPrice: 10.5 }, 'unitPrice'],
    [{ perUserLimit: 0 }, 'perUserLimit'],
    [{ perUserLimit: 2 }, 'perUserLimit'],
    [{ holdTtlSeconds: 29 }, 'holdTtlSeconds'],
    [{ holdTtlSeconds: 3601 }, 'holdTtlSeconds'],
    [{ closesAt: valid.opensAt }, 'closesAt'],
    [{ sold: 3 }, 'sold'],
    [{ product: { sku: 'has space', name: 'x' } }, 'product.sku'],
    [{ conditions: { vip: true } }, 'conditions.vip'],
  ])('when %j, then the error names %s', (overrides, field) => {
    expect(fieldsOf({ ...valid, ...overrides })).toEqual([field]);
  });

  it('when the bounds themselves are given (30 s, 3600 s, L = S), then they are accepted', () => {
    expect(fieldsOf({ ...valid, holdTtlSeconds: 30 })).toEqual([]);
    expect(fieldsOf({ ...valid, holdTtlSeconds: 3600, stock: 3, perUserLimit: 3 })).toEqual([]);
  });

  it('when an update is empty or names an unknown field, then it is refused', () => {
    expect(fieldsOf({}, updateSaleSchema)).toEqual(['body']);
    expect(fieldsOf({ status: 'OPEN' }, updateSaleSchema)).toContain('status');
    expect(fieldsOf({ stock: 3 }, updateSaleSchema)).toEqual([]);
  });
});

describe('event period', () => {
  const e = { startsAt: new Date(1_000), endsAt: new Date(2_000) };
  it('is open from startsAt (inclusive) to endsAt (exclusive)', () => {
    expect(checkPeriod(e, 999).open).toBe(false);
    expect(checkPeriod(e, 1_000).open).toBe(true);
    expect(checkPeriod(e, 1_999).open).toBe(true);
    expect(checkPeriod(e, 2_000).open).toBe(false);
  });
});
