import type { MikroORM } from '@mikro-orm/postgresql';
import { transaction, type Em } from '@stampede/chassis/clients/orm';
import type { Logger } from 'pino';
import { deleteExpiredKeys, deleteSentOutbox } from '../store/retention';

export interface RetentionOptions {
  orm: MikroORM;
  logger: Logger;
  intervalMs: number;
  idempotencyHours: number;
  outboxHours: number;
  /** Rows per delete statement: short transactions, so confirms never queue behind a sweep. */
  batch?: number;
  onDeleted(table: 'idempotency_keys' | 'outbox', count: number): void;
}

export interface RetentionSweep {
  /** One sweep of both tables, in batches until nothing past retention is left. */
  tick(): Promise<{ idempotencyKeys: number; outbox: number }>;
  stop(): Promise<void>;
}

/**
 * Keeps the payment database from growing with every sale: every replica sweeps on its own timer
 * (the deletes skip rows another replica holds, so they share the work), the first sweep a random
 * part of an interval after start so replicas started together do not sweep together.
 */
export function startRetention(o: RetentionOptions): RetentionSweep {
  const batch = o.batch ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const drain = async (del: (em: Em) => Promise<number>) => {
    let total = 0;
    for (;;) {
      const n = await transaction(o.orm, del);
      total += n;
      if (n < batch || stopped) return total;
    }
  };
  const tick = async () => {
    const idempotencyKeys = await drain((em) => deleteExpiredKeys(em, o.idempotencyHours, batch));
    const outbox = await drain((em) => deleteSentOutbox(em, o.outboxHours, batch));
    o.onDeleted('idempotency_keys', idempotencyKeys);
    o.onDeleted('outbox', outbox);
    if (idempotencyKeys + outbox > 0) o.logger.info({ idempotencyKeys, outbox }, 'retention sweep deleted rows past retention');
    return { idempotencyKeys, outbox };
  };
  const schedule = (ms: number) => {
    if (stopped || o.intervalMs === 0) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err: unknown) => o.logger.warn({ err }, 'retention sweep failed; retrying next interval'))
        .finally(() => schedule(o.intervalMs));
    }, ms);
    timer.unref();
  };
  schedule(Math.floor(Math.random() * o.intervalMs));

  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
