import { raw } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import { IdempotencyRecordEntity, type IdempotencyRecord } from './model';

/** Idempotency keys in PostgreSQL, scoped by operation and principal, shared by every replica. */
export interface KeyRef {
  scope: string;
  principal: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Inserts the key IN_PROGRESS if it is new; true only for the one caller whose insert landed. */
export async function claimKey(em: Em, ref: KeyRef, fingerprint: string): Promise<boolean> {
  const inserted = await em
    .qb(IdempotencyRecordEntity)
    .insert({ ...ref, fingerprint, status: 'IN_PROGRESS' })
    .onConflict(['scope', 'principal', 'key'])
    .ignore()
    .execute('run');
  return inserted.affectedRows > 0;
}

export const readKey = (em: Em, ref: KeyRef): Promise<IdempotencyRecord | null> => em.findOne(IdempotencyRecordEntity, { ...ref }, { refresh: true });

/**
 * Takes over a key whose owner has held it IN_PROGRESS for longer than the lease (it crashed
 * mid-way). The database's clock judges the lease; of two takers one wins.
 */
export async function takeOverKey(em: Em, ref: KeyRef, leaseMs: number): Promise<boolean> {
  const moved = await em.nativeUpdate(
    IdempotencyRecordEntity,
    { ...ref, status: 'IN_PROGRESS', createdAt: { $lt: raw(`now() - (? * interval '1 millisecond')`, [leaseMs]) } },
    { createdAt: raw('now()') },
  );
  return moved > 0;
}

export async function finishKey(em: Em, ref: KeyRef, response: StoredResponse): Promise<void> {
  await em.nativeUpdate(IdempotencyRecordEntity, { ...ref }, { status: 'DONE', responseStatus: response.status, responseBody: response.body, completedAt: raw('now()') });
}

/** Forgets an unfinished key, so a retry runs the work again. */
export async function releaseKey(em: Em, ref: KeyRef): Promise<void> {
  await em.nativeDelete(IdempotencyRecordEntity, { ...ref, status: 'IN_PROGRESS' });
}
