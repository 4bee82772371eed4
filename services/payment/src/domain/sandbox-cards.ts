/**
 * The sandbox provider's test cards: 4330… pays, 4000… is declined, 4111… has
 * insufficient funds. Any other number is declined as unknown, like a real test environment.
 */
export type CardOutcome = 'APPROVED' | 'DECLINED' | 'INSUFFICIENT_FUNDS' | 'UNKNOWN_CARD';

export function cardOutcome(cardNumber: string): CardOutcome {
  if (cardNumber.startsWith('4330')) return 'APPROVED';
  if (cardNumber.startsWith('4000')) return 'DECLINED';
  if (cardNumber.startsWith('4111')) return 'INSUFFICIENT_FUNDS';
  return 'UNKNOWN_CARD';
}

/** Only the last four digits are ever kept. */
export const maskCard = (cardNumber: string): string => `****${cardNumber.slice(-4)}`;
