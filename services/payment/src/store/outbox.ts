import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';

export interface OutboxMessage {
  eventId?: string;
  topic: string;
  key: string;
  payload: unknown;
  /** W3C trace context of the request that caused the event. */
  headers: Record<string, string>;
}

export interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  msg_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

/** Written in the caller's transaction: the event exists if and only if the change committed. */
export async function enqueue(trx: Knex.Transaction, m: OutboxMessage): Promise<void> {
  await trx('outbox').insert({ event_id: m.eventId ?? randomUUID(), topic: m.topic, msg_key: m.key, payload: m.payload, headers: m.headers });
}

/**
 * Claims up to `limit` unsent rows, oldest first, skipping rows another replica holds, runs
 * `publish` with them while the locks are held, and marks them sent when it resolves. If publish
 * throws, the transaction rolls back and the rows wait for the next round.
 */
export async function relayBatch(knex: Knex, limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
  return knex.transaction(async (trx) => {
    const { rows } = (await trx.raw(
      'select id, event_id, topic, msg_key, payload, headers from outbox where sent_at is null order by id limit ? for update skip locked',
      [limit],
    )) as { rows: OutboxRow[] };
    if (rows.length === 0) return 0;
    await publish(rows);
    await trx('outbox')
      .whereIn('id', rows.map((r) => r.id))
      .update({ sent_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: null });
    return rows.length;
  });
}

export async function recordRelayFailure(knex: Knex, message: string): Promise<void> {
  // The oldest unsent row carries the reason, for whoever looks at a stuck backlog.
  await knex.raw(
    'update outbox set attempts = attempts + 1, last_error = ? where id = (select min(id) from outbox where sent_at is null)',
    [message.slice(0, 500)],
  );
}

export async function backlog(knex: Knex): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = (await knex.raw(
    'select count(*)::int as count, coalesce(extract(epoch from now() - min(created_at)), 0)::float as age from outbox where sent_at is null',
  )) as { rows: Array<{ count: number; age: number }> };
  return { count: rows[0]?.count ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
}
