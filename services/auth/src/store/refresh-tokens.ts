import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { RefreshFamilyEntity, RefreshTokenEntity } from './model';

export interface TokenOwner {
  userId: string;
  sessionId: string;
  familyId: string;
}

export type RotateOutcome =
  | { kind: 'rotated'; owner: TokenOwner }
  /** The token was already used: someone replayed it. */
  | { kind: 'reused'; owner: TokenOwner }
  /** Unknown, expired, or of a family revoked for another reason (logout, role change). */
  | { kind: 'invalid' }
  /** The token was fresh but its session had ended; the family is now revoked. */
  | { kind: 'session-ended' };

export type RevokeReason = 'logout' | 'reuse-detected' | 'roles-changed' | 'session-ended' | 'session-replaced';

/** Refresh-token families in PostgreSQL. Only SHA-256 hashes of tokens are stored. */
export class RefreshTokenStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly ttlSeconds: number,
  ) {}

  private expiry = () => new Date(Date.now() + this.ttlSeconds * 1000);

  /** A login's first refresh token, in a new family bound to the session. */
  async startFamily(userId: string, sessionId: string, tokenHash: string): Promise<void> {
    const now = new Date();
    const familyId = randomUUID();
    await this.orm.em.fork().transactional(async (tx) => {
      await tx.insert(RefreshFamilyEntity, { id: familyId, userId, sessionId, createdAt: now, revokedAt: null, revokeReason: null });
      await tx.insert(RefreshTokenEntity, { tokenHash, familyId, userId, expiresAt: this.expiry(), usedAt: null, createdAt: now });
    });
  }

  /**
   * Uses a refresh token once and issues its successor in the same transaction. The conditional
   * UPDATE ... WHERE used_at IS NULL takes the row lock, so of any number of concurrent calls with
   * one token exactly one sees the row; the others wait, then find it used (reuse).
   * `sessionLive` decides, inside the transaction, whether the session may continue.
   */
  async rotate(tokenHash: string, nextHash: string, sessionLive: (owner: TokenOwner) => Promise<boolean>): Promise<RotateOutcome> {
    const outcome = await this.orm.em.fork().transactional(async (tx): Promise<RotateOutcome> => {
      const won = await tx.execute<{ family_id: string; user_id: string; session_id: string }[]>(
        `update refresh_tokens t set used_at = now()
           from refresh_families f
          where t.token_hash = ? and t.used_at is null and t.expires_at > now()
            and f.id = t.family_id and f.revoked_at is null
         returning t.family_id, t.user_id, f.session_id`,
        [tokenHash],
      );
      const row = won[0];
      if (row) {
        const owner = { userId: row.user_id, sessionId: row.session_id, familyId: row.family_id };
        if (!(await sessionLive(owner))) {
          await this.revokeFamilies(tx, 'id = ?', [owner.familyId], 'session-ended');
          return { kind: 'session-ended' };
        }
        await tx.insert(RefreshTokenEntity, {
          tokenHash: nextHash, familyId: owner.familyId, userId: owner.userId, expiresAt: this.expiry(), usedAt: null, createdAt: new Date(),
        });
        return { kind: 'rotated', owner };
      }
      const seen = await tx.execute<{ family_id: string; user_id: string; session_id: string; used: boolean }[]>(
        `select t.family_id, t.user_id, f.session_id, t.used_at is not null as used
           from refresh_tokens t join refresh_families f on f.id = t.family_id
          where t.token_hash = ?`,
        [tokenHash],
      );
      const prior = seen[0];
      if (!prior?.used) return { kind: 'invalid' };
      // A used token came back: the chain is compromised. Revoke every family of the user, this
      // one first, so neither the thief nor the victim keeps a working refresh token.
      await this.revokeFamilies(tx, 'user_id = ?', [prior.user_id], 'reuse-detected');
      return { kind: 'reused', owner: { userId: prior.user_id, sessionId: prior.session_id, familyId: prior.family_id } };
    });
    return outcome;
  }

  /** Revokes the refresh family of one session (logout, eviction by a newer login). */
  async revokeSessions(userId: string, sessionIds: string[], reason: RevokeReason): Promise<void> {
    if (!sessionIds.length) return;
    await this.revokeFamilies(this.orm.em.fork(), `user_id = ? and session_id in (${sessionIds.map(() => '?').join(', ')})`, [userId, ...sessionIds], reason);
  }

  /** Revokes every family of the user (role change). */
  async revokeUser(userId: string, reason: RevokeReason): Promise<void> {
    await this.revokeFamilies(this.orm.em.fork(), 'user_id = ?', [userId], reason);
  }

  private async revokeFamilies(
    em: { execute: MikroORM['em']['execute'] },
    where: string,
    params: unknown[],
    reason: RevokeReason,
  ): Promise<void> {
    await em.execute(`update refresh_families set revoked_at = now(), revoke_reason = ? where revoked_at is null and ${where}`, [reason, ...params]);
  }
}
