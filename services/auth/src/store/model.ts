import { EntitySchema } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import type { Role } from '@stampede/contracts';

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
  provider: string;
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

class InitialSchema extends Migration {
  override up(): void {
    this.addSql(`
      create table users (
        id uuid primary key,
        email text null unique check (email = lower(email)),
        password_hash text null,
        roles text[] not null default '{USER}' check (cardinality(roles) > 0),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table social_identities (
        provider text not null,
        subject text not null,
        user_id uuid not null references users (id) on delete cascade,
        email text null,
        created_at timestamptz not null default now(),
        primary key (provider, subject)
      )`);
    this.addSql('create index social_identities_user on social_identities (user_id)');
    this.addSql(`
      create table refresh_families (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        session_id text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null,
        revoke_reason text null
      )`);
    this.addSql('create index refresh_families_user on refresh_families (user_id) where revoked_at is null');
    this.addSql('create index refresh_families_session on refresh_families (session_id)');
    this.addSql(`
      create table refresh_tokens (
        token_hash text primary key,
        family_id uuid not null references refresh_families (id) on delete cascade,
        user_id uuid not null,
        expires_at timestamptz not null,
        used_at timestamptz null,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index refresh_tokens_family on refresh_tokens (family_id)');
    this.addSql('create index refresh_tokens_expires on refresh_tokens (expires_at)');
  }
}

/** The entities and the ordered migrations of the auth database. */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [UserEntity, SocialIdentityEntity, RefreshFamilyEntity, RefreshTokenEntity] as EntitySchema[],
  migrations: [{ name: 'auth-0001-initial-schema', class: InitialSchema }],
};
