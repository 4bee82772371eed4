import type { Cluster } from 'ioredis';
import { saleKeys } from '@stampede/ledger';

export interface SaleAudit {
  total: number;
  available: number;
  held: number;
  sold: number;
  /** Active holds (ZSET members). */
  holds: number;
  /** Seats of the active holds, summed from the hold records. */
  heldSeats: number;
  /** Seats held or owned, summed over the per-user counts. */
  userSeats: number;
  /** Highest per-user count, and the sale's limit. */
  maxPerUser: number;
  limit: number;
}

// One read-only script so the audit is a single instant of the shard, even while replicas sweep.
const AUDIT = `
local inv = redis.call('HMGET', KEYS[1], 'total', 'available', 'held', 'sold', 'limit')
if not inv[1] then return nil end
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
local seats = 0
for _, id in ipairs(ids) do
  local h = redis.call('HMGET', ARGV[1] .. 'hold:' .. id, 'state', 'qty')
  if h[1] == 'H' then seats = seats + tonumber(h[2]) else seats = seats - 1000000 end
end
local users = redis.call('HVALS', KEYS[3])
local user_seats, max_user = 0, 0
for _, v in ipairs(users) do
  local n = tonumber(v)
  user_seats = user_seats + n
  if n > max_user then max_user = n end
end
return {inv[1], inv[2], inv[3], inv[4], inv[5], #ids, seats, user_seats, max_user}
`;

/** The sale's counters and what its hold records add up to, read atomically. */
export async function auditSale(redis: Cluster, saleId: string): Promise<SaleAudit | undefined> {
  const k = saleKeys(saleId);
  const r = (await redis.eval(AUDIT, 3, k.inventory, k.holds, k.users, k.prefix)) as Array<string | number> | null;
  if (!r) return undefined;
  const [total, available, held, sold, limit, holds, heldSeats, userSeats, maxPerUser] = r.map(Number) as number[];
  return { total: total!, available: available!, held: held!, sold: sold!, limit: limit!, holds: holds!, heldSeats: heldSeats!, userSeats: userSeats!, maxPerUser: maxPerUser! };
}

/**
 * The sale invariant, asserted after every test: available + held + sold = total, no counter
 * negative, `held` equal to the seats of the live hold records, the per-user counts adding up to
 * held + sold (a restocked refund lowers both), and nobody above the limit.
 */
export async function expectSaleInvariant(redis: Cluster, saleId: string): Promise<SaleAudit> {
  const a = await auditSale(redis, saleId);
  if (!a) throw new Error(`sale ${saleId} is not armed`);
  const problems: string[] = [];
  if (a.available + a.held + a.sold !== a.total) problems.push(`available ${a.available} + held ${a.held} + sold ${a.sold} ≠ total ${a.total}`);
  if (a.available < 0 || a.held < 0 || a.sold < 0) problems.push('a counter is negative');
  if (a.heldSeats !== a.held) problems.push(`held ${a.held} ≠ seats of live holds ${a.heldSeats}`);
  if (a.userSeats !== a.held + a.sold) problems.push(`per-user seats ${a.userSeats} ≠ held + sold ${a.held + a.sold}`);
  if (a.maxPerUser > a.limit) problems.push(`a user has ${a.maxPerUser} seats, above the limit ${a.limit}`);
  if (problems.length) throw new Error(`sale ${saleId} invariant broken: ${problems.join('; ')} (${JSON.stringify(a)})`);
  return a;
}
