import { z } from 'zod';

// The public routes' schemas are the API's contract (@stampede/contracts/api). The sandbox
// provider's ledger is read by tests only and never routed by the gateway.
export const ledgerQuery = z.object({ orderId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/) });
