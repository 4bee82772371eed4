import type { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { armedSaleIds, expireHolds } from '@stampede/ledger';

export interface SweeperOptions {
  intervalMs: number;
  batch: number;
  logger: Logger;
  onExpired(saleId: string, count: number): void;
}

/** How often the armed-sales index is re-read; sales this replica serves are swept from their first hold. */
const SALES_REFRESH_MS = 1_000;

/**
 * Every replica runs one: each tick releases the overdue holds of every armed sale through the
 * expire script, which decides on Redis time and releases each hold once, so replicas sweeping the
 * same sale at the same moment never return a seat twice.
 */
export interface Sweeper {
  /** Sweeps this sale from now on, before the armed-sales index is next read. */
  watch(saleId: string): void;
  stop(): Promise<void>;
}

export function startSweeper(redis: Cluster, o: SweeperOptions): Sweeper {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let sales = new Set<string>();
  let salesAt = 0;
  let lastError = 0;

  const tick = async () => {
    if (Date.now() - salesAt > SALES_REFRESH_MS) {
      sales = new Set(await armedSaleIds(redis));
      salesAt = Date.now();
    }
    await Promise.all(
      [...sales].map(async (saleId) => {
        let total = 0;
        // A sale with a large backlog is drained in batches, a bounded number per tick.
        for (let i = 0; i < 20 && !stopped; i++) {
          const n = await expireHolds(redis, saleId, o.batch);
          total += n;
          if (n < o.batch) break;
        }
        // Reported even at 0, so every armed sale has its series from its first sweep.
        o.onExpired(saleId, total);
      }),
    );
  };

  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => {
        // Redis hiccups repeat every tick: log at most once a minute.
        if (Date.now() - lastError > 60_000) o.logger.warn({ err }, 'hold sweep failed; retrying');
        lastError = Date.now();
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, o.intervalMs);
      });
  };
  timer = setTimeout(loop, o.intervalMs);

  return {
    watch(saleId) {
      sales.add(saleId);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
