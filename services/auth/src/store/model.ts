import { EntitySchema } from '@mikro-orm/core';
import type { MigrationObject } from '@mikro-orm/core';
import type { Role } from '@stampede/contracts';
import type { SocialProvider } from '@stampede/contracts/api';
import { Migration0001InitialSchema } from './migrations/0001-initial-schema';

/** An account. Password accounts have an email; accounts made by social login may have neither. */
export interface User {
  id: string;
  /** Stored lower-cased (a check constraint), so the unique constraint is case-insensitive. */
  email: string | null;
  passwordHash: string | null;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
}

/** A provider's account (provider, subject) linked to one of ours. */
export interface SocialIdentity {
  provider: SocialProvider;
  subject: string;
  userId: string;
  /** The email the provider vouched for at the last login, for display only (never a login key). */
  email: string | null;
  createdAt: Date;
}

/**
 * One login's chain of refresh tokens. Every refresh token of a login shares the family, so a
 * reused token can revoke the whole chain at once.
 */
export interface RefreshFamily {
  id: string;
  userId: string;
  sessionId: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
}

/** Only the SHA-256 of a refresh token is stored; the token itself exists only at the client. */
export interface RefreshToken {
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    email: { type: 'text', nullable: true },
    passwordHash: { type: 'text', nullable: true, fieldName: 'password_hash', lazy: true },
    roles: { type: 'string[]', columnType: 'text[]' },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'updated_at' },
  },
});

export const SocialIdentityEntity = new EntitySchema<SocialIdentity>({
  name: 'SocialIdentity',
  tableName: 'social_identities',
  properties: {
    provider: { type: 'text', primary: true },
    subject: { type: 'text', primary: true },
    userId: { type: 'uuid', fieldName: 'user_id' },
    email: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
  },
});

export const RefreshFamilyEntity = new EntitySchema<RefreshFamily>({
  name: 'RefreshFamily',
  tableName: 'refresh_families',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', fieldName: 'user_id' },
    sessionId: { type: 'text', fieldName: 'session_id' },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
    revokedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'revoked_at', nullable: true },
    revokeReason: { type: 'text', fieldName: 'revoke_reason', nullable: true },
  },
});

export const RefreshTokenEntity = new EntitySchema<RefreshToken>({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: { type: 'text', primary: true, fieldName: 'token_hash' },
    familyId: { type: 'uuid', fieldName: 'family_id' },
    userId: { type: 'uuid', fieldName: 'user_id' },
    expiresAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'expires_at' },
    usedAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'used_at', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', fieldName: 'created_at' },
  },
});

/**
 * The entities and the ordered migrations of the auth database. A migration's name is what a
 * database records once it has run it: never rename one, or existing databases would run it again.
 */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [UserEntity, SocialIdentityEntity, RefreshFamilyEntity, RefreshTokenEntity] as EntitySchema[],
  migrations: [{ name: 'auth-0001-initial-schema', class: Migration0001InitialSchema }],
};
