import { z } from 'zod';

/** An instant a client sends: ISO 8601 with an offset (`Z` or `+09:00`). */
export const isoDateTime = z.iso.datetime({ offset: true });

/** An instant the API answers with: always UTC, as `Date.prototype.toISOString` writes it. */
export const instant = z.iso.datetime().meta({ id: 'Instant', description: 'ISO 8601 in UTC, e.g. 2030-01-01T09:00:00.000Z' });

/** Integer KRW. */
export const krw = z.number().int().nonnegative();

const count = z.number().int().nonnegative();

/** Paging of every list: how many items, from which position. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
};

/** `a,b,c` in a query string, each one of `values`. */
export const listOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

/** One page of a list, with the total the filters match so a client can page on. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.strictObject({ items: z.array(item), total: count, limit: count, offset: count }).meta({ id });

/**
 * A sale id as the ledger keys it in Redis (inside a hash tag): anything else never reaches a
 * store. Sale ids the event service mints are UUIDs, which match.
 */
export const SALE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A reservation token: `rt_<saleId>_<43 characters>`, the tail being 32 random bytes in
 * base64url. The sale id is readable so any service finds the sale's shard; everything else
 * about the hold is sealed in Redis, so the token reveals nothing and cannot be forged or edited.
 */
export const RESERVATION_TOKEN_PATTERN = /^rt_([A-Za-z0-9_-]{1,64})_([A-Za-z0-9_-]{43})$/;

export const reservationToken = z.string().max(200).regex(RESERVATION_TOKEN_PATTERN, 'not a reservation token');
