import { Migration } from '@mikro-orm/migrations';

/**
 * Each sale's waiting-room settings. Sales created before the room existed keep entering
 * directly (enabled: false); new sales get the room's defaults from the API (enabled: true).
 */
export class Migration002WaitingRoom extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table sales add column waiting_room jsonb not null default
        '{"enabled": false, "admissionRatePerSecond": 0, "margin": 10, "heartbeatTimeoutSeconds": 20, "admissionTtlSeconds": 60}'::jsonb`);
  }
}
