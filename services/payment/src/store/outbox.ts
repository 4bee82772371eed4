import { LockMode, raw } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { OutboxMessage } from '../domain/payment-events';
import { OutboxEntity, type OutboxRecord } from './model';

/** Written in the caller's transaction: the event exists if and only if the change committed. */
export async function enqueue(em: Em, m: OutboxMessage): Promise<void> {
  await em.insert(OutboxEntity, { eventId: m.eventId, topic: m.topic, msgKey: m.key, payload: m.payload, headers: m.headers });
}

/**
 * Locks up to `limit` unsent rows, oldest first, skipping rows another replica holds (for update
 * skip locked): replicas share the backlog without sending a row twice. The caller's transaction
 * holds the locks until it marks the rows sent or rolls back.
 */
export const lockUnsent = (em: Em, limit: number): Promise<OutboxRecord[]> =>
  em.find(OutboxEntity, { sentAt: null }, { orderBy: { id: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });

export async function markSent(em: Em, ids: string[]): Promise<void> {
  await em.nativeUpdate(OutboxEntity, { id: { $in: ids } }, { sentAt: raw('now()'), attempts: raw('attempts + 1'), lastError: null });
}

/** The oldest unsent row carries the reason, for whoever looks at a stuck backlog. */
export async function recordRelayFailure(em: Em, message: string): Promise<void> {
  await em.execute('update outbox set attempts = attempts + 1, last_error = ? where id = (select min(id) from outbox where sent_at is null)', [message.slice(0, 500)], 'run');
}

export async function backlog(em: Em): Promise<{ count: number; oldestAgeSeconds: number }> {
  const rows = await em.execute<Array<{ count: number; age: number }>>(
    'select count(*)::int as count, coalesce(extract(epoch from now() - min(created_at)), 0)::float as age from outbox where sent_at is null',
  );
  return { count: rows[0]?.count ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
}
