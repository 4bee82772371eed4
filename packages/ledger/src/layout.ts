/**
 * The Redis Cluster layout of one sale, shared by the event service (arms it) and the entry and
 * payment services (hold, release, consume). Every key of a sale carries the hash tag
 * {sale:<id>}, so one Lua script can touch all of them atomically on the sale's shard.
 *
 *   {sale:ID}:inv            HASH total, available, held, sold, limit, holdTtl, armedAt
 *                            invariant: available + held + sold = total, at every instant
 *   {sale:ID}:holds          ZSET holdId → expiresAt (ms): active holds, for the expiry sweep
 *   {sale:ID}:hold:<holdId>  HASH state (H held, C consumed), user, qty, tok, exp, ref (payment);
 *                            deleted on release, kept a day once consumed (holds.ts)
 *   {sale:ID}:users          HASH userId → seats held or owned (the per-user limit)
 *   {sale:ID}:tok:<token>    STRING sealed reservation payload (JSON), TTL = hold window + grace;
 *                            holdId = sha256(token) prefix (token.ts), so a token finds its hold
 *   {sale:ID}:ret:<refundRef> marker that a refund's seats went back on sale (once per refund)
 *   stampede:armed-sales     SET of armed sale ids (not in the sale's slot: an index only)
 */
export const saleTag = (saleId: string) => `{sale:${saleId}}`;

export const saleKeys = (saleId: string) => {
  const tag = saleTag(saleId);
  return {
    inventory: `${tag}:inv`,
    holds: `${tag}:holds`,
    users: `${tag}:users`,
    hold: (holdId: string) => `${tag}:hold:${holdId}`,
    token: (token: string) => `${tag}:tok:${token}`,
    /** Prefix for keys built inside Lua (scripts receive it as an argument). */
    prefix: `${tag}:`,
  };
};

export const ARMED_SALES_KEY = 'stampede:armed-sales';

export interface Inventory {
  total: number;
  available: number;
  held: number;
  sold: number;
  limit: number;
  holdTtlSeconds: number;
  armedAt: number;
}
