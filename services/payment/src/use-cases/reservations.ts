import { parseReservationToken } from '@stampede/ledger/token';

/**
 * The shape of a reservation token, read without any store: input validation rejects a malformed
 * token before anything is looked up, and traces label a confirm with its sale.
 */
export const isReservationToken = (token: string): boolean => parseReservationToken(token) !== undefined;

export const saleIdOfToken = (token: string): string | undefined => parseReservationToken(token)?.saleId;
