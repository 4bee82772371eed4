import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from '@mikro-orm/postgresql';
import { AppError } from '@stampede/chassis/errors';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type Begin = { kind: 'new' } | { kind: 'replay'; response: StoredResponse };

interface Row {
  fingerprint: string;
  status: 'IN_PROGRESS' | 'DONE';
  response_status: number | null;
  response_body: unknown;
  in_progress_ms: number;
}

/**
 * Idempotency keys in PostgreSQL (primary key scope + principal + key), shared by every replica.
 * The first request inserts the key and does the work; a concurrent twin waits for its answer and
 * returns it unchanged; a later twin gets the stored answer at once. The same key with a different
 * request is refused.
 */
export class IdempotencyStore {
  constructor(
    private readonly knex: Knex,
    private readonly waitMs: number,
    private readonly leaseMs: number,
  ) {}

  async begin(scope: string, principal: string, key: string, fingerprint: string): Promise<Begin> {
    const deadline = Date.now() + this.waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
      const inserted = (await this.knex('idempotency_keys')
        .insert({ scope, principal, key, fingerprint, status: 'IN_PROGRESS' })
        .onConflict(['scope', 'principal', 'key'])
        .ignore()
        .returning('key')) as unknown[];
      if (inserted.length) return { kind: 'new' };
      const row = (await this.knex('idempotency_keys')
        .select('fingerprint', 'status', 'response_status', 'response_body', this.knex.raw('(extract(epoch from now() - created_at) * 1000)::float as in_progress_ms'))
        .where({ scope, principal, key })
        .first()) as Row | undefined;
      if (!row) continue; // released between our insert and read: try again
      if (row.fingerprint !== fingerprint) {
        throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different request');
      }
      if (row.status === 'DONE') return { kind: 'replay', response: { status: row.response_status as number, body: row.response_body } };
      if (row.in_progress_ms > this.leaseMs) {
        // Its owner died mid-way: take the key over (the work below it is itself idempotent).
        const taken = await this.knex('idempotency_keys')
          .where({ scope, principal, key, status: 'IN_PROGRESS' })
          .andWhere('created_at', '<', this.knex.raw(`now() - (? * interval '1 millisecond')`, [this.leaseMs]))
          .update({ created_at: this.knex.fn.now() });
        if (taken) return { kind: 'new' };
      }
      if (Date.now() > deadline) throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry later');
      await sleep(delay);
    }
  }

  async finish(scope: string, principal: string, key: string, response: StoredResponse): Promise<void> {
    await this.knex('idempotency_keys')
      .where({ scope, principal, key })
      .update({ status: 'DONE', response_status: response.status, response_body: JSON.stringify(response.body), completed_at: this.knex.fn.now() });
  }

  /** A failure worth retrying (5xx): forget the key so the retry runs again. */
  async release(scope: string, principal: string, key: string): Promise<void> {
    await this.knex('idempotency_keys').where({ scope, principal, key, status: 'IN_PROGRESS' }).delete();
  }
}
