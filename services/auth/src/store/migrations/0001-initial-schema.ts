import { Migration } from '@mikro-orm/migrations';

/**
 * Accounts, social identities and refresh-token families. Emails are stored lower-cased (a check),
 * so the unique constraint is case-insensitive; a user's families and tokens go with the user.
 */
export class Migration0001InitialSchema extends Migration {
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
