import { z } from 'zod';

/** Nothing about price, user or sale comes from the client: only how many seats, at most. */
export const entryBody = z
  .object({ qty: z.number().int().min(1).max(100).default(1) })
  .strict();
