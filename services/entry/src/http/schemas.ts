import { z } from 'zod';
import { SALE_ID_PATTERN } from '@stampede/ledger';

export const saleIdParam = z.string().regex(SALE_ID_PATTERN, 'not a sale id');

/** Nothing about price, user or sale comes from the client: only how many seats, at most. */
export const entryBody = z
  .object({ qty: z.number().int().min(1).max(100).default(1) })
  .strict();
