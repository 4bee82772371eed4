import { z } from 'zod';
import { BILLING_CYCLES, PLANS } from '../domain/plans';
import { isReservationToken } from '../use-cases/reservations';

const reservationToken = z.string().max(200).refine(isReservationToken, 'not a reservation token');
/** Toss payment keys are at most 200 characters of [A-Za-z0-9_-]. */
const paymentKey = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a payment key');

export const prepareBody = z.object({ reservationToken }).strict();

export const confirmBody = z
  .object({
    reservationToken,
    paymentKey,
    /** Integer KRW; compared with the reservation, never used to charge. */
    amount: z.number().int().nonnegative().max(1_000_000_000),
  })
  .strict();

export const refundBody = z.object({ reason: z.string().trim().min(1).max(200).optional() }).strict();

export const paymentIdParam = z.object({ id: z.uuid() });

export const subscriptionBody = z.object({ plan: z.enum(PLANS), billingCycle: z.enum(BILLING_CYCLES) }).strict();

export const billingKeyBody = z.object({ authKey: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/, 'not an auth key') }).strict();

export const checkoutBody = z
  .object({
    orderId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/),
    amount: z.number().int().nonnegative(),
    cardNumber: z.string().regex(/^\d{15,16}$/, 'expected 15 or 16 digits'),
  })
  .strict();

export const ledgerQuery = z.object({ orderId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/) });

export const idempotencyKeyHeader = z
  .string({ error: 'the Idempotency-Key header is required' })
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'expected 8-128 characters of [A-Za-z0-9_.:-]');
