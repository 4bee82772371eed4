import { createHash, randomBytes } from 'node:crypto';
import { RESERVATION_TOKEN_PATTERN as TOKEN, SALE_ID_PATTERN } from '@stampede/contracts/api';

// Reservation tokens: `rt_<saleId>_<43 chars>`, the tail being 32 random bytes (base64url); the
// format is the public API's (clients receive and send the token), so it comes from its contract.

export function newReservationToken(saleId: string): string {
  if (!SALE_ID_PATTERN.test(saleId)) throw new Error(`invalid sale id ${saleId}`);
  return `rt_${saleId}_${randomBytes(32).toString('base64url')}`;
}

/** The sale a token belongs to, or undefined when it is not a well-formed token. */
export function parseReservationToken(token: string): { saleId: string } | undefined {
  if (typeof token !== 'string' || token.length > 112) return undefined;
  const m = TOKEN.exec(token);
  return m ? { saleId: m[1] as string } : undefined;
}

/**
 * The hold's id, derived one-way from its token: whoever has the token finds the hold without a
 * lookup, and a hold id (in logs, metrics, payment records) never leads back to the token.
 */
export function holdIdOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}
