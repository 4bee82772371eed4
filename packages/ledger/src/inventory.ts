import type { Cluster } from 'ioredis';
import { ARMED_SALES_KEY, saleKeys, type Inventory } from './layout';

export interface ArmSpec {
  saleId: string;
  total: number;
  limit: number;
  holdTtlSeconds: number;
}

// Writes the inventory only if the sale was never armed: arming twice (or from two replicas at
// once) never adds stock. Returns 1 when this call armed it, 0 when it already was.
const ARM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'available', ARGV[1], 'held', 0, 'sold', 0,
  'limit', ARGV[2], 'holdTtl', ARGV[3], 'armedAt', ARGV[4])
return 1
`;

type WithArm = Cluster & { stampedeArm(key: string, total: number, limit: number, ttl: number, now: number): Promise<number> };

function withScripts(redis: Cluster): WithArm {
  const r = redis as WithArm;
  if (typeof r.stampedeArm !== 'function') redis.defineCommand('stampedeArm', { numberOfKeys: 1, lua: ARM });
  return r;
}

/** Arms a sale's inventory atomically and idempotently. True when this call did the arming. */
export async function armSale(redis: Cluster, spec: ArmSpec): Promise<boolean> {
  const keys = saleKeys(spec.saleId);
  const armed = await withScripts(redis).stampedeArm(keys.inventory, spec.total, spec.limit, spec.holdTtlSeconds, Date.now());
  await redis.sadd(ARMED_SALES_KEY, spec.saleId);
  return armed === 1;
}

/** The sale's counters, or undefined when it was never armed. */
export async function readInventory(redis: Cluster, saleId: string): Promise<Inventory | undefined> {
  const h = await redis.hgetall(saleKeys(saleId).inventory);
  if (!h.total) return undefined;
  const n = (k: string) => Number(h[k] ?? 0);
  return {
    total: n('total'),
    available: n('available'),
    held: n('held'),
    sold: n('sold'),
    limit: n('limit'),
    holdTtlSeconds: n('holdTtl'),
    armedAt: n('armedAt'),
  };
}

export async function armedSaleIds(redis: Cluster): Promise<string[]> {
  return redis.smembers(ARMED_SALES_KEY);
}
