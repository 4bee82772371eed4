import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Role } from '@stampede/contracts';
import { SocialIdentityEntity, UserEntity, type SocialIdentity, type User } from './model';

export type PublicUser = Omit<User, 'passwordHash'>;

export interface Credentials {
  user: PublicUser;
  passwordHash: string | null;
}

const publicUser = (u: User): PublicUser => ({
  id: u.id,
  email: u.email,
  roles: [...u.roles],
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

/** Accounts and social identities in PostgreSQL. Every call uses its own fork of the ORM. */
export class UserStore {
  constructor(private readonly orm: MikroORM) {}

  private em() {
    return this.orm.em.fork();
  }

  /** Creates a password account; undefined when the email is taken (in any letter case). */
  async createWithPassword(email: string, passwordHash: string, roles: Role[] = ['USER']): Promise<PublicUser | undefined> {
    const now = new Date();
    const user: User = { id: randomUUID(), email, passwordHash, roles, createdAt: now, updatedAt: now };
    try {
      await this.em().insert(UserEntity, user);
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) return undefined;
      throw e;
    }
    return publicUser(user);
  }

  async credentials(email: string): Promise<Credentials | undefined> {
    const u = await this.em().findOne(UserEntity, { email }, { populate: ['passwordHash'] });
    return u ? { user: publicUser(u), passwordHash: u.passwordHash } : undefined;
  }

  async byId(id: string): Promise<PublicUser | undefined> {
    const u = await this.em().findOne(UserEntity, { id });
    return u ? publicUser(u) : undefined;
  }

  async byEmail(email: string): Promise<PublicUser | undefined> {
    const u = await this.em().findOne(UserEntity, { email });
    return u ? publicUser(u) : undefined;
  }

  identitiesOf(userId: string): Promise<SocialIdentity[]> {
    return this.em().find(SocialIdentityEntity, { userId }, { orderBy: { createdAt: 'asc' } });
  }

  /** Replaces the roles; undefined when there is no such user. */
  async setRoles(id: string, roles: Role[]): Promise<PublicUser | undefined> {
    const changed = await this.em().nativeUpdate(UserEntity, { id }, { roles, updatedAt: new Date() });
    return changed ? this.byId(id) : undefined;
  }

  /**
   * The account linked to a provider's subject, created on first login. Two first logins racing
   * for one subject end with one account: the loser's insert hits the primary key and rolls back.
   */
  async findOrCreateSocial(provider: string, subject: string, email: string | null): Promise<{ user: PublicUser; created: boolean }> {
    const linked = await this.linkedUser(provider, subject);
    if (linked) return { user: linked, created: false };
    const now = new Date();
    const user: User = { id: randomUUID(), email: null, passwordHash: null, roles: ['USER'], createdAt: now, updatedAt: now };
    try {
      await this.em().transactional(async (tx) => {
        await tx.insert(UserEntity, user);
        await tx.insert(SocialIdentityEntity, { provider, subject, userId: user.id, email, createdAt: now });
      });
      return { user: publicUser(user), created: true };
    } catch (e) {
      if (!(e instanceof UniqueConstraintViolationException)) throw e;
      const winner = await this.linkedUser(provider, subject);
      if (!winner) throw e;
      return { user: winner, created: false };
    }
  }

  private async linkedUser(provider: string, subject: string): Promise<PublicUser | undefined> {
    const identity = await this.em().findOne(SocialIdentityEntity, { provider, subject });
    return identity ? this.byId(identity.userId) : undefined;
  }

  /**
   * The initial ADMIN: inserted once; a second replica starting at the same moment finds the row
   * (ON CONFLICT DO NOTHING) instead of failing. An existing account is never changed.
   */
  async ensureAdmin(email: string, hashPassword: () => Promise<string>): Promise<'created' | 'exists'> {
    if (await this.byEmail(email)) return 'exists';
    const now = new Date();
    const rows = await this.em().execute<{ id: string }[]>(
      `insert into users (id, email, password_hash, roles, created_at, updated_at)
       values (?, ?, ?, '{USER,ADMIN}', ?, ?) on conflict (email) do nothing returning id`,
      [randomUUID(), email, await hashPassword(), now, now],
    );
    return rows.length ? 'created' : 'exists';
  }
}
