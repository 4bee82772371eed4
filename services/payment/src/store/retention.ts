import type { Em } from '@stampede/chassis/clients/orm';

/**
 * Deletes rows that have served their purpose, at most `limit` per call, oldest-first, skipping
 * rows another replica is deleting (skip locked): replicas share the work and never wait.
 *
 * - an idempotency key answers retries of the same request; once finished and older than the
 *   retention, a retry with that key runs as a new request (clients retry within minutes, and the
 *   payment's own state still refuses a second charge);
 * - an unfinished key that old belongs to a replica that died long past its lease;
 * - an outbox row, once sent, is only history (Kafka holds the event).
 */
export async function deleteExpiredKeys(em: Em, olderThanHours: number, limit: number): Promise<number> {
  const rows = await em.execute<Array<{ n: number }>>(
    `with gone as (
       delete from idempotency_keys where (scope, principal, key) in (
         select scope, principal, key from idempotency_keys
          where (status = 'DONE' and completed_at < now() - (? * interval '1 hour'))
             or (status = 'IN_PROGRESS' and created_at < now() - (? * interval '1 hour'))
          limit ? for update skip locked)
       returning 1)
     select count(*)::int as n from gone`,
    [olderThanHours, olderThanHours, limit],
  );
  return rows[0]?.n ?? 0;
}

export async function deleteSentOutbox(em: Em, olderThanHours: number, limit: number): Promise<number> {
  const rows = await em.execute<Array<{ n: number }>>(
    `with gone as (
       delete from outbox where id in (
         select id from outbox where sent_at < now() - (? * interval '1 hour')
          order by sent_at limit ? for update skip locked)
       returning 1)
     select count(*)::int as n from gone`,
    [olderThanHours, limit],
  );
  return rows[0]?.n ?? 0;
}
