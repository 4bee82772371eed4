import type { SaleSnapshot } from '@stampede/contracts';
import { holdIdOf, newReservationToken, parseReservationToken } from '@stampede/ledger';
import fc from 'fast-check';
import { AppError } from '@stampede/chassis/errors';
import { admit, availabilityOf, notOpenReason, outcomeOf, rejection } from '../src/domain/rules';

const T0 = Date.parse('2030-01-01T10:00:00.000Z');
const sale = (o: Partial<SaleSnapshot> = {}): SaleSnapshot => ({
  saleId: 's1',
  status: 'OPEN',
  opensAt: new Date(T0).toISOString(),
  closesAt: new Date(T0 + 3_600_000).toISOString(),
  sku: 'SKU',
  productName: 'Ticket',
  unitPrice: 1_000,
  stock: 10,
  perUserLimit: 2,
  holdTtlSeconds: 60,
  conditions: {},
  refundPolicy: 'RESTOCK',
  version: 1,
  ...o,
});
const user = { userId: 'u1', roles: ['USER' as const], sessionId: 'sid' };

describe('sale window and status', () => {
  it('when the sale is OPEN, then it is enterable from opensAt inclusive to closesAt exclusive', () => {
    expect(notOpenReason(sale(), T0 - 1)).toBe('sale has not opened yet');
    expect(notOpenReason(sale(), T0)).toBeUndefined();
    expect(notOpenReason(sale(), T0 + 3_600_000 - 1)).toBeUndefined();
    expect(notOpenReason(sale(), T0 + 3_600_000)).toBe('sale has closed');
  });

  it.each(['DRAFT', 'SCHEDULED', 'PAUSED', 'CLOSED', 'CANCELLED'] as const)('when the sale is %s, then it is not enterable even inside the window', (status) => {
    expect(notOpenReason(sale({ status }), T0 + 1)).toBe(`sale is ${status}`);
  });
});

describe('admission before Redis', () => {
  it('when the sale is closed, then SALE_NOT_OPEN; when ineligible, then NOT_ELIGIBLE with the reason; when qty exceeds the limit, then INVALID_INPUT', () => {
    expect(() => admit(sale({ status: 'PAUSED' }), user, 1, T0 + 1)).toThrow(expect.objectContaining({ code: 'SALE_NOT_OPEN' }));
    expect(() => admit(sale({ conditions: { roles: ['ADMIN'] } }), user, 1, T0 + 1)).toThrow(
      expect.objectContaining({ code: 'NOT_ELIGIBLE', status: 403, details: { reason: 'requires one of the roles ADMIN' } }),
    );
    expect(() => admit(sale(), user, 3, T0 + 1)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => admit(sale(), user, 2, T0 + 1)).not.toThrow();
  });

  it('when the reserve script refuses, then each outcome maps to its own code', () => {
    expect(rejection({ outcome: 'SOLD_OUT', available: 0, expiredReleased: 0 }).code).toBe('SOLD_OUT');
    expect(rejection({ outcome: 'ALREADY_ENTERED', expiredReleased: 0 }).code).toBe('ALREADY_ENTERED');
    expect(rejection({ outcome: 'NOT_ARMED', expiredReleased: 0 }).code).toBe('SALE_NOT_OPEN');
  });
});

describe('counting entry outcomes', () => {
  it('when an entry fails, then it is counted under its refusal, bad input and unknown sales as INVALID, anything else as ERROR', () => {
    for (const code of ['SOLD_OUT', 'ALREADY_ENTERED', 'SALE_NOT_OPEN', 'NOT_ELIGIBLE'] as const) expect(outcomeOf(new AppError(code, 'x'))).toBe(code);
    expect(outcomeOf(new AppError('INVALID_INPUT', 'x'))).toBe('INVALID');
    expect(outcomeOf(new AppError('NOT_FOUND', 'x'))).toBe('INVALID');
    expect(outcomeOf(new AppError('UPSTREAM_UNAVAILABLE', 'x'))).toBe('ERROR');
    expect(outcomeOf(new Error('boom'))).toBe('ERROR');
  });
});

describe('availability', () => {
  const inv = { total: 10, available: 4, held: 3, sold: 3, limit: 2, holdTtlSeconds: 60, armedAt: T0 };

  it('when the sale is open and armed, then it is open with the seats left in Redis', () => {
    expect(availabilityOf(sale(), inv, T0 + 1)).toEqual({
      saleId: 's1', status: 'OPEN', open: true, opensAt: sale().opensAt, closesAt: sale().closesAt, total: 10, remaining: 4,
    });
  });

  it('when the inventory is not armed, then it is not open and the seats are the snapshot\'s stock', () => {
    expect(availabilityOf(sale({ stock: 7 }), undefined, T0 + 1)).toMatchObject({ open: false, total: 7, remaining: 7 });
  });

  it('when the sale is paused or outside its window, then it is not open even with seats left', () => {
    expect(availabilityOf(sale({ status: 'PAUSED' }), inv, T0 + 1)).toMatchObject({ status: 'PAUSED', open: false, remaining: 4 });
    expect(availabilityOf(sale(), inv, T0 - 1).open).toBe(false);
  });
});

describe('reservation tokens', () => {
  it('when a token is made for any sale id, then it parses back to that sale, and an edited length never points at that sale', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), (saleId) => {
        const t = newReservationToken(saleId);
        expect(parseReservationToken(t)).toEqual({ saleId });
        // Sale ids may contain '_', so a longer string can parse, but only as another sale's key.
        expect(parseReservationToken(t + 'x')?.saleId).not.toBe(saleId);
        expect(parseReservationToken(t.slice(0, -1))?.saleId).not.toBe(saleId);
      }),
    );
    expect(parseReservationToken('rt__' + 'A'.repeat(43))).toBeUndefined();
    expect(parseReservationToken('xx_s1_' + 'A'.repeat(43))).toBeUndefined();
  });

  it('when two tokens are made, then they and their hold ids differ, and the hold id does not contain the token', () => {
    const a = newReservationToken('s1');
    const b = newReservationToken('s1');
    expect(a).not.toBe(b);
    expect(holdIdOf(a)).not.toBe(holdIdOf(b));
    expect(holdIdOf(a)).toBe(holdIdOf(a));
    expect(a).not.toContain(holdIdOf(a));
  });
});
