import {
  ACTION_STEPS,
  FINAL_STEPS,
  nextStep,
  PAYMENT_STATES,
  RESERVATION_STATES,
  reservationStateOf,
  type ConfirmStep,
  type PaymentFacts,
  type PaymentState,
  type ReservationFacts,
  type ReservationState,
} from '../src/domain/confirm-steps';

const NOW = 1_800_000_000_000;
const PRICE = 39_000;
const PAYMENT_ID = 'pay-this';

/** The facts a confirm would have in each state: Alice's hold of one seat at 39,000 KRW. */
const paymentIn = (state: PaymentState): PaymentFacts | undefined =>
  state === 'NONE' ? undefined : { state, id: PAYMENT_ID, userId: 'alice', amount: PRICE };

function reservationIn(state: ReservationState): ReservationFacts | undefined {
  const held = { userId: 'alice', unitPrice: PRICE, qty: 1, expiresAt: NOW + 60_000 };
  switch (state) {
    case 'HELD':
      return held;
    case 'EXPIRED':
      return { ...held, expiresAt: NOW };
    case 'CONSUMED_BY_THIS':
      return { ...held, consumedBy: PAYMENT_ID };
    case 'CONSUMED_BY_OTHER':
      return { ...held, consumedBy: 'pay-other' };
    case 'MISSING':
      return undefined;
  }
}

type Row = [PaymentState, ReservationState, asOwner: ConfirmStep, asAnotherUser: ConfirmStep, withWrongAmount: ConfirmStep];

/**
 * Every payment state × reservation state, each asked by the owner with the right amount, by
 * another user, and by the owner with an amount one won off.
 */
