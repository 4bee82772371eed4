import { parseReservationToken } from '@stampede/ledger/token';

/** The sale a reservation token names, read without any store: traces label a confirm with it. */
export const saleIdOfToken = (token: string): string | undefined => parseReservationToken(token)?.saleId;
