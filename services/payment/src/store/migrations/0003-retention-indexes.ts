import { Migration } from '@mikro-orm/migrations';

/** Indexes the retention sweep reads by, so it never scans the tables it keeps small. */
export class RetentionIndexesMigration extends Migration {
  override up(): void {
    this.addSql("create index idempotency_keys_done_idx on idempotency_keys (completed_at) where status = 'DONE'");
    this.addSql("create index idempotency_keys_unfinished_idx on idempotency_keys (created_at) where status = 'IN_PROGRESS'");
    this.addSql('create index outbox_sent_idx on outbox (sent_at) where sent_at is not null');
  }
}
