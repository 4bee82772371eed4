import { LockMode } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import { SandboxLedgerEntity, SandboxSessionEntity, type SandboxLedgerEntry, type SandboxSession } from './model';

/**
 * The sandbox provider's books: payment sessions and a ledger of charges, declines and cancels.
 * They live in the payment database, so every replica sees the same charges and tests can count
 * them.
 */
export async function openSession(em: Em, s: Pick<SandboxSession, 'paymentKey' | 'orderId' | 'amount' | 'cardMasked' | 'outcome'>): Promise<void> {
  await em.insert(SandboxSessionEntity, { ...s, status: 'READY' });
}

/** The session, locked until the caller's transaction ends: one confirm or cancel at a time. */
export const lockSession = (em: Em, paymentKey: string): Promise<SandboxSession | null> =>
  em.findOne(SandboxSessionEntity, { paymentKey }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });

export async function updateSession(em: Em, paymentKey: string, change: Partial<Pick<SandboxSession, 'status' | 'approvedAt' | 'canceledAt' | 'cancelReason'>>): Promise<void> {
  await em.nativeUpdate(SandboxSessionEntity, { paymentKey }, change);
}

export async function addLedgerEntry(em: Em, e: Pick<SandboxLedgerEntry, 'paymentKey' | 'orderId' | 'kind' | 'amount'>): Promise<void> {
  await em.insert(SandboxLedgerEntity, e);
}

export const ledgerOf = (em: Em, orderId: string): Promise<SandboxLedgerEntry[]> => em.find(SandboxLedgerEntity, { orderId }, { orderBy: { id: 'asc' } });
