import { SALE_STATUSES, type SaleStatus } from '@stampede/contracts';
import { assertTransition, canTransition } from '../src/domain/sale-status';

const VALID: [SaleStatus, SaleStatus][] = [
  ['DRAFT', 'SCHEDULED'],
  ['DRAFT', 'CANCELLED'],
  ['SCHEDULED', 'OPEN'],
  ['SCHEDULED', 'CANCELLED'],
  ['OPEN', 'PAUSED'],
  ['OPEN', 'CLOSED'],
  ['PAUSED', 'OPEN'],
  ['PAUSED', 'CLOSED'],
  ['PAUSED', 'CANCELLED'],
];

describe('sale status machine', () => {
  const all = SALE_STATUSES.flatMap((from) => SALE_STATUSES.map((to) => [from, to] as [SaleStatus, SaleStatus]));
  const isValid = (from: SaleStatus, to: SaleStatus) => VALID.some(([f, t]) => f === from && t === to);

  it.each(all)('%s → %s is allowed exactly when it is one of the listed transitions', (from, to) => {
    expect(canTransition(from, to)).toBe(isValid(from, to));
    if (isValid(from, to)) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION', status: 409 }));
  });

  it('when a sale is CLOSED or CANCELLED, then the error says the state is final', () => {
    expect(() => assertTransition('CLOSED', 'OPEN')).toThrow('CLOSED is final');
    expect(() => assertTransition('CANCELLED', 'DRAFT')).toThrow('CANCELLED is final');
  });
});
