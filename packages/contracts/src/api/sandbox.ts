import { z } from 'zod';

// The sandbox payment provider's stand-in for the payment widget (local platform and tests only).

export const checkoutBody = z
  .object({
    orderId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/),
    amount: z.number().int().nonnegative(),
    cardNumber: z.string().regex(/^\d{15,16}$/, 'expected 15 or 16 digits'),
  })
  .strict();

/** The key to confirm the payment with, as the real widget hands it over. */
export const checkoutResult = z.strictObject({ paymentKey: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/) }).meta({ id: 'SandboxCheckout' });
export type CheckoutResult = z.infer<typeof checkoutResult>;