const TABLE: Row[] = [
  ['NONE', 'HELD', 'create-pending', 'reject-owner', 'reject-amount'],
  ['NONE', 'EXPIRED', 'sweep-expired', 'reject-owner', 'reject-amount'],
  // No payment row, so no payment can be "this" one: a seat sold to any reference is someone else's.
  ['NONE', 'CONSUMED_BY_THIS', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['NONE', 'CONSUMED_BY_OTHER', 'reject-expired', 'reject-owner', 'reject-amount'],
  // Nothing at all is known of the hold: no owner to check, nothing to compare.
  ['NONE', 'MISSING', 'reject-expired', 'reject-expired', 'reject-expired'],

  ['PENDING', 'HELD', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['PENDING', 'EXPIRED', 'sweep-expired', 'reject-owner', 'reject-amount'],
  ['PENDING', 'CONSUMED_BY_THIS', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['PENDING', 'CONSUMED_BY_OTHER', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['PENDING', 'MISSING', 'reject-expired', 'reject-owner', 'reject-expired'],

  ['FAILED', 'HELD', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['FAILED', 'EXPIRED', 'sweep-expired', 'reject-owner', 'reject-amount'],
  ['FAILED', 'CONSUMED_BY_THIS', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['FAILED', 'CONSUMED_BY_OTHER', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['FAILED', 'MISSING', 'reject-expired', 'reject-owner', 'reject-expired'],

  // Another confirm's claim: taken over only if its lease ran out (the conditional update decides).
  ['CHARGING', 'HELD', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['CHARGING', 'EXPIRED', 'sweep-expired', 'reject-owner', 'reject-amount'],
  ['CHARGING', 'CONSUMED_BY_THIS', 'claim-charge', 'reject-owner', 'reject-amount'],
  ['CHARGING', 'CONSUMED_BY_OTHER', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['CHARGING', 'MISSING', 'reject-expired', 'reject-owner', 'reject-expired'],

  ['CONFIRMED', 'HELD', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['CONFIRMED', 'EXPIRED', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['CONFIRMED', 'CONSUMED_BY_THIS', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['CONFIRMED', 'CONSUMED_BY_OTHER', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['CONFIRMED', 'MISSING', 'answer-paid', 'reject-owner', 'reject-amount'],

  ['VOIDED', 'HELD', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['VOIDED', 'EXPIRED', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['VOIDED', 'CONSUMED_BY_THIS', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['VOIDED', 'CONSUMED_BY_OTHER', 'reject-expired', 'reject-owner', 'reject-amount'],
  ['VOIDED', 'MISSING', 'reject-expired', 'reject-owner', 'reject-expired'],

  ['REFUNDING', 'HELD', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDING', 'EXPIRED', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDING', 'CONSUMED_BY_THIS', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDING', 'CONSUMED_BY_OTHER', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDING', 'MISSING', 'answer-paid', 'reject-owner', 'reject-amount'],

  ['REFUNDED', 'HELD', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDED', 'EXPIRED', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDED', 'CONSUMED_BY_THIS', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDED', 'CONSUMED_BY_OTHER', 'answer-paid', 'reject-owner', 'reject-amount'],
  ['REFUNDED', 'MISSING', 'answer-paid', 'reject-owner', 'reject-amount'],

  ['CONTENDED', 'HELD', 'reject-busy', 'reject-owner', 'reject-amount'],
  ['CONTENDED', 'EXPIRED', 'reject-busy', 'reject-owner', 'reject-amount'],
  ['CONTENDED', 'CONSUMED_BY_THIS', 'reject-busy', 'reject-owner', 'reject-amount'],
  ['CONTENDED', 'CONSUMED_BY_OTHER', 'reject-busy', 'reject-owner', 'reject-amount'],
  ['CONTENDED', 'MISSING', 'reject-busy', 'reject-owner', 'reject-busy'],

  // This confirm holds the claim and has not charged yet.
  ['CLAIMED', 'HELD', 'charge', 'reject-owner', 'reject-amount'],
  ['CLAIMED', 'EXPIRED', 'charge', 'reject-owner', 'reject-amount'],
  ['CLAIMED', 'CONSUMED_BY_THIS', 'charge', 'reject-owner', 'reject-amount'],
  ['CLAIMED', 'CONSUMED_BY_OTHER', 'abandon-claim', 'reject-owner', 'reject-amount'],
  ['CLAIMED', 'MISSING', 'abandon-claim', 'reject-owner', 'abandon-claim'],

  // This confirm's charge was approved: the seat is sold to it, or the charge goes back.
  ['CHARGED', 'HELD', 'consume-hold', 'reject-owner', 'reject-amount'],
  ['CHARGED', 'EXPIRED', 'consume-hold', 'reject-owner', 'reject-amount'],
  ['CHARGED', 'CONSUMED_BY_THIS', 'record-confirmed', 'reject-owner', 'reject-amount'],
  ['CHARGED', 'CONSUMED_BY_OTHER', 'void-charge', 'reject-owner', 'reject-amount'],
  ['CHARGED', 'MISSING', 'void-charge', 'reject-owner', 'void-charge'],

  ['DECLINED', 'HELD', 'record-declined', 'reject-owner', 'reject-amount'],
  ['DECLINED', 'EXPIRED', 'record-declined', 'reject-owner', 'reject-amount'],
  ['DECLINED', 'CONSUMED_BY_THIS', 'record-declined', 'reject-owner', 'reject-amount'],
  ['DECLINED', 'CONSUMED_BY_OTHER', 'record-declined', 'reject-owner', 'reject-amount'],
  ['DECLINED', 'MISSING', 'record-declined', 'reject-owner', 'record-declined'],

  ['PSP_DOWN', 'HELD', 'release-claim', 'reject-owner', 'reject-amount'],
  ['PSP_DOWN', 'EXPIRED', 'release-claim', 'reject-owner', 'reject-amount'],
  ['PSP_DOWN', 'CONSUMED_BY_THIS', 'release-claim', 'reject-owner', 'reject-amount'],
  ['PSP_DOWN', 'CONSUMED_BY_OTHER', 'release-claim', 'reject-owner', 'reject-amount'],
  ['PSP_DOWN', 'MISSING', 'release-claim', 'reject-owner', 'release-claim'],
];

const rowFor = (p: PaymentState, r: ReservationState) => TABLE.filter((row) => row[0] === p && row[1] === r);
const combinations = PAYMENT_STATES.flatMap((p) => RESERVATION_STATES.map((r) => [p, r] as const));

describe('confirm steps: every payment state × reservation state', () => {
  it('when a state is added to either list, then the table must get its rows (one per combination, none extra)', () => {
    const missing = combinations.filter(([p, r]) => rowFor(p, r).length !== 1).map(([p, r]) => `${p} × ${r}`);
    expect(missing).toEqual([]);
    expect(TABLE).toHaveLength(combinations.length);
  });

  it('when the facts are built for a state, then they read as that state (the table tests what it says)', () => {
    for (const [p, r] of combinations) {
      const payment = paymentIn(p);
      const expected = p === 'NONE' && r === 'CONSUMED_BY_THIS' ? 'CONSUMED_BY_OTHER' : r;
      expect(reservationStateOf(reservationIn(r), payment?.id, NOW)).toBe(expected);
    }
  });

  describe.each(combinations)('payment %s, reservation %s', (p, r) => {
    const [, , asOwner, asAnotherUser, withWrongAmount] = rowFor(p, r)[0] as Row;

    it(`when the owner confirms the right amount, then ${asOwner}`, () => {
      expect(nextStep(paymentIn(p), reservationIn(r), { userId: 'alice', amount: PRICE }, NOW)).toBe(asOwner);
    });

    it(`when another user confirms, then ${asAnotherUser}`, () => {
      expect(nextStep(paymentIn(p), reservationIn(r), { userId: 'mallory', amount: PRICE }, NOW)).toBe(asAnotherUser);
    });

    it(`when the amount is one won off, then ${withWrongAmount}`, () => {
      expect(nextStep(paymentIn(p), reservationIn(r), { userId: 'alice', amount: PRICE + 1 }, NOW)).toBe(withWrongAmount);
      expect(nextStep(paymentIn(p), reservationIn(r), { userId: 'alice', amount: PRICE - 1 }, NOW)).toBe(withWrongAmount);
    });
  });

  it('when the table is read as a whole, then every step is reached and each is either an action or a final answer', () => {
    const used = new Set(TABLE.flatMap((row) => row.slice(2)));
    expect([...used].sort()).toEqual([...ACTION_STEPS, ...FINAL_STEPS].sort());
  });

  it('when a hold expires at this very millisecond, then it is expired, and one millisecond before it is held', () => {
    const held = reservationIn('HELD') as ReservationFacts;
    expect(reservationStateOf({ ...held, expiresAt: NOW }, PAYMENT_ID, NOW)).toBe('EXPIRED');
    expect(reservationStateOf({ ...held, expiresAt: NOW + 1 }, PAYMENT_ID, NOW)).toBe('HELD');
  });

  it('when the quantity is above one, then the amount compared is unit price times quantity', () => {
    const two = { ...(reservationIn('HELD') as ReservationFacts), qty: 2 };
    expect(nextStep(undefined, two, { userId: 'alice', amount: 2 * PRICE }, NOW)).toBe('create-pending');
    expect(nextStep(undefined, two, { userId: 'alice', amount: PRICE }, NOW)).toBe('reject-amount');
  });
});
