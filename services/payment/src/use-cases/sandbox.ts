import { AppError } from '@stampede/chassis/errors';
import type { CheckoutResult } from '@stampede/contracts/api';
import type { LedgerEntry } from '../clients/psp/sandbox';
import type { Deps } from '../deps';

/**
 * The sandbox provider's own side (local platform and tests only): a checkout that stands in for
 * the payment widget (a test card in, a paymentKey out), and its ledger of charges per order.
 */
function sandboxOf(deps: Deps): NonNullable<Deps['sandbox']> {
  if (!deps.sandbox) throw new AppError('NOT_FOUND', 'The sandbox provider is not in use');
  return deps.sandbox;
}

export const sandboxCheckout = (deps: Deps, input: { orderId: string; amount: number; cardNumber: string }): Promise<CheckoutResult> =>
  sandboxOf(deps).checkout(input);

export const sandboxLedger = (deps: Deps, orderId: string): Promise<LedgerEntry[]> => sandboxOf(deps).ledger(orderId);
