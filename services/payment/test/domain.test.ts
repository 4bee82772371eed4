import { amountOf, orderIdFor, orderNameFor } from '../src/domain/payment';
import { priceOf } from '../src/domain/plans';
import { cardOutcome, maskCard } from '../src/domain/sandbox-cards';

describe('payment rules', () => {
  it('the amount is unit price times quantity, from the reservation', () => {
    expect(amountOf({ unitPrice: 39_000, qty: 2 })).toBe(78_000);
  });

  it('one order id per hold, within Toss limits (6–64 of [A-Za-z0-9_-])', () => {
    const id = orderIdFor('AbCdEfGhIjKlMnOpQrStUv');
    expect(id).toBe(orderIdFor('AbCdEfGhIjKlMnOpQrStUv'));
    expect(id).toMatch(/^[A-Za-z0-9_-]{6,64}$/);
  });

  it('the order name shows the quantity only above one and stays within 100 characters', () => {
    expect(orderNameFor('Ticket', 1)).toBe('Ticket');
    expect(orderNameFor('Ticket', 3)).toBe('Ticket × 3');
    expect(orderNameFor('x'.repeat(300), 1)).toHaveLength(100);
  });
});

describe('sandbox test cards', () => {
  it.each([
    ['4330000000000000', 'APPROVED'],
    ['4000000000000000', 'DECLINED'],
    ['4111111111111111', 'INSUFFICIENT_FUNDS'],
    ['5555555555554444', 'UNKNOWN_CARD'],
  ])('card %s → %s', (card, outcome) => {
    expect(cardOutcome(card)).toBe(outcome);
  });

  it('keeps only the last four digits', () => {
    expect(maskCard('4330123456789012')).toBe('****9012');
  });
});

describe('subscription plans', () => {
  it('yearly costs ten months', () => {
    expect(priceOf('pro', 'monthly')).toBe(29_900);
    expect(priceOf('pro', 'yearly')).toBe(299_000);
  });
});
