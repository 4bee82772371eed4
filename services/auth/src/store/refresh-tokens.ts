import { randomUUID } from 'node:crypto';
import type { Em } from '@stampede/chassis/clients/orm';
import { RefreshFamilyEntity, RefreshTokenEntity } from './model';

/*
 * Refresh-token families in PostgreSQL, read and written on the `em` of the calling use case. Only
 * the SHA-256 of a token is stored.
 */

export interface TokenOwner {
  userId: string;
  sessionId: string;
  familyId: string;
}

export type RevokeReason = 'logout' | 'reuse-detected' | 'roles-changed' | 'session-ended' | 'session-replaced';

/** A login's first refresh token, in a new family bound to the session. */
export async function startFamily(em: Em, f: { userId: string; sessionId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  const now = new Date();
  const familyId = randomUUID();
  await em.insert(RefreshFamilyEntity, { id: familyId, userId: f.userId, sessionId: f.sessionId, createdAt: now, revokedAt: null, revokeReason: null });
  await em.insert(RefreshTokenEntity, { tokenHash: f.tokenHash, familyId, userId: f.userId, expiresAt: f.expiresAt, usedAt: null, createdAt: now });
}

/**
 * Uses a refresh token up, if it is usable: unused, unexpired, of a family not revoked. The
 * conditional UPDATE ... WHERE used_at IS NULL takes the row lock, so of any number of concurrent
 * transactions with one token exactly one gets the owner back; the others wait until it commits,
 * then find the token used. (One statement: no entity expresses the join with the family.)
 */
export async function useToken(em: Em, tokenHash: string): Promise<TokenOwner | undefined> {
  const won = await em.execute<{ family_id: string; user_id: string; session_id: string }[]>(
    `update refresh_tokens t set used_at = now()
       from refresh_families f
      where t.token_hash = ? and t.used_at is null and t.expires_at > now()
        and f.id = t.family_id and f.revoked_at is null
     returning t.family_id, t.user_id, f.session_id`,
    [tokenHash],
  );
  const row = won[0];
  return row && { userId: row.user_id, sessionId: row.session_id, familyId: row.family_id };
}

/** The successor of a used token, in the same family. */
export async function addToken(em: Em, t: TokenOwner & { tokenHash: string; expiresAt: Date }): Promise<void> {
  await em.insert(RefreshTokenEntity, {
    tokenHash: t.tokenHash, familyId: t.familyId, userId: t.userId, expiresAt: t.expiresAt, usedAt: null, createdAt: new Date(),
  });
}

/** A stored token whatever its state: whose it is and whether it was used already. */
export async function findToken(em: Em, tokenHash: string): Promise<(TokenOwner & { used: boolean }) | undefined> {
  const token = await em.findOne(RefreshTokenEntity, { tokenHash });
  const family = token && (await em.findOne(RefreshFamilyEntity, { id: token.familyId }));
  if (!token || !family) return undefined;
  return { userId: token.userId, sessionId: family.sessionId, familyId: token.familyId, used: token.usedAt !== null };
}

/** Which families to revoke: one, the user's of some sessions, or every one of the user. */
export type Families = { familyId: string } | { userId: string; sessionIds?: string[] };

/** Revokes the families not revoked yet; every token of a revoked family stops working. */
export async function revokeFamilies(em: Em, which: Families, reason: RevokeReason): Promise<void> {
  if ('sessionIds' in which && !which.sessionIds?.length) return;
  const where =
    'familyId' in which
      ? { id: which.familyId }
      : { userId: which.userId, ...(which.sessionIds ? { sessionId: { $in: which.sessionIds } } : {}) };
  await em.nativeUpdate(RefreshFamilyEntity, { ...where, revokedAt: null }, { revokedAt: new Date(), revokeReason: reason });
}
