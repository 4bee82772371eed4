import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { Role } from '@stampede/contracts';
import type { SocialProvider } from '@stampede/contracts/api';
import { SocialIdentityEntity, UserEntity, type SocialIdentity, type User } from './model';

/* Accounts and social identities in PostgreSQL, read and written on the `em` of the calling use case. */

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

/**
 * Inserts an account (and the provider identity it was made for); undefined when the email or the
 * identity is taken. The inserts run in a savepoint, so a conflict with a racing insert leaves the
 * caller's transaction usable for reading the winner.
 */
export async function insertUser(
  em: Em,
  a: { email: string | null; passwordHash: string | null; roles: Role[]; identity?: Omit<SocialIdentity, 'userId' | 'createdAt'> },
): Promise<PublicUser | undefined> {
  const now = new Date();
  const user: User = { id: randomUUID(), email: a.email, passwordHash: a.passwordHash, roles: a.roles, createdAt: now, updatedAt: now };
  try {
    await em.transactional(
      async (tx) => {
        await tx.insert(UserEntity, user);
        if (a.identity) await tx.insert(SocialIdentityEntity, { ...a.identity, userId: user.id, createdAt: now });
      },
      { propagation: 'nested' },
    );
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) return undefined;
    throw e;
  }
  return publicUser(user);
}

export async function credentialsOf(em: Em, email: string): Promise<Credentials | undefined> {
  const u = await em.findOne(UserEntity, { email }, { populate: ['passwordHash'] });
  return u ? { user: publicUser(u), passwordHash: u.passwordHash } : undefined;
}

export async function userById(em: Em, id: string): Promise<PublicUser | undefined> {
  const u = await em.findOne(UserEntity, { id });
  return u ? publicUser(u) : undefined;
}

export async function userByEmail(em: Em, email: string): Promise<PublicUser | undefined> {
  const u = await em.findOne(UserEntity, { email });
  return u ? publicUser(u) : undefined;
}

/** The account linked to a provider's subject, if any. */
export async function userOfIdentity(em: Em, provider: SocialProvider, subject: string): Promise<PublicUser | undefined> {
  const identity = await em.findOne(SocialIdentityEntity, { provider, subject });
  return identity ? userById(em, identity.userId) : undefined;
}

export const identitiesOf = (em: Em, userId: string): Promise<SocialIdentity[]> =>
  em.find(SocialIdentityEntity, { userId }, { orderBy: { createdAt: 'asc' } });

/** Replaces the roles; false when there is no such user. */
export async function updateRoles(em: Em, id: string, roles: Role[]): Promise<boolean> {
  return (await em.nativeUpdate(UserEntity, { id }, { roles, updatedAt: new Date() })) === 1;
}
