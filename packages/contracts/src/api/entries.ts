import { z } from 'zod';
import { SALE_STATUSES } from '../sale-snapshot';
import { instant, reservationToken, SALE_ID_PATTERN } from './common';

// Requests

/** A sale id as the ledger keys it: anything else never reaches Redis. */
export const saleIdField = z.string().regex(SALE_ID_PATTERN, 'not a sale id');
export const saleIdParams = z.object({ id: saleIdField });

/** Nothing about price, user or sale comes from the client: only how many seats, at most. */
export const entryBody = z
  .object({ qty: z.number().int().min(1).max(100).default(1) })
  .strict();

// Responses

/** What the client receives for a hold: only the opaque token and when it lapses. */
export const heldView = z.strictObject({
  /** Pay with it before `expiresAt`; it is worth nothing to anyone else. */
  reservationToken,
  expiresAt: instant,
}).meta({ id: 'Hold' });
export type HeldView = z.infer<typeof heldView>;

/** A sale's status and seats left, as anyone may see them (a few seconds old at most). */
export const availabilityView = z.strictObject({
  saleId: z.string(),
  status: z.enum(SALE_STATUSES),
  /** Open now and its inventory armed. */
  open: z.boolean(),
  opensAt: instant,
  closesAt: instant,
  total: z.number().int(),
  remaining: z.number().int(),
}).meta({ id: 'Availability' });
export type AvailabilityView = z.infer<typeof availabilityView>;
